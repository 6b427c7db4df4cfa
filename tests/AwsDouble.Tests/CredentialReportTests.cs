using System.Net;
using System.Text;
using AwsDouble.Iam;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>The credential report lags as IAM's does: generated on request, ready after a delay, fresh for four hours.</summary>
public sealed class CredentialReportTests : DoubleTest
{
    private static readonly TimeSpan Delay = CredentialReportTiming.Default.GenerationDelay;

    [Fact]
    public async Task GetCredentialReport_BeforeAnyReport_IsReportNotPresent410()
    {
        var answer = await Aws.IamAsync("GetCredentialReport");

        Assert.Equal(HttpStatusCode.Gone, answer.Status);
        Assert.Equal("ReportNotPresent", answer.ErrorCode);
    }

    [Fact]
    public async Task GenerateThenGet_BeforeTheDelay_IsReportInProgress404ThenComplete()
    {
        Account.SeedUsers([new UserSeed("alice")]);

        var started = await Aws.IamAsync("GenerateCredentialReport");
        var early = await Aws.IamAsync("GetCredentialReport");
        var again = await Aws.IamAsync("GenerateCredentialReport");
        Clock.Advance(Delay);
        var complete = await Aws.IamAsync("GenerateCredentialReport");
        var report = await Aws.IamAsync("GetCredentialReport");

        Assert.Equal("STARTED", started.Value("State"));
        Assert.Equal(HttpStatusCode.NotFound, early.Status);
        Assert.Equal("ReportInProgress", early.ErrorCode);
        Assert.Equal("INPROGRESS", again.Value("State"));
        Assert.Equal("COMPLETE", complete.Value("State"));
        Assert.Equal("text/csv", report.Value("ReportFormat"));
        Assert.Equal("2026-01-15T09:00:00Z", report.Value("GeneratedTime"));
    }

    [Fact]
    public async Task Report_WithARewriter_IsServedAsRewritten()
    {
        Account.SeedUsers([new UserSeed("alice")]);
        Account.CredentialReportRewriter = csv => csv + "\nghost,arn:aws:iam::123456789012:user/ghost";

        await Aws.IamAsync("GenerateCredentialReport");
        Clock.Advance(Delay);
        var report = await Aws.IamAsync("GetCredentialReport");

        var csv = Encoding.UTF8.GetString(Convert.FromBase64String(report.Value("Content")!));
        Assert.EndsWith("\nghost,arn:aws:iam::123456789012:user/ghost", csv, StringComparison.Ordinal);
        Assert.Contains("\nalice,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_Content_IsBase64CsvWithTheTwentyTwoColumnsAndTheRootRow()
    {
        var created = DoubleClock.DefaultStart.AddDays(-30);
        Account.SeedUsers([
            new UserSeed("alice") { CreateDate = created, LoginProfile = new LoginProfileSeed(created.AddDays(1)), MfaDevices = [new(MfaDeviceKind.Fido, created.AddDays(2))] },
            new UserSeed("bob") { CreateDate = created },
        ]);

        var lines = await ReportLinesAsync();

        var header = lines[0].Split(',');
        Assert.Equal(22, header.Length);
        Assert.Equal(["user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed", "password_next_rotation", "mfa_active"], header[..8]);
        Assert.Equal("cert_2_last_rotated", header[^1]);
        Assert.All(lines, line => Assert.Equal(22, line.Split(',').Length));
        var root = lines[1].Split(',');
        Assert.Equal("<root_account>", root[0]);
        Assert.Equal("not_supported", root[3]);
        Assert.Equal("not_supported", root[5]);
        Assert.Equal("alice,arn:aws:iam::123456789012:user/alice,2025-12-16T09:00:00+00:00,true,no_information,2025-12-17T09:00:00+00:00,N/A,true",
            string.Join(',', lines[2].Split(',')[..8]));
        Assert.Equal("bob,arn:aws:iam::123456789012:user/bob,2025-12-16T09:00:00+00:00,false,N/A,N/A,N/A,false",
            string.Join(',', lines[3].Split(',')[..8]));
    }

    [Fact]
    public async Task Generate_WithinFourHours_KeepsTheOldReportSoLaterChangesAreNotInIt()
    {
        Account.SeedUsers([new UserSeed("alice")]);
        await ReportLinesAsync();
        await Aws.IamAsync("CreateLoginProfile", ("UserName", "alice"), ("Password", "Correct-Horse-1"));
        Clock.Advance(TimeSpan.FromHours(3));

        var regenerate = await Aws.IamAsync("GenerateCredentialReport");
        var report = await Aws.IamAsync("GetCredentialReport");

        Assert.Equal("COMPLETE", regenerate.Value("State"));
        Assert.Equal("2026-01-15T09:00:00Z", report.Value("GeneratedTime"));
        Assert.Contains("alice,arn:aws:iam::123456789012:user/alice,2026-01-15T09:00:00+00:00,false,", Decode(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_AfterFourHours_StartsANewReportThatShowsTheChanges()
    {
        Account.SeedUsers([new UserSeed("alice")]);
        await ReportLinesAsync();
        await Aws.IamAsync("CreateLoginProfile", ("UserName", "alice"), ("Password", "Correct-Horse-1"));
        Clock.Advance(TimeSpan.FromHours(4));

        var lines = await ReportLinesAsync();

        Assert.StartsWith("alice,arn:aws:iam::123456789012:user/alice,2026-01-15T09:00:00+00:00,true,", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCredentialReport_OlderThanTheExpiry_IsReportExpired410()
    {
        await ReportLinesAsync();
        Clock.Advance(CredentialReportTiming.Default.Expiry);

        var answer = await Aws.IamAsync("GetCredentialReport");

        Assert.Equal(HttpStatusCode.Gone, answer.Status);
        Assert.Equal("ReportExpired", answer.ErrorCode);
    }

    [Fact]
    public async Task CredentialReportCsvNow_MatchesWhatGetCredentialReportServes()
    {
        Account.SeedUsers([new UserSeed("alice") { LoginProfile = new LoginProfileSeed(DoubleClock.DefaultStart) }]);

        var served = string.Join('\n', await ReportLinesAsync());

        Assert.Equal(Account.CredentialReportCsvNow(), served);
    }

    private async Task<string[]> ReportLinesAsync()
    {
        await Aws.IamAsync("GenerateCredentialReport");
        Clock.Advance(Delay);
        var report = await Aws.IamAsync("GetCredentialReport");
        Assert.Equal(HttpStatusCode.OK, report.Status);
        return Decode(report).Split('\n');
    }

    private static string Decode(QueryAnswer report) => Encoding.UTF8.GetString(Convert.FromBase64String(report.Value("Content")!));
}

using MfaConfigRule.Aggregation;
using MfaConfigRule.Aws;
using MfaConfigRule.Cli;
using MfaConfigRule.Compliance;
using MfaConfigRule.Reporting;
using Microsoft.Extensions.Time.Testing;

namespace MfaConfigRule.Tests.Aggregation;

public sealed class AggregateReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private const string A = "111111111111";
    private const string B = "222222222222";
    private const string C = "333333333333";

    private sealed class Client : IAggregatorClient
    {
        public List<RuleSource> Sources { get; } = [];
        public List<AggregateResult> Results { get; } = [];
        public List<DiscoveredUser> Users { get; } = [];
        public HashSet<string> FailingAccounts { get; } = [];
        public int AllUserListings { get; private set; }

        public Task<IReadOnlyList<RuleSource>> RuleSourcesAsync(string aggregator, string ruleName, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RuleSource>>(Sources);

        public Task<IReadOnlyList<AggregateResult>> ResultsAsync(string aggregator, string ruleName, RuleSource source, CancellationToken cancellationToken) =>
            FailingAccounts.Contains(source.AccountId)
                ? throw new AwsServiceException("config", "GetAggregateComplianceDetailsByConfigRule", "ThrottlingException", 400, "Rate exceeded")
                : Task.FromResult<IReadOnlyList<AggregateResult>>([.. Results.Where(r => r.AccountId == source.AccountId && r.Region == source.Region)]);

        public Task<IReadOnlyList<DiscoveredUser>> UsersAsync(string aggregator, string? accountId, CancellationToken cancellationToken)
        {
            if (accountId is null) AllUserListings++;
            return Task.FromResult<IReadOnlyList<DiscoveredUser>>([.. Users.Where(u => accountId is null || u.AccountId == accountId)]);
        }
    }

    private static AggregateResult Result(string account, string id, string compliance, TimeSpan age, string region = "us-east-1") =>
        new(account, region, "AWS::IAM::User", id, compliance, $"why {id}", Now - age);

    private static Task<Report> ReadAsync(Client client, IReadOnlyList<DirectoryAccount>? directory, IReadOnlySet<string>? only = null, bool notApplicableDropped = false) =>
        new AggregateReader(client, new FakeTimeProvider(Now)).ReadAsync(
            new AggregateReadOptions("org", "rule", TimeSpan.FromHours(26)) { Accounts = only, Concurrency = 2, NotApplicableDropped = notApplicableDropped }, directory, CancellationToken.None);

    [Fact]
    public async Task AnAccountTheSummaryLeavesOut_IsNoResults_AndTheReportExitsTwo()
    {
        var client = new Client();
        client.Sources.Add(new RuleSource(A, "us-east-1", "COMPLIANT"));
        client.Results.Add(Result(A, "AIDA1", "COMPLIANT", TimeSpan.FromHours(1)));
        client.Users.Add(new DiscoveredUser(A, "AIDA1", "alice"));

        var report = await ReadAsync(client, [new DirectoryAccount(A, "prod"), new DirectoryAccount(B, "dev")]);

        Assert.Equal([(A, AccountStatus.Evaluated), (B, AccountStatus.NoResults)], report.Accounts.Select(a => (a.AccountId, a.Status)));
        Assert.Equal("dev", report.Accounts[1].Name);
        Assert.Equal(2, ExitCodes.For(report.Totals));
        Assert.Equal(0, client.AllUserListings);
    }

    [Fact]
    public async Task Users_StaleNoResultIdsAndTheRiskiestRegion_AreEachShownAsSuch()
    {
        var client = new Client();
        client.Sources.Add(new RuleSource(A, "us-east-1", "NON_COMPLIANT"));
        client.Sources.Add(new RuleSource(A, "eu-west-1", "COMPLIANT"));
        client.Results.Add(Result(A, "AIDA1", "COMPLIANT", TimeSpan.FromHours(1)));
        client.Results.Add(Result(A, "AIDA1", "NON_COMPLIANT", TimeSpan.FromHours(2), "eu-west-1"));
        client.Results.Add(Result(A, "AIDA2", "COMPLIANT", TimeSpan.FromHours(27)));
        client.Results.Add(Result(A, "AIDA3", "INSUFFICIENT_DATA", TimeSpan.FromHours(1)));
        client.Users.Add(new DiscoveredUser(A, "AIDA1", "alice"));
        client.Users.Add(new DiscoveredUser(A, "AIDA2", null));
        client.Users.Add(new DiscoveredUser(A, "AIDA4", "dave"));

        var report = await ReadAsync(client, [new DirectoryAccount(A, "prod")]);

        var rows = report.Users.ToDictionary(u => u.UserId!);
        Assert.Equal(("alice", (ComplianceType?)ComplianceType.NonCompliant, false, "eu-west-1"), (rows["AIDA1"].User, rows["AIDA1"].Verdict, rows["AIDA1"].Stale, rows["AIDA1"].Region));
        Assert.Equal(("AIDA2", (ComplianceType?)ComplianceType.Compliant, true), (rows["AIDA2"].User, rows["AIDA2"].Verdict, rows["AIDA2"].Stale));
        Assert.Null(rows["AIDA3"].Verdict);
        Assert.Equal("NO_RESULT", RecordedReportWriter.VerdictName(rows["AIDA3"].Verdict));
        Assert.Equal(("dave", (ComplianceType?)null, false), (rows["AIDA4"].User, rows["AIDA4"].Verdict, rows["AIDA4"].Stale));
        Assert.Equal("AIDA1", report.Users[0].UserId);
        Assert.Equal(2, ExitCodes.For(report.Totals));
    }

    [Fact]
    public async Task WithoutTheOrganizationsList_TheAccountsComeFromTheAggregatorsUsers_InOneListing()
    {
        var client = new Client();
        client.Sources.Add(new RuleSource(A, "us-east-1", "NON_COMPLIANT"));
        client.Results.Add(Result(A, "AIDA1", "NON_COMPLIANT", TimeSpan.FromHours(1)));
        client.Users.Add(new DiscoveredUser(A, "AIDA1", "alice"));
        client.Users.Add(new DiscoveredUser(C, "AIDA9", "zed"));

        var report = await ReadAsync(client, null);

        Assert.Equal([(A, AccountStatus.Evaluated), (C, AccountStatus.NoResults)], report.Accounts.Select(a => (a.AccountId, a.Status)));
        Assert.False(report.AccountNamesKnown);
        Assert.Equal(1, client.AllUserListings);
        Assert.Equal(2, ExitCodes.For(report.Totals));
    }

    [Fact]
    public async Task AnAccountWhoseCallsFail_IsUnreadable_WhileTheOthersAreReported()
    {
        var client = new Client();
        client.Sources.Add(new RuleSource(A, "us-east-1", "COMPLIANT"));
        client.Sources.Add(new RuleSource(B, "us-east-1", "COMPLIANT"));
        client.Results.Add(Result(A, "AIDA1", "COMPLIANT", TimeSpan.FromHours(1)));
        client.Users.Add(new DiscoveredUser(A, "AIDA1", "alice"));
        client.FailingAccounts.Add(B);

        var report = await ReadAsync(client, [new DirectoryAccount(A, null), new DirectoryAccount(B, null)]);

        Assert.Equal(AccountStatus.Unreachable, report.Accounts.Single(a => a.AccountId == B).Status);
        Assert.Contains("ThrottlingException", report.Accounts.Single(a => a.AccountId == B).Reason, StringComparison.Ordinal);
        Assert.Single(report.Users);
        Assert.Equal(2, ExitCodes.For(report.Totals));
    }

    [Fact]
    public async Task EverythingFreshAndCompliant_ExitsZero_AndANonCompliantUserExitsOne()
    {
        var client = new Client();
        client.Sources.Add(new RuleSource(A, "us-east-1", "COMPLIANT"));
        client.Results.Add(Result(A, "AIDA1", "COMPLIANT", TimeSpan.FromHours(25)));
        client.Users.Add(new DiscoveredUser(A, "AIDA1", "alice"));

        var clean = await ReadAsync(client, [new DirectoryAccount(A, null)], new HashSet<string> { A });
        client.Results.Add(Result(A, "AIDA2", "NON_COMPLIANT", TimeSpan.FromHours(1)));
        var finding = await ReadAsync(client, [new DirectoryAccount(A, null)], new HashSet<string> { A });

        Assert.Equal(0, ExitCodes.For(clean.Totals));
        Assert.Equal(1, ExitCodes.For(finding.Totals));
    }

    [Theory]
    [InlineData(false, false, 2, false)]
    [InlineData(true, false, 1, true)]
    [InlineData(false, true, 2, false)]
    [InlineData(true, true, 2, false)]
    public async Task AUserWithoutAnyResult_IsPresumedNotApplicableOnlyWhenToldAndNoNotApplicableCameThrough(bool dropped, bool carried, int exitCode, bool presumed)
    {
        var client = new Client();
        client.Sources.Add(new RuleSource(A, "us-east-1", "NON_COMPLIANT"));
        client.Results.Add(Result(A, "AIDA1", "NON_COMPLIANT", TimeSpan.FromHours(1)));
        if (carried) client.Results.Add(Result(A, "AIDA2", "NOT_APPLICABLE", TimeSpan.FromHours(1)));
        client.Results.Add(Result(A, "AIDA4", "INSUFFICIENT_DATA", TimeSpan.FromHours(1)));
        client.Users.AddRange([new DiscoveredUser(A, "AIDA1", "alice"), new DiscoveredUser(A, "AIDA2", "bot"), new DiscoveredUser(A, "AIDA3", "ci"), new DiscoveredUser(A, "AIDA4", "odd")]);

        var report = await ReadAsync(client, [new DirectoryAccount(A, null)], notApplicableDropped: dropped);

        var ci = report.Users.Single(u => u.UserId == "AIDA3");
        Assert.Null(ci.Verdict);
        Assert.Equal(presumed, ci.PresumedNotApplicable);
        Assert.Contains(presumed ? "presumed NOT_APPLICABLE" : "or not evaluated yet", ci.Annotation, StringComparison.Ordinal);
        // INSUFFICIENT_DATA held by Config is a result, not its absence: never presumed.
        Assert.False(report.Users.Single(u => u.UserId == "AIDA4").PresumedNotApplicable);
        Assert.All(report.Users.Where(u => u.Verdict is null), u => Assert.NotEqual(ComplianceType.Compliant, u.Verdict));
        // Exit 2 stays for the INSUFFICIENT_DATA user; without it the presumed case exits on the finding alone.
        var withoutOdd = report with { Users = [.. report.Users.Where(u => u.UserId != "AIDA4")] };
        Assert.Equal(2, ExitCodes.For(report.Totals));
        Assert.Equal(exitCode, ExitCodes.For(withoutOdd.Totals));
        // bot (whose NOT_APPLICABLE the aggregator dropped) and ci.
        Assert.Equal(presumed ? 2 : 0, report.Totals.PresumedNotApplicable);
    }
}

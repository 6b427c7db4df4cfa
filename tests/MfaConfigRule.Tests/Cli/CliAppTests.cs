using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.Cli;
using MfaConfigRule.Compliance;
using MfaConfigRule.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Cli;

public sealed partial class CliAppTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(Now);
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();
    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("mfa-config-rule-cli-");
    private readonly FakeIamClient _iam;
    private readonly FakeCloudTrailClient _cloudTrail = new();
    private readonly List<AccountOptions> _connections = [];
    private Func<AccountOptions, LiveAccount>? _connect;

    public CliAppTests()
    {
        _iam = new FakeIamClient(_time);
        _config = new FakeConfigClient(_time);
        _enrollment = new FakeEnrollmentClient(_iam, _time);
    }

    public void Dispose()
    {
        _files.Delete(recursive: true);
        _stdout.Dispose();
        _stderr.Dispose();
    }

    private string Out => _stdout.ToString();

    private string Err => _stderr.ToString();

    private CliTerminal _terminal = CliTerminal.None;

    private int Run(params string[] args)
    {
        var cli = new CliApp(_stdout, _stderr, _time, options =>
        {
            _connections.Add(options);
            return _connect is null ? new LiveAccount(_iam, _cloudTrail, _config) { Enrollment = _enrollment } : _connect(options);
        }, new StringReader(Stdin), _terminal);
        return cli.Run(args);
    }

    private readonly FakeConfigClient _config;
    private readonly FakeEnrollmentClient _enrollment;

    /// <summary>What is typed at the prompts, one line each.</summary>
    private string Stdin { get; set; } = string.Empty;

    private string ReportFile(params string[] rows)
    {
        var path = Path.Combine(_files.FullName, $"report-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, ReportCsv(rows));
        return path;
    }

    private string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    private JsonElement[] JsonRows()
    {
        using var document = JsonDocument.Parse(Out);
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private static string Field(JsonElement row, string name) => row.GetProperty(name).GetString()!;

    // evaluate --credential-report: offline.

    [Fact]
    public void Evaluate_SampleReport_ExitsOneWithNonCompliantUsersFirst()
    {
        var exit = Run("evaluate", "--credential-report", SampleReportPath);

        Assert.Equal(ExitCodes.NonCompliant, exit);
        var lines = OutLines;
        Assert.Matches(@"^USER\s+COMPLIANCE\s+WHY$", lines[0]);
        Assert.Contains("NON_COMPLIANT", lines[1], StringComparison.Ordinal);
        Assert.Equal("40 users: 20 COMPLIANT, 10 NON_COMPLIANT, 10 NOT_APPLICABLE", lines[^2]);
        Assert.Equal("Exit 1: 10 user(s) can sign in to the console without an accepted MFA device (listed first, riskiest first). " +
            "Enrol a device for each (mfa-config-rule enroll USER), or exempt them (--exempt-user-names, the exemption tag).", lines[^1]);
        Assert.Contains("note: a credential report carries no tags, so exemptions by tag mfa-exempt-until are not applied offline.", Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SampleReportAsJson_GivesEveryUserWithItsVerdict()
    {
        var exit = Run("evaluate", "-r", SampleReportPath, "-o", "json");

        Assert.Equal(ExitCodes.NonCompliant, exit);
        var rows = JsonRows();
        Assert.Equal(40, rows.Length);
        var legacy = rows.Single(r => Field(r, "user") == "legacy-admin");
        Assert.Equal("arn:aws:iam::123456789012:user/legacy-admin", Field(legacy, "arn"));
        Assert.Equal("NON_COMPLIANT", Field(legacy, "compliance"));
        Assert.StartsWith("Console password (set 2025-04-20) with no MFA device.", Field(legacy, "annotation"), StringComparison.Ordinal);
        Assert.Equal("NOT_APPLICABLE", Field(rows.Single(r => Field(r, "user") == "terraform"), "compliance"));
        Assert.Equal("COMPLIANT", Field(rows.Single(r => Field(r, "user") == "alice"), "compliance"));
        Assert.DoesNotContain(rows, r => Field(r, "user") == CredentialReportRow.RootUserName);
        Assert.Equal(
            rows.Select(r => Field(r, "compliance")),
            rows.Select(r => Field(r, "compliance")).OrderBy(c => c switch { "NON_COMPLIANT" => 0, "INSUFFICIENT_DATA" => 1, "COMPLIANT" => 2, _ => 3 }));
    }

    [Fact]
    public void Evaluate_SampleReportAsCsv_HasAHeaderAndOneLinePerUser()
    {
        Run("evaluate", "-r", SampleReportPath, "-o", "csv");

        var lines = OutLines;
        Assert.Equal("user,arn,compliance,annotation", lines[0]);
        Assert.Equal(41, lines.Length);
        Assert.StartsWith("legacy-admin,arn:aws:iam::123456789012:user/legacy-admin,NON_COMPLIANT,", lines.Single(l => l.StartsWith("legacy-admin,", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ExemptionFlags_ExemptThoseUsers()
    {
        Run("evaluate", "-r", SampleReportPath, "-o", "json",
            "--exempt-user-names", "break-glass-1,EMERGENCY-ROOT-PROXY", "--exempt-path-prefixes", "/contractors/");

        var nonCompliant = JsonRows().Where(r => Field(r, "compliance") == "NON_COMPLIANT").Select(r => Field(r, "user")).Order(StringComparer.Ordinal);
        Assert.Equal(["finance.reports", "legacy-admin", "marketing-bob", "new-hire-lee", "new-hire-sam"], nonCompliant);
    }

    [Fact]
    public void Evaluate_GracePeriodAsOf_NewPasswordsAreFindingsThatSayWhenGraceEnds()
    {
        Run("evaluate", "-r", SampleReportPath, "-o", "json", "--grace-period-hours", "48", "--as-of", "2026-11-29T00:00:00Z");

        var rows = JsonRows();
        var sam = rows.Single(r => Field(r, "user") == "new-hire-sam");
        Assert.Equal("NON_COMPLIANT", Field(sam, "compliance"));
        Assert.Contains("grace period ends 2026-11-30 05:10Z", Field(sam, "annotation"), StringComparison.Ordinal);
        Assert.Contains("grace period ends 2026-11-29 16:45Z", Field(rows.Single(r => Field(r, "user") == "new-hire-lee"), "annotation"), StringComparison.Ordinal);
        Assert.DoesNotContain("grace", Field(rows.Single(r => Field(r, "user") == "legacy-admin"), "annotation"), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_AsOfAfterTheGracePeriod_NoLongerMentionsGrace()
    {
        Run("evaluate", "-r", SampleReportPath, "-o", "json", "--grace-period-hours", "48", "--as-of", "2026-11-30T00:00:00Z");

        var rows = JsonRows();
        var lee = rows.Single(r => Field(r, "user") == "new-hire-lee");
        Assert.Equal("NON_COMPLIANT", Field(lee, "compliance"));
        Assert.DoesNotContain("grace", Field(lee, "annotation"), StringComparison.Ordinal);
        Assert.Contains("grace period ends", Field(rows.Single(r => Field(r, "user") == "new-hire-sam"), "annotation"), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ParametersJsonAndAFlag_TheFlagWins()
    {
        Run("evaluate", "-r", SampleReportPath, "-o", "json",
            "--parameters", """{"ExemptUserNames":"legacy-admin","NoPasswordResult":"COMPLIANT"}""", "--exempt-user-names", "finance.reports");

        var rows = JsonRows();
        Assert.Equal("NON_COMPLIANT", Field(rows.Single(r => Field(r, "user") == "legacy-admin"), "compliance"));
        Assert.Equal("NOT_APPLICABLE", Field(rows.Single(r => Field(r, "user") == "finance.reports"), "compliance"));
        Assert.Equal("COMPLIANT", Field(rows.Single(r => Field(r, "user") == "terraform"), "compliance"));
    }

    [Fact]
    public void Evaluate_EveryoneCompliant_ExitsZero()
    {
        var exit = Run("evaluate", "-r", ReportFile(ReportRow("alice", true, true), ReportRow("svc", false, false)));

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Equal("2 users: 1 COMPLIANT, 1 NOT_APPLICABLE", OutLines[^2]);
        Assert.Equal("Exit 0: no user with a console password lacks an accepted MFA device.", OutLines[^1]);
        Assert.Equal(string.Empty, Err);
    }

    [Fact]
    public void Evaluate_HeaderOnlyReport_ExitsTwoSayingItIsNotACredentialReport()
    {
        var path = Path.Combine(_files.FullName, "empty.csv");
        File.WriteAllText(path, ReportHeader + "\n");

        var exit = Run("evaluate", "-r", path);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Equal(string.Empty, Out);
        Assert.StartsWith("error: the credential report has a header but no rows, not even <root_account>", Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_OnlyTheRootRow_ExitsZeroWithNoUsers()
    {
        var exit = Run("evaluate", "-r", ReportFile());

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Equal("0 users: ", OutLines[^2]);
    }

    [Fact]
    public void Evaluate_UserOnTwoRows_IsInsufficientDataOnceWithConflictingRowsAndExitsTwo()
    {
        // The first row alone would be COMPLIANT: it must not be the verdict.
        var path = ReportFile(ReportRow("alice", true, true), ReportRow("bob", true, true), ReportRow("alice", true, false));

        var exit = Run("evaluate", "-r", path, "-o", "json");

        Assert.Equal(ExitCodes.Error, exit);
        var rows = JsonRows();
        var alice = Assert.Single(rows, r => Field(r, "user") == "alice");
        Assert.Equal("INSUFFICIENT_DATA", Field(alice, "compliance"));
        Assert.Equal("Unreadable report row: conflicting rows: user alice is on lines 3 and 5, so none of them is used", Field(alice, "annotation"));
        Assert.Equal("COMPLIANT", Field(Assert.Single(rows, r => Field(r, "user") == "bob"), "compliance"));
        Assert.Contains("line 3 (alice): conflicting rows", Err, StringComparison.Ordinal);
        Assert.Contains("line 5 (alice): conflicting rows", Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_UserOnTwoRows_ExitsTwoNamingTheConflict()
    {
        var path = ReportFile(ReportRow("alice", true, true), ReportRow("ALICE", true, false));

        var exit = Run("explain", "alice", "-r", path);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Equal($"error: user alice has no usable row in {Path.GetFileName(path)}: line 3: conflicting rows: user alice is on lines 3 and 4, so none of them is used", Err.TrimEnd());
    }

    [Fact]
    public void Evaluate_FarFuturePasswordDateWithTheLongestGrace_IsAFindingNotACrash()
    {
        var row = ReportRow("alice", true, false).Replace(Iso(Now.AddDays(-30)), "9999-12-31T23:59:59+00:00", StringComparison.Ordinal);

        var exit = Run("evaluate", "-r", ReportFile(row), "-o", "json", "--grace-period-hours", RuleParameters.MaxGracePeriodHours.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(ExitCodes.NonCompliant, exit);
        Assert.DoesNotContain("error", Err, StringComparison.Ordinal);
        var alice = Assert.Single(JsonRows());
        Assert.Equal("NON_COMPLIANT", Field(alice, "compliance"));
        Assert.Contains("(set 9999-12-31)", Field(alice, "annotation"), StringComparison.Ordinal);
        Assert.Contains("grace period ends 2027-11-30 12:00Z", Field(alice, "annotation"), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UnreadableRow_IsInsufficientDataWithAWarningAndExitsTwo()
    {
        var path = ReportFile(ReportRow("alice", true, false), "bob,arn:aws:iam::123456789012:user/bob,true");

        var exit = Run("evaluate", "-r", path, "-o", "json");

        Assert.Equal(ExitCodes.Error, exit);
        var bob = JsonRows().Single(r => Field(r, "user") == "bob");
        Assert.Equal("INSUFFICIENT_DATA", Field(bob, "compliance"));
        Assert.Equal("Unreadable report row: has 3 fields where the header has 22", Field(bob, "annotation"));
        Assert.Contains($"warning: {Path.GetFileName(path)} line 4 (bob): has 3 fields where the header has 22; that row is reported as INSUFFICIENT_DATA", Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_FidoOnlyOffline_UsersWithMfaAreInsufficientData()
    {
        var exit = Run("evaluate", "-r", ReportFile(ReportRow("alice", true, true)), "--allowed-mfa-types", "fido", "-o", "json");

        Assert.Equal(ExitCodes.Error, exit);
        var alice = Assert.Single(JsonRows());
        Assert.Equal("INSUFFICIENT_DATA", Field(alice, "compliance"));
        Assert.Contains("FIDO is required, so the devices must be read", Field(alice, "annotation"), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UserNameThatLooksLikeAFormula_IsDefusedInCsv()
    {
        // IAM user names may contain = + - @, so a spreadsheet would run "=1+2" as a formula.
        Run("evaluate", "-r", ReportFile(ReportRow("=1+2", true, false)), "-o", "csv");

        Assert.StartsWith("'=1+2,arn:aws:iam::123456789012:user/=1+2,NON_COMPLIANT,", OutLines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--allowed-mfa-types", "totp", "error: AllowedMfaTypes value 'totp' is not an MFA type")]
    [InlineData("--no-password-result", "NON_COMPLIANT", "error: NoPasswordResult value 'NON_COMPLIANT' is not allowed")]
    [InlineData("--grace-period-hours", "forever", "error: GracePeriodHours value 'forever' is not a number of hours")]
    [InlineData("--exempt-path-prefixes", "/", "error: ExemptPathPrefixes value '/' would exempt every user")]
    [InlineData("--exemption-tag-key", "aws:mine", "error: ExemptionTagKey value 'aws:mine' uses the reserved aws: prefix")]
    [InlineData("--parameters", """{"ExemptUsernames":"x"}""", "error: unknown rule parameter ExemptUsernames (did you mean ExemptUserNames?)")]
    [InlineData("--parameters", "{", "error: rule parameters are not valid JSON")]
    [InlineData("--as-of", "tomorrow", "error: --as-of 'tomorrow' is not a time; use ISO 8601")]
    public void Evaluate_BadInput_ExitsTwoSayingWhatIsWrong(string option, string value, string message)
    {
        var exit = Run("evaluate", "-r", SampleReportPath, option, value);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.StartsWith(message, Err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, Out);
    }

    [Fact]
    public void Evaluate_ReportFileMissing_ExitsTwo()
    {
        var path = Path.Combine(_files.FullName, "nope.csv");

        var exit = Run("evaluate", "-r", path);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Equal($"error: credential report {path} does not exist", Err.TrimEnd());
    }

    [Fact]
    public void Evaluate_FileIsNotACredentialReport_ExitsTwo()
    {
        var path = Path.Combine(_files.FullName, "notes.txt");
        File.WriteAllText(path, "just some notes\n");

        var exit = Run("evaluate", "-r", path);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.StartsWith("error: the credential report header lacks column", Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evaluate", "--no-such-option")]
    [InlineData("evaluate", "-r", "x.csv", "-o", "xml")]
    [InlineData("frobnicate")]
    [InlineData]
    public void Run_CommandLineThatDoesNotParse_ExitsTwoWithAHint(params string[] args)
    {
        var exit = Run(args);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.StartsWith("error: ", Err, StringComparison.Ordinal);
        Assert.EndsWith("Try --help.", Err.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Help_ExitsZeroAndNamesTheCommands()
    {
        var exit = Run("--help");

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Contains("evaluate", Out, StringComparison.Ordinal);
        Assert.Contains("explain", Out, StringComparison.Ordinal);
    }

    // explain USER --credential-report: offline.

    [Fact]
    public void Explain_NonCompliantUserFromReport_ShowsTheInputsAndExitsOne()
    {
        var exit = Run("explain", "legacy-admin", "-r", SampleReportPath);

        Assert.Equal(ExitCodes.NonCompliant, exit);
        var lines = OutLines;
        Assert.Equal("User            legacy-admin", lines[0]);
        Assert.Contains("  arn           arn:aws:iam::123456789012:user/legacy-admin", lines);
        Assert.Contains("  path          /", lines);
        Assert.Contains("Console password yes (source: credential report)", lines);
        Assert.Contains(lines, l => l.StartsWith("  set           2025-04-20 09:00:00Z (", StringComparison.Ordinal));
        Assert.Contains("MFA devices     0 (source: credential report)", lines);
        Assert.Contains("  id            unknown (a credential report has no user IDs)", lines);
        Assert.Contains("Tags            unknown (a credential report has no tags, so exemptions by tag mfa-exempt-until are not applied)", lines);
        Assert.Contains("  AllowedMfaTypes      virtual,hardware,fido", lines);
        Assert.Contains("  ExemptUserNames      (none)", lines);
        Assert.Contains("Evaluated at    2026-11-29 12:00:00Z", lines);
        Assert.Contains("Verdict         NON_COMPLIANT", lines);
        Assert.StartsWith("Annotation      Console password (set 2025-04-20) with no MFA device.", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_UserWithMfaFromReport_SaysKindsUnknownAndExitsZero()
    {
        var exit = Run("explain", "ALICE", "-r", SampleReportPath);

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Contains("User            alice", OutLines);
        Assert.Contains("  path          /engineering/", OutLines);
        Assert.Contains("MFA devices     active, kinds unknown (source: credential report)", OutLines);
        Assert.Contains("Verdict         COMPLIANT", OutLines);
    }

    [Fact]
    public void Explain_ExemptUser_NamesTheExemption()
    {
        var exit = Run("explain", "break-glass-1", "-r", SampleReportPath, "--exempt-path-prefixes", "/break-glass/");

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Contains("Exemption       path /break-glass/ listed in ExemptPathPrefixes", OutLines);
        Assert.Contains("Verdict         NOT_APPLICABLE", OutLines);
    }

    [Fact]
    public void Explain_UserInGracePeriod_ShowsWhenItEnds()
    {
        Run("explain", "new-hire-sam", "-r", SampleReportPath, "--grace-period-hours", "72");

        Assert.Contains("Grace ends      2026-12-01 05:10:00Z", OutLines);
        Assert.Contains("Verdict         NON_COMPLIANT", OutLines);
    }

    [Fact]
    public void Explain_FidoOnlyFromReport_IsInsufficientDataAndExitsTwo()
    {
        var exit = Run("explain", "alice", "-r", SampleReportPath, "--allowed-mfa-types", "fido");

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Contains("Verdict         INSUFFICIENT_DATA", OutLines);
    }

    [Fact]
    public void Explain_UserNotInTheReport_ExitsTwo()
    {
        var exit = Run("explain", "nobody", "-r", SampleReportPath);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Equal("error: user nobody is not in credential-report.csv", Err.TrimEnd());
    }

    [Fact]
    public void Explain_WithoutAUser_ExitsTwo()
    {
        Assert.Equal(ExitCodes.Error, Run("explain", "-r", SampleReportPath));
    }

    // Live: the connect delegate hands out the fakes.

    [Fact]
    public void Explain_LiveUser_ReadsEverythingAndShowsDeviceKinds()
    {
        _iam.AddUser("bob", Now.AddDays(-10), [Virtual("bob"), Fido("bob")], path: "/ops/", tags: Tags(("team", "payments")));

        var exit = Run("explain", "bob", "--allowed-mfa-types", "hardware", "--profile", "audit", "--region", "eu-west-1");

        Assert.Equal(ExitCodes.NonCompliant, exit);
        Assert.Equal(new AccountOptions("audit", "eu-west-1"), Assert.Single(_connections));
        Assert.Equal(
            [FakeIamClient.GetLoginProfile, FakeIamClient.GetUser, FakeIamClient.ListMFADevices, FakeIamClient.ListUserTags],
            _iam.Calls.Select(c => c.Operation).Order(StringComparer.Ordinal));
        var lines = OutLines;
        Assert.Contains($"  id            {UserIdFor("bob")}", lines);
        Assert.Contains("  path          /ops/", lines);
        Assert.Contains("Console password yes (source: live IAM)", lines);
        Assert.Contains("MFA devices     2 (source: live IAM)", lines);
        Assert.Contains($"  virtual       {Virtual("bob").SerialNumber} enabled 2026-08-21 12:00:00Z", lines);
        Assert.Contains(lines, l => l.StartsWith("  FIDO          arn:aws:iam::123456789012:u2f/user/bob/", StringComparison.Ordinal));
        Assert.Contains("Tags            team=payments", lines);
        Assert.Contains("Verdict         NON_COMPLIANT", lines);
    }

    [Fact]
    public void Explain_LiveUserWithExpiredExemptionTag_SaysItExpired()
    {
        _iam.AddUser("bob", Now.AddDays(-10), tags: Tags(("mfa-exempt-until", "2026-01-31")));

        var exit = Run("explain", "bob");

        Assert.Equal(ExitCodes.NonCompliant, exit);
        Assert.Contains("Exemption tag mfa-exempt-until expired on 2026-01-31.", OutLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_LiveUserWithANeverEndingExemptionTag_SaysItHasNoEndDate()
    {
        _iam.AddUser("bob", Now.AddDays(-10), tags: Tags(("mfa-exempt-until", "9999-12-31")));

        var exit = Run("explain", "bob");

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Contains("Exemption       tag mfa-exempt-until, no end date", OutLines);
        Assert.Contains("Annotation      Exempt with no end date (tag mfa-exempt-until); console password with no MFA device.", OutLines);
    }

    [Fact]
    public void Explain_LiveUserWithAnUnknownKindOfSerial_ShowsTheDeviceAsUnrecognised()
    {
        _iam.AddUser("bob", Now.AddDays(-10), [UnknownKind("bob")]);

        var exit = Run("explain", "bob", "--allowed-mfa-types", "hardware,fido");

        Assert.Equal(ExitCodes.NonCompliant, exit);
        Assert.Contains(OutLines, l => l.Contains("unrecognised-kind", StringComparison.Ordinal) && l.Contains(UnknownKind("bob").SerialNumber, StringComparison.Ordinal));
        Assert.Contains("serial kind sms-mfa", OutLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_LiveUnknownUser_ExitsTwo()
    {
        var exit = Run("explain", "ghost");

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Equal("error: IAM has no user named ghost", Err.TrimEnd());
    }

    [Fact]
    public void Evaluate_Live_SweepsTheAccountAndListsUsersWithoutAVerdictAsInsufficientData()
    {
        _iam.AddUser("alice", Now.AddDays(-30), [Virtual("alice")]);
        _iam.AddUser("bob", Now.AddDays(-30));
        _iam.AddUser("carol", Now.AddDays(-30));
        _iam.TakeReport(Now.AddHours(-1));
        _iam.Fail(FakeIamClient.ListMFADevices, "Throttling", userName: "carol");

        var exit = Run("evaluate", "-o", "json", "--region", "us-west-2");

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Equal(new AccountOptions(null, "us-west-2"), Assert.Single(_connections));
        var rows = JsonRows();
        Assert.Equal(["bob", "carol", "alice"], rows.Select(r => Field(r, "user")));
        Assert.Equal(["NON_COMPLIANT", "INSUFFICIENT_DATA", "COMPLIANT"], rows.Select(r => Field(r, "compliance")));
        Assert.StartsWith("iam ListMFADevices: Throttling", Field(rows[1], "annotation"), StringComparison.Ordinal);
        Assert.Equal(1, _iam.Count(FakeIamClient.GetCredentialReport));
    }

    [Fact]
    public void Evaluate_LiveNonCompliant_ExitsOne()
    {
        _iam.AddUser("bob", Now.AddDays(-30));
        _iam.TakeReport(Now.AddHours(-1));

        Assert.Equal(ExitCodes.NonCompliant, Run("evaluate"));
    }

    [Fact]
    public void Evaluate_LiveOnly_SkipsTheReportAndPrintsNoWarnings()
    {
        _iam.AddUser("alice", Now.AddDays(-30), [Virtual("alice")]);

        var exit = Run("evaluate", "--live-only");

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Equal(0, _iam.Count(FakeIamClient.GetCredentialReport));
        Assert.Contains("alice", _iam.ReadLive);
        Assert.Equal(string.Empty, Err);
    }

    [Fact]
    public void Evaluate_LiveReportUnavailable_WarnsOnStderr()
    {
        _iam.AddUser("alice", Now.AddDays(-30), [Virtual("alice")]);
        _iam.Fail(FakeIamClient.GetCredentialReport, "AccessDenied");

        var exit = Run("evaluate");

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Contains("warning: credential report unavailable (AccessDenied); reading every user live", Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_LiveAccountCannotBeReached_ExitsTwo()
    {
        _connect = _ => throw new AwsServiceException("sts", "GetCallerIdentity", "ExpiredToken", 400, "The security token included in the request is expired");

        var exit = Run("evaluate");

        Assert.Equal(ExitCodes.Error, exit);
        Assert.StartsWith("error: sts GetCallerIdentity failed: ExpiredToken", Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UnexpectedFailure_ExitsTwoNotOne()
    {
        // Exit code 1 means "found NON_COMPLIANT users"; a crash must not read as that.
        _connect = _ => throw new InvalidOperationException("the credential chain found no profile");

        var exit = Run("evaluate");

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Contains("the credential chain found no profile", Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Offline_NeverConnects()
    {
        Run("evaluate", "-r", SampleReportPath);

        Assert.Empty(_connections);
    }
}

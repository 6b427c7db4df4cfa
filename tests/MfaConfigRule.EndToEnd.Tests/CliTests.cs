using System.Text.Json.Nodes;
using AwsDouble.Population;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// The same binary as a CLI on a person's machine: live mode against the double must agree with the Lambda path,
/// <c>invoke</c> must run a sample event as the function would, and an odd credential report must be refused.
/// </summary>
public sealed class CliTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task EvaluateLive_AgainstTheDouble_GivesTheSameVerdictsAsTheLambdaPath()
    {
        var users = SeedPopulation(80, seed: 4);
        var policy = RulePolicy.WithExemptions;
        var function = await StartFunctionAsync();
        var lambda = await function.InvokeAsync(ScheduledEvent(policy));
        Assert.True(lambda.Succeeded, lambda.ToString());
        var lambdaVerdicts = Config.Results(RuleName).ToDictionary(r => r.ResourceId, r => r.ComplianceType, StringComparer.Ordinal);

        var fromReport = await CliAsync("evaluate", "--output", "json", "--parameters", policy.ParametersJson()!);
        var liveOnly = await CliAsync("evaluate", "--output", "json", "--parameters", policy.ParametersJson()!, "--live-only");

        foreach (var run in new[] { fromReport, liveOnly })
        {
            Assert.True(run.ExitCode == 1, run.ToString());
            var ids = Account.Users.ToDictionary(u => u.UserName, u => u.UserId, StringComparer.Ordinal);
            var cliVerdicts = JsonNode.Parse(run.Stdout)!.AsArray()
                .ToDictionary(row => ids[row!["user"]!.GetValue<string>()], row => row!["compliance"]!.GetValue<string>(), StringComparer.Ordinal);
            Assert.Equal(lambdaVerdicts.OrderBy(p => p.Key, StringComparer.Ordinal), cliVerdicts.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
        VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
    }

    [Fact]
    public async Task Invoke_ScheduledEventWithAResultToken_ReportsThroughPutEvaluationsAsTheFunctionDoes()
    {
        var users = SeedPopulation(30);
        var policy = RulePolicy.WithExemptions;
        var eventFile = Path.Combine(Path.GetTempPath(), $"e2e-scheduled-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(eventFile, ScheduledEvent(policy));
        try
        {
            var run = await CliAsync("invoke", "--event", eventFile, "--output", "json");

            Assert.True(run.ExitCode == 1, run.ToString());
            VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
            // The table names users; their ids come from the double.
            var ids = Account.Users.ToDictionary(u => u.UserName, u => u.UserId, StringComparer.Ordinal);
            var printed = JsonNode.Parse(run.Stdout)!.AsArray().ToDictionary(r => ids[r!["user"]!.GetValue<string>()], r => r!["compliance"]!.GetValue<string>(), StringComparer.Ordinal);
            Assert.Equal(policy.ExpectedById(users).OrderBy(p => p.Key, StringComparer.Ordinal), printed.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Contains("30 evaluation(s) sent to rule " + RuleName, run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(eventFile);
        }
    }

    [Fact]
    public async Task Invoke_TheSampleScheduledEvent_RunsInTestModeWithTheSamplesParameters()
    {
        var users = SeedPopulation(30);
        // The sample's rule name, so that the clean-up of deleted users finds the rule.
        Config.PutCustomLambdaRule("iam-user-console-mfa");
        var samplePolicy = new RulePolicy { ExemptPathPrefixes = [Populations.ExemptPathPrefix], GracePeriodHours = 72 };

        var run = await CliAsync("invoke", "--event", Repository.PathOf("samples", "events", "scheduled.json"));

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("in test mode", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Config.Results(RuleName));
        var calls = Config.Calls();
        Assert.All(calls, c => Assert.True(c.TestMode));
        VerdictAssert.Exactly(samplePolicy.ExpectedById(users), VerdictAssert.Of(calls.SelectMany(c => c.Evaluations)), NamesById());
        foreach (var user in users) Assert.Contains(user.UserName, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluateCredentialReport_OddRows_ExitsTwoAndNamesEachRow()
    {
        var users = SeedPopulation(12);
        var lines = Account.CredentialReportCsvNow().Split('\n').ToList();
        var cut = First(users, PopulationCase.PasswordWithoutMfa).UserName;
        var badDate = First(users, PopulationCase.PasswordWithVirtualMfa).UserName;
        var cutAt = lines.FindIndex(l => l.StartsWith(cut + ",", StringComparison.Ordinal));
        lines[cutAt] = string.Join(',', lines[cutAt].Split(',').Take(5));
        var dateAt = lines.FindIndex(l => l.StartsWith(badDate + ",", StringComparison.Ordinal));
        var fields = lines[dateAt].Split(',');
        fields[2] = "2024-13-45T99:00:00+00:00";
        lines[dateAt] = string.Join(',', fields);
        var reportFile = Path.Combine(Path.GetTempPath(), $"e2e-report-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(reportFile, string.Join('\n', lines));
        try
        {
            var run = await CliAsync("evaluate", "--credential-report", reportFile, "--output", "csv");

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains($"line {cutAt + 1} ({cut})", run.Stderr, StringComparison.Ordinal);
            Assert.Contains($"line {dateAt + 1} ({badDate})", run.Stderr, StringComparison.Ordinal);
            Assert.Contains("user_creation_time", run.Stderr, StringComparison.Ordinal);
            // The readable rows are still audited; the odd ones are listed as unreadable, never as compliant.
            var rows = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
            Assert.Contains(rows, r => r.StartsWith(cut + ",", StringComparison.Ordinal) && r.Contains("INSUFFICIENT_DATA", StringComparison.Ordinal));
            Assert.Contains(rows, r => r.StartsWith(badDate + ",", StringComparison.Ordinal) && r.Contains("INSUFFICIENT_DATA", StringComparison.Ordinal));
            Assert.Equal(users.Count, rows.Count);
        }
        finally
        {
            File.Delete(reportFile);
        }
    }

    [Fact]
    public async Task EvaluateCredentialReport_UserOnTwoRows_IsInsufficientDataNeverTheFirstRowsVerdict()
    {
        var users = SeedPopulation(12);
        var lines = Account.CredentialReportCsvNow().Split('\n').ToList();
        var user = First(users, PopulationCase.PasswordWithVirtualMfa).UserName;
        var at = lines.FindIndex(l => l.StartsWith(user + ",", StringComparison.Ordinal));
        var fields = lines[at].Split(',');
        fields[7] = "false";                                                  // mfa_active: the second row says no MFA
        lines.Add(string.Join(',', fields));
        var reportFile = await WriteTempAsync(string.Join('\n', lines));
        try
        {
            var run = await CliAsync("evaluate", "--credential-report", reportFile, "--output", "json");

            Assert.True(run.ExitCode == 2, run.ToString());
            var rows = JsonNode.Parse(run.Stdout)!.AsArray().Where(r => r!["user"]!.GetValue<string>() == user).ToList();
            var row = Assert.Single(rows)!;
            Assert.Equal("INSUFFICIENT_DATA", row["compliance"]!.GetValue<string>());
            Assert.Contains("conflicting rows", row["annotation"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.DoesNotContain("unexpected", run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(reportFile);
        }
    }

    [Fact]
    public async Task EvaluateCredentialReport_HeaderWithoutAnyRow_ExitsTwoSayingItIsNoCredentialReport()
    {
        SeedPopulation(3);
        var reportFile = await WriteTempAsync(Account.CredentialReportCsvNow().Split('\n')[0] + "\n");
        try
        {
            var run = await CliAsync("evaluate", "--credential-report", reportFile);

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Equal(string.Empty, run.Stdout);
            Assert.Contains("error: the credential report has a header but no rows, not even <root_account>", run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(reportFile);
        }
    }

    [Fact]
    public async Task EvaluateCredentialReport_FarFuturePasswordDateAndTheLongestGrace_IsAFindingNotAnError()
    {
        var users = SeedPopulation(12);
        var lines = Account.CredentialReportCsvNow().Split('\n').ToList();
        var user = First(users, PopulationCase.PasswordWithoutMfa).UserName;
        var at = lines.FindIndex(l => l.StartsWith(user + ",", StringComparison.Ordinal));
        var fields = lines[at].Split(',');
        fields[5] = "9999-12-31T23:59:59+00:00";                              // password_last_changed
        lines[at] = string.Join(',', fields);
        var reportFile = await WriteTempAsync(string.Join('\n', lines));
        try
        {
            var run = await CliAsync("evaluate", "--credential-report", reportFile, "--output", "json", "--grace-period-hours", "8784");

            Assert.True(run.ExitCode == 1, run.ToString());
            Assert.DoesNotContain("error", run.Stderr, StringComparison.Ordinal);
            var row = JsonNode.Parse(run.Stdout)!.AsArray().Single(r => r!["user"]!.GetValue<string>() == user)!;
            Assert.Equal("NON_COMPLIANT", row["compliance"]!.GetValue<string>());
            Assert.Contains("(set 9999-12-31)", row["annotation"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(reportFile);
        }
    }

    [Fact]
    public async Task Invoke_EventWithAResourceIdOverConfigsLimit_ExitsTwoNamingTheFieldAndTheLimit()
    {
        var users = SeedPopulation(3);
        var item = Account.ConfigurationHistory(users[0].UserId)[^1] with { ResourceId = new string('A', 769) };
        var eventFile = await WriteTempAsync(ConfigEvents.Change(item, RuleName, ConfigEvents.TestModeToken, null, Now));
        try
        {
            var run = await CliAsync("invoke", "--event", eventFile);

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("error: configurationItem resourceId is 769 characters; Config's limit for a resource id (ComplianceResourceId) is 768", run.Stderr, StringComparison.Ordinal);
            Assert.Empty(Config.Calls());
        }
        finally
        {
            File.Delete(eventFile);
        }
    }

    private static async Task<string> WriteTempAsync(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"e2e-input-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    [Fact]
    public async Task ExplainLive_UserWithAnExpiredExemption_ShowsItsInputsAndExitsOne()
    {
        var users = SeedPopulation(14);
        var user = First(users, PopulationCase.ExpiredExemptionTag);

        var run = await CliAsync("explain", user.UserName);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains(user.UserId, run.Stdout, StringComparison.Ordinal);
        Assert.Contains("NON_COMPLIANT", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("expired", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_NoCredentialsAtAll_SaysSoWithoutNamingVariablesThatAreNotSet()
    {
        var environment = AwsEnvironment();
        environment.Remove("AWS_ACCESS_KEY_ID");
        environment.Remove("AWS_SECRET_ACCESS_KEY");

        var run = await Tool.RunAsync(Binary.FileName, Binary.Arguments(["evaluate"]), CliTimeout, environment);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: No AWS credentials from the default credential chain", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("webIdentityTokenFile", run.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("unexpected", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--region", "eu west 1", null, "error: 'eu west 1' is not an AWS Region name (such as us-east-1 or eu-west-1)")]
    [InlineData("--region", "us-east-1", "ftp://127.0.0.1:21/", "error: AWS_ENDPOINT_URL='ftp://127.0.0.1:21/' is not an http(s) URL")]
    public async Task Evaluate_UnusableRegionOrEndpoint_ExitsTwoNamingIt(string option, string region, string? endpoint, string message)
    {
        var environment = AwsEnvironment();
        if (endpoint is not null) environment["AWS_ENDPOINT_URL"] = endpoint;

        var run = await Tool.RunAsync(Binary.FileName, Binary.Arguments(["evaluate", option, region]), CliTimeout, environment);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith(message, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_ABlankName_ExitsTwoNamingIt()
    {
        var run = await CliAsync("explain", " ");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("error: ' ' is not an IAM user name: 1 to 64 letters, digits and + = , . @ _ -", run.Stderr.TrimEnd());
    }

    [Fact]
    public async Task EvaluateLive_StderrIsAPipe_ProgressIsPlainLinesWithoutCarriageReturns()
    {
        SeedPopulation(120);

        var run = await CliAsync("evaluate", "--output", "csv");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.DoesNotContain('\r', run.Stderr);
        Assert.Contains("assessed 120/120 users\n", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_ARuleConfigDoesNotHave_HintsThatItMustBeCreatedFirst()
    {
        SeedPopulation(5);

        var run = await CliAsync("invoke", "--event", Repository.PathOf("samples", "events", "scheduled.json"));

        Assert.Contains("NoSuchConfigRuleException", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: Config has no rule named iam-user-console-mfa in this Region; create the rule first.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_AtAnEightyColumnTerminal_TheTableFitsAndTheSummarySaysWhatToDo()
    {
        if (!Tmux.IsAvailable) { Output.WriteLine("SKIPPED: tmux is not installed (.ci/run installs it)"); return; }
        using var terminal = await Tmux.StartAsync([Binary.FileName, .. Binary.Arguments(["evaluate", "-r", "samples/credential-report.csv"])], new Dictionary<string, string>(), 80, 200);

        var screen = await terminal.WaitForAsync("[exit ", CliTimeout);
        Output.WriteLine(string.Join('\n', screen));

        Assert.Contains("[exit 1]", screen);
        // The table and its summary fit; stderr's notes are left to the terminal.
        Assert.All(screen.Where(l => !l.StartsWith("note:", StringComparison.Ordinal)), l => Assert.True(l.Length < 80, $"{l.Length} columns: {l}"));
        var indent = screen.First(l => l.StartsWith("USER ", StringComparison.Ordinal)).IndexOf("WHY", StringComparison.Ordinal);
        Assert.Contains(screen, l => l.StartsWith(new string(' ', indent), StringComparison.Ordinal) && l.Trim().Length > 0);
        Assert.Contains(screen, l => l.StartsWith("40 users: 20 COMPLIANT, 10 NON_COMPLIANT, 10 NOT_APPLICABLE", StringComparison.Ordinal));
        Assert.Contains(screen, l => l.StartsWith("Exit 1: 10 user(s) can sign in to the console without an accepted MFA", StringComparison.Ordinal));
    }

    private Task<ToolRun> CliAsync(params string[] arguments) =>
        Tool.RunAsync(Binary.FileName, Binary.Arguments(arguments), CliTimeout, AwsEnvironment());
}

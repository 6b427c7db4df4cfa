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

    private Task<ToolRun> CliAsync(params string[] arguments) =>
        Tool.RunAsync(Binary.FileName, Binary.Arguments(arguments), CliTimeout, AwsEnvironment());
}

using AwsDouble.Faults;
using AwsDouble.Iam;
using AwsDouble.Population;
using AwsDouble.SecurityHub;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// The published binary as the evaluate function with <c>SECURITY_HUB_FINDINGS=direct</c>: one ASFF finding per user in
/// the double's Security Hub, updated in place by the next sweep; Security Hub's throttling, FailedFindings and a
/// disabled hub never cost a Config verdict.
/// </summary>
public sealed class SecurityHubTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private static readonly Dictionary<string, string> Direct = new(StringComparer.Ordinal) { ["SECURITY_HUB_FINDINGS"] = "direct" };

    private SecurityHubRegion Hub => Account.SecurityHub(Region);

    private static (string Status, string RecordState, string Severity) Expected(string verdict) => verdict switch
    {
        Verdict.NonCompliant => ("FAILED", "ACTIVE", "HIGH"),
        Verdict.Compliant => ("PASSED", "ACTIVE", "INFORMATIONAL"),
        _ => ("NOT_AVAILABLE", "ARCHIVED", "INFORMATIONAL"),
    };

    /// <summary>Every user has exactly one finding, whose status, record state and severity follow the verdict Config holds.</summary>
    private void AssertOneFindingPerUserMatchingConfig(IReadOnlyDictionary<string, string> expectedById)
    {
        var findings = Hub.Findings;
        Assert.Equal(findings.Count, findings.Select(f => f.Id).Distinct(StringComparer.Ordinal).Count());
        var byUser = findings.GroupBy(f => f.UserId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Assert.Single(g), StringComparer.Ordinal);
        Assert.Equal(expectedById.Keys.Order(StringComparer.Ordinal), byUser.Keys.Order(StringComparer.Ordinal));
        var annotations = Config.Results(RuleName).ToDictionary(r => r.ResourceId, r => r.Annotation, StringComparer.Ordinal);
        foreach (var (userId, verdict) in expectedById)
        {
            var finding = byUser[userId];
            Assert.True((finding.ComplianceStatus, finding.RecordState, finding.SeverityLabel) == Expected(verdict),
                $"{userId} ({verdict}): {finding.ComplianceStatus}/{finding.RecordState}/{finding.SeverityLabel}");
            Assert.Equal(annotations[userId], finding.Description);
        }
    }

    [Fact]
    public async Task ScheduledSweep_DirectFindings_EveryUserExactlyOneFindingWithTheRightStatus()
    {
        var users = SeedPopulation(150);
        var policy = RulePolicy.WithExemptions;
        var function = await StartFunctionAsync(extra: Direct);

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        var expected = policy.ExpectedById(users);
        VerdictAssert.Exactly(expected, StoredResults(), NamesById());
        AssertOneFindingPerUserMatchingConfig(expected);
        var bob = First(users, PopulationCase.PasswordWithoutMfa);
        var finding = Hub.Findings.Single(f => f.UserId == bob.UserId);
        Assert.Equal($"IAM user {bob.UserName} can sign in to the console without MFA", finding.Title);
        Assert.Equal($"arn:aws:iam::{Account.AccountId}:user/{bob.UserName}", finding.ResourceId);
        Assert.Equal("NEW", finding.WorkflowStatus);
        Assert.All(Hub.Imports, call => Assert.True(call.Findings <= 100, $"{call.Findings} findings in one call"));
        Assert.Equal(2, Hub.Imports.Count);
        var summary = SummaryLine(function, requestId);
        Assert.Equal("INFO", summary["level"]!.GetValue<string>());
        Assert.Equal(150, summary["securityHub"]!["imported"]!.GetValue<int>());
        Assert.Equal(2, summary["apiCalls"]!["securityhub:BatchImportFindings"]!.GetValue<int>());
        Output.WriteLine(finding.Finding.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    [Fact]
    public async Task ScheduledSweepOf3500Users_ThirtyFiveBatches_PacedUnderSecurityHubsThrottle()
    {
        var users = SeedPopulation(3500, seed: 4);
        var policy = RulePolicy.WithExemptions;
        var function = await StartFunctionAsync(extra: Direct);

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(3500, Hub.Findings.Count);
        Assert.Equal(35, Hub.Imports.Count);
        Assert.Equal(0, Hub.ThrottledCalls);
        var starts = Hub.Imports.Select(c => c.At).ToList();
        Output.WriteLine($"35 imports from {starts[0]:O} to {starts[^1]:O}: {(starts[^1] - starts[0]).TotalMilliseconds:0} ms");
        var summary = SummaryLine(function, requestId);
        Assert.Equal(35, summary["apiCalls"]!["securityhub:BatchImportFindings"]!.GetValue<int>());
        Assert.Equal(3500, summary["securityHub"]!["imported"]!.GetValue<int>());
        Assert.Equal(users.Count, summary["users"]!.GetValue<int>());
    }

    [Fact]
    public async Task SecondSweep_AfterChanges_UpdatesResolvesAndArchivesTheRightFindingsWithoutDuplicates()
    {
        var users = SeedPopulation(40);
        var policy = RulePolicy.WithExemptions;
        var function = await StartFunctionAsync(extra: Direct);
        var first = await function.InvokeAsync(ScheduledEvent(policy));
        Assert.True(first.Succeeded, first.ToString());
        var before = Hub.Findings.ToDictionary(f => f.UserId!, StringComparer.Ordinal);

        var fixedUser = First(users, PopulationCase.PasswordWithoutMfa);
        var passwordRemoved = First(users, PopulationCase.PasswordWithAbandonedVirtualMfa);
        var deleted = First(users, PopulationCase.PasswordWithHardwareMfa);
        await Actions.EnableHardwareMfaDeviceAsync(fixedUser.UserName, "GAHT-E2E-0001");
        await Actions.DeleteLoginProfileAsync(passwordRemoved.UserName);
        var hardware = Account.FindUser(deleted.UserName)!.MfaDevices.Single(d => d.Kind == MfaDeviceKind.Hardware);
        await Actions.DeactivateMfaDeviceAsync(deleted.UserName, hardware.SerialNumber);
        await Actions.DeleteLoginProfileAsync(deleted.UserName);
        await Actions.DeleteUserAsync(deleted.UserName);
        var second = await function.InvokeAsync(ScheduledEvent(policy));

        Assert.True(second.Succeeded, second.ToString());
        var expected = policy.ExpectedById(users);
        expected[fixedUser.UserId] = Verdict.Compliant;
        expected[passwordRemoved.UserId] = Verdict.NotApplicable;
        expected[deleted.UserId] = Verdict.NotApplicable;
        VerdictAssert.Exactly(expected, StoredResults());
        AssertOneFindingPerUserMatchingConfig(expected);
        var after = Hub.Findings.ToDictionary(f => f.UserId!, StringComparer.Ordinal);
        Assert.Equal(before.Count, after.Count);
        Assert.All(after.Values, f => Assert.Equal(2, f.Versions));
        Assert.All(after, pair => Assert.True(pair.Value.UpdatedAt > before[pair.Key].UpdatedAt, $"{pair.Key} was not updated"));
        Assert.Equal(("FAILED", "PASSED"), (before[fixedUser.UserId].ComplianceStatus, after[fixedUser.UserId].ComplianceStatus));
        Assert.Equal(("ACTIVE", "ARCHIVED"), (before[passwordRemoved.UserId].RecordState, after[passwordRemoved.UserId].RecordState));
        Assert.Equal(("ACTIVE", "ARCHIVED"), (before[deleted.UserId].RecordState, after[deleted.UserId].RecordState));
        Assert.Equal($"IAM user {deleted.UserId} no longer exists", after[deleted.UserId].Title);
        Assert.Equal(before[deleted.UserId].Id, after[deleted.UserId].Id);
    }

    [Fact]
    public async Task ThrottlingAndFailedFindingsStorm_NoConfigVerdictLostAndEveryFindingArrives()
    {
        var users = SeedPopulation(300, seed: 7);
        var policy = RulePolicy.WithExemptions;
        using var throttling = Aws.Faults.Inject("securityhub", "BatchImportFindings", Fault.Throttling(), FaultSchedule.WithProbability(0.4, seed: 31));
        Hub.FailFindings(calls: 3, perCall: 25, errorCode: "InternalException");
        var function = await StartFunctionAsync(extra: Direct);

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        var expected = policy.ExpectedById(users);
        VerdictAssert.Exactly(expected, StoredResults(), NamesById());
        AssertOneFindingPerUserMatchingConfig(expected);
        Assert.True(throttling.TimesFired > 0, "throttling never fired");
        Assert.Equal(75, Hub.Imports.Sum(c => c.Failed.Count));
        var summary = SummaryLine(function, requestId);
        Assert.Equal(300, summary["securityHub"]!["imported"]!.GetValue<int>());
        Assert.Null(summary["securityHubWarning"]);
    }

    [Fact]
    public async Task SecurityHubThrottlingForGood_EveryConfigVerdictStandsAndTheLineWarns()
    {
        var users = SeedPopulation(120, seed: 9);
        var policy = RulePolicy.WithExemptions;
        using var throttling = Aws.Faults.Inject("securityhub", "BatchImportFindings", Fault.Throttling(), FaultSchedule.UntilCleared());
        var function = await StartFunctionAsync(extra: Direct);

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
        Assert.Empty(Hub.Findings);
        var summary = SummaryLine(function, requestId);
        Assert.Equal("WARN", summary["level"]!.GetValue<string>());
        Assert.Contains("TooManyRequestsException", summary["securityHubWarning"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(120, summary["securityHub"]!["failed"]!.GetValue<int>());
    }

    [Fact]
    public async Task SecurityHubNotEnabled_ConfigVerdictsStandAndTheLineSaysWhy()
    {
        var users = SeedPopulation(30);
        var policy = RulePolicy.WithExemptions;
        Hub.Enabled = false;
        var function = await StartFunctionAsync(extra: Direct);

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
        var summary = SummaryLine(function, requestId);
        Assert.Equal("WARN", summary["level"]!.GetValue<string>());
        Assert.Contains($"Security Hub is not enabled in account {Account.AccountId}, Region {Region}", summary["securityHubWarning"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, summary["apiCalls"]!["securityhub:BatchImportFindings"]!.GetValue<int>());
    }

    [Fact]
    public async Task ChangeNotification_DirectFindings_UpdatesThatUsersFindingOnly()
    {
        var users = SeedPopulation(20);
        var policy = RulePolicy.WithExemptions;
        var function = await StartFunctionAsync(extra: Direct);
        Assert.True((await function.InvokeAsync(ScheduledEvent(policy))).Succeeded);
        var bob = First(users, PopulationCase.PasswordWithoutMfa);
        await Actions.EnableHardwareMfaDeviceAsync(bob.UserName, "GAHT-E2E-0002");
        var item = Account.ConfigurationHistory(bob.UserId)[^1];

        var outcome = await function.InvokeAsync(ConfigEvents.Change(item, RuleName, Config.IssueResultToken(RuleName), policy.ParametersJson(), Now));

        Assert.True(outcome.Succeeded, outcome.ToString());
        var findings = Hub.Findings.ToDictionary(f => f.UserId!, StringComparer.Ordinal);
        Assert.Equal(20, findings.Count);
        Assert.Equal(("PASSED", 2), (findings[bob.UserId].ComplianceStatus, findings[bob.UserId].Versions));
        Assert.Equal(19, findings.Values.Count(f => f.Versions == 1));
    }

    [Fact]
    public async Task ScheduledSweep_OptionOff_ImportsNothing()
    {
        SeedPopulation(10);
        var function = await StartFunctionAsync();

        var outcome = await function.InvokeAsync(ScheduledEvent(RulePolicy.WithExemptions));

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Empty(Hub.Imports);
    }
}

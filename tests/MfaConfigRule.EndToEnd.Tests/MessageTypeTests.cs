using MfaConfigRule.Contract;
using AwsDouble.Iam;
using AwsDouble.Population;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// Every message type Config sends, through the real binary as a Lambda runtime, over a population with every case:
/// no password, each MFA kind, no MFA, a fresh password, exemptions by name, path and tag (valid, expired, malformed),
/// deleted users, users changed after the credential report, oversized items.
/// </summary>
public sealed class MessageTypeTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task ScheduledSweep_MixedPopulationOverAHundredUsers_EveryUserGetsTheVerdictItsCaseOwes()
    {
        var users = SeedPopulation(160);
        var policy = RulePolicy.WithExemptions;
        var expected = policy.ExpectedById(users);
        var function = await StartFunctionAsync();

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        VerdictAssert.Exactly(expected, StoredResults(), NamesById());
        var stored = Config.Results(RuleName).ToDictionary(r => r.ResourceId, StringComparer.Ordinal);
        foreach (var user in users)
        {
            if (policy.AnnotationMentions(user.Case) is { } words)
                Assert.Contains(words, stored[user.UserId].Annotation, StringComparison.OrdinalIgnoreCase);
        }
        var calls = Config.Calls().Where(c => !c.TestMode).ToList();
        Assert.All(calls, c => Assert.InRange(c.Evaluations.Count, 1, 100));
        Assert.True(calls.Count >= 2, $"160 evaluations in {calls.Count} PutEvaluations call(s)");
        Assert.Equal(160, calls.Sum(c => c.Evaluations.Count));

        var summary = SummaryLine(function, requestId);
        Assert.Equal(RuleName, summary["rule"]!.GetValue<string>());
        Assert.Equal("ScheduledNotification", summary["messageType"]!.GetValue<string>());
        Assert.Equal(CountsOf(expected.Values), Counts(summary));
        Assert.Equal(160, summary["users"]!.GetValue<int>());
        Assert.True(summary["apiCalls"]!["config:PutEvaluations"]!.GetValue<int>() >= 2);
        Assert.Equal(CountsOf(expected.Values), outcome.Json["counts"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<int>()));
        // The same line is a valid CloudWatch Embedded Metric Format document with the population's head counts.
        Assert.Empty(EmbeddedMetricFormat.Problems(summary));
        var metrics = EmbeddedMetricFormat.Extract(summary);
        double Overall(RuleMetric metric) => Assert.Single(metrics, m => m.Name == metric.Name && m.Dimensions.Count == 0).Value;
        // The default (MFA_RULE_ACCOUNT_METRICS unset): the head counts with no dimension, nothing filed per account.
        Assert.Equal(expected.Values.Count(v => v == Verdict.Compliant), Overall(RuleMetrics.CompliantUsers));
        Assert.Equal(expected.Values.Count(v => v == Verdict.NonCompliant), Overall(RuleMetrics.NonCompliantUsers));
        Assert.Equal(expected.Values.Count(v => v == Verdict.NotApplicable), Overall(RuleMetrics.NotApplicableUsers));
        Assert.DoesNotContain(metrics, m => m.Dimensions.Count > 0);
        Assert.Equal(0, Overall(RuleMetrics.UsersWithoutVerdict));
        Assert.Equal(summary["apiCalls"]!.AsObject().Sum(p => p.Value!.GetValue<int>()), Overall(RuleMetrics.ApiCalls));
        Assert.Equal(summary["durationMs"]!.GetValue<int>(), Overall(RuleMetrics.SweepDuration));
        Assert.All(metrics, m => Assert.Equal(RuleMetrics.Namespace, m.Namespace));
        Assert.Empty(function.NonJsonStdout);
        Assert.Equal(0, await function.StopAsync());
    }

    [Fact]
    public async Task ScheduledSweep_AccountMetricsOn_HeadCountsFiledUnderTheAccountOnly()
    {
        var users = SeedPopulation(24);
        var policy = RulePolicy.WithExemptions;
        var expected = policy.ExpectedById(users);
        var function = await StartFunctionAsync(extra: new Dictionary<string, string> { [RuleMetrics.AccountMetricsVariable] = "true" });

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        var summary = SummaryLine(function, requestId);
        Assert.Empty(EmbeddedMetricFormat.Problems(summary));
        var metrics = EmbeddedMetricFormat.Extract(summary);
        double PerAccount(RuleMetric metric) => Assert.Single(metrics, m => m.Name == metric.Name
            && m.Dimensions.Count == 1 && m.Dimensions[RuleMetrics.AccountDimension] == Account.AccountId).Value;
        Assert.Equal(expected.Values.Count(v => v == Verdict.Compliant), PerAccount(RuleMetrics.CompliantUsers));
        Assert.Equal(expected.Values.Count(v => v == Verdict.NonCompliant), PerAccount(RuleMetrics.NonCompliantUsers));
        Assert.Equal(expected.Values.Count(v => v == Verdict.NotApplicable), PerAccount(RuleMetrics.NotApplicableUsers));
        // Filed per account only, and only the head counts are.
        Assert.Equal(["CompliantUsers", "NonCompliantUsers", "NotApplicableUsers"],
            metrics.Where(m => m.Dimensions.Count > 0).Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(metrics, m => m.Name == RuleMetrics.NonCompliantUsers.Name && m.Dimensions.Count == 0);
        Assert.Equal(0, await function.StopAsync());
    }

    [Fact]
    public async Task ScheduledSweep_UsersChangedAfterTheCredentialReport_VerdictsFollowTheLiveState()
    {
        var users = SeedPopulation(40);
        var policy = RulePolicy.WithExemptions;
        var function = await StartFunctionAsync();
        var first = await function.InvokeAsync(ScheduledEvent(policy));
        Assert.True(first.Succeeded, first.ToString());

        // Changes people make after IAM generated the report the first sweep used (it stays fresh for four hours).
        var virtualUser = First(users, PopulationCase.PasswordWithVirtualMfa);
        var hardwareUser = First(users, PopulationCase.PasswordWithHardwareMfa);
        var noMfa = users.Where(u => u.Case == PopulationCase.PasswordWithoutMfa).Take(2).ToList();
        var noPassword = First(users, PopulationCase.NoPassword);
        await Actions.DeactivateMfaDeviceAsync(virtualUser.UserName, SerialOf(virtualUser));
        await Actions.DeactivateMfaDeviceAsync(hardwareUser.UserName, SerialOf(hardwareUser));
        await Actions.EnableHardwareMfaDeviceAsync(noMfa[0].UserName, "GAHT90000001");
        await Actions.DeleteLoginProfileAsync(noMfa[1].UserName);
        await Actions.CreateLoginProfileAsync(noPassword.UserName);
        await Actions.CreateUserAsync("joiner-after-report");
        await Actions.CreateLoginProfileAsync("joiner-after-report");
        // A new password is invisible in the report; the sweep learns of it from CloudTrail, once CloudTrail has it.
        Aws.Clock.Advance(Account.CloudTrailLag);

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy));
        var second = await pending;

        Assert.True(second.Succeeded, second.ToString());
        var expected = policy.ExpectedById(users);
        expected[virtualUser.UserId] = Verdict.NonCompliant;
        expected[hardwareUser.UserId] = Verdict.NonCompliant;
        expected[noMfa[0].UserId] = Verdict.Compliant;
        expected[noMfa[1].UserId] = Verdict.NotApplicable;
        expected[noPassword.UserId] = Verdict.NonCompliant;
        expected[UserIdOf("joiner-after-report")] = Verdict.NonCompliant;
        VerdictAssert.Exactly(expected, StoredResults(), NamesById());
        var summary = SummaryLine(function, requestId);
        Assert.Equal("credential-report+live", summary["mode"]!.GetValue<string>());
        Assert.True(summary["changedSinceReport"]!.GetValue<int>() >= 1, summary.ToJsonString());
        Assert.Equal(0, await function.StopAsync());
    }

    [Fact]
    public async Task ChangeNotifications_OneUserOfEachCaseDeletedAndOutOfScope_EachGetsItsVerdict()
    {
        var users = SeedPopulation(60);
        var policy = RulePolicy.WithExemptions;
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        var function = await StartFunctionAsync();
        var eachCase = Enum.GetValues<PopulationCase>().Select(kind => First(users, kind)).ToList();
        var others = users.Where(u => u.Case == PopulationCase.PasswordWithoutMfa).Skip(1).Take(2).ToList();
        Assert.Equal(2, others.Count);
        var (deleted, leftScope) = (others[0], others[1]);
        await Actions.DeleteLoginProfileAsync(deleted.UserName);
        await Actions.DeleteUserAsync(deleted.UserName);

        var outcomes = new List<InvocationOutcome>();
        var notifiedAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var user in eachCase)
        {
            notifiedAt[user.UserId] = Now;
            outcomes.Add(await function.InvokeAsync(ConfigEvents.Change(LatestItem(user), RuleName, Config.IssueResultToken(RuleName), policy.ParametersJson(), notifiedAt[user.UserId])));
            expected[user.UserId] = policy.VerdictFor(user.Case);
        }
        var deletion = LatestItem(deleted);
        Assert.Equal("ResourceDeleted", deletion.Status);
        outcomes.Add(await function.InvokeAsync(ConfigEvents.Change(deletion, RuleName, Config.IssueResultToken(RuleName), policy.ParametersJson(), Now)));
        expected[deleted.UserId] = Verdict.NotApplicable;
        outcomes.Add(await function.InvokeAsync(ConfigEvents.Change(LatestItem(leftScope), RuleName, Config.IssueResultToken(RuleName), policy.ParametersJson(), Now, eventLeftScope: true)));
        expected[leftScope.UserId] = Verdict.NotApplicable;

        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.ToString()));
        VerdictAssert.Exactly(expected, StoredResults(), NamesById());
        var stored = Config.Results(RuleName).ToDictionary(r => r.ResourceId, StringComparer.Ordinal);
        foreach (var user in eachCase)
        {
            if (policy.AnnotationMentions(user.Case) is { } words)
                Assert.Contains(words, stored[user.UserId].Annotation, StringComparison.OrdinalIgnoreCase);
            // A change notification's result is ordered by the notification's creation time, never the item's capture time
            // (docs/verdicts.md, "Ordering of evaluations").
            Assert.Equal(notifiedAt[user.UserId], stored[user.UserId].OrderingTimestamp, TimeSpan.FromMilliseconds(1));
        }
        Assert.Equal(0, await function.StopAsync());
    }

    [Fact]
    public async Task OversizedNotifications_ItemFetchedFromConfig_VerdictsAsForTheFullItem()
    {
        var users = SeedPopulation(30);
        var policy = RulePolicy.WithExemptions;
        var function = await StartFunctionAsync();
        PopulationCase[] cases = [PopulationCase.PasswordWithVirtualMfa, PopulationCase.PasswordWithoutMfa, PopulationCase.ExemptByValidTag, PopulationCase.ExemptByPath, PopulationCase.NoPassword];
        var chosen = cases.Select(kind => First(users, kind)).ToList();

        foreach (var user in chosen)
        {
            var outcome = await function.InvokeAsync(ConfigEvents.Oversized(LatestItem(user), RuleName, Config.IssueResultToken(RuleName), policy.ParametersJson(), Now));
            Assert.True(outcome.Succeeded, outcome.ToString());
        }

        VerdictAssert.Exactly(chosen.ToDictionary(u => u.UserId, u => policy.VerdictFor(u.Case)), StoredResults(), NamesById());
        Assert.Equal(0, await function.StopAsync());
    }

    [Fact]
    public async Task ScheduledSweep_FidoOnlyAndNoPasswordCompliant_VirtualAndHardwareDoNotCount()
    {
        var users = SeedPopulation(60, seed: 7);
        var policy = new RulePolicy { FidoOnly = true, NoPasswordCompliant = true };
        var function = await StartFunctionAsync();

        var outcome = await function.InvokeAsync(ScheduledEvent(policy));

        Assert.True(outcome.Succeeded, outcome.ToString());
        VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
        var stored = Config.Results(RuleName).ToDictionary(r => r.ResourceId, StringComparer.Ordinal);
        Assert.Contains("FIDO", stored[First(users, PopulationCase.PasswordWithVirtualMfa).UserId].Annotation, StringComparison.Ordinal);
        Assert.Equal(0, await function.StopAsync());
    }

    [Fact]
    public async Task ScheduledSweep_TestModeToken_SendsEveryVerdictInTestModeAndStoresNothing()
    {
        var users = SeedPopulation(120);
        var policy = RulePolicy.WithExemptions;
        var function = await StartFunctionAsync();

        var outcome = await function.InvokeAsync(ScheduledEvent(policy, ConfigEvents.TestModeToken));

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Empty(Config.Results(RuleName));
        var calls = Config.Calls();
        Assert.All(calls, c => Assert.True(c.TestMode));
        VerdictAssert.Exactly(policy.ExpectedById(users), VerdictAssert.Of(calls.SelectMany(c => c.Evaluations)), NamesById());
        Assert.Equal(0, await function.StopAsync());
    }

    private AwsDouble.Config.ConfigurationItemRecord LatestItem(SeededUser user) => Account.ConfigurationHistory(user.UserId)[^1];

    private string SerialOf(SeededUser user) =>
        Account.FindUser(user.UserName)!.MfaDevices.Single(d => d.Kind is MfaDeviceKind.Virtual or MfaDeviceKind.Hardware).SerialNumber;
}

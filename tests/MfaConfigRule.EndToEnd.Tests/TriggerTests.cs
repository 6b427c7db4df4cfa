using MfaConfigRule.Contract;
using AwsDouble.Faults;
using AwsDouble.Iam;
using AwsDouble.Population;
using AwsDouble.Protocol;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// The <c>trigger</c> entry: an IAM change arrives from EventBridge, and the trigger asks Config to re-run the rule at
/// once, or, for a deleted password (the one change the sweep learns from CloudTrail), once CloudTrail's history shows it.
/// </summary>
public sealed class TriggerTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task Trigger_NewPasswordNotYetInCloudTrail_StartsAtOnceAndTheReRunSeesTheChange()
    {
        // The sweep checks live every password the report says is absent, so nothing waits for CloudTrail: the trigger
        // adds one StartConfigRulesEvaluation call and no wait between the IAM call and the start.
        var users = SeedPopulation(20);
        var policy = RulePolicy.WithExemptions;
        var evaluate = await StartFunctionAsync();
        var trigger = await StartFunctionAsync("trigger", new Dictionary<string, string> { ["CONFIG_RULE_NAME"] = RuleName });
        var baseline = await evaluate.InvokeAsync(ScheduledEvent(policy));
        Assert.True(baseline.Succeeded, baseline.ToString());
        var user = First(users, PopulationCase.NoPassword);
        await Actions.CreateLoginProfileAsync(user.UserName);
        var change = Account.CloudTrailEvents[^1];
        Assert.Equal("CreateLoginProfile", change.EventName);
        using var lookups = Aws.Faults.Inject(AwsServiceNames.CloudTrail, "LookupEvents", Fault.Latency(TimeSpan.Zero), FaultSchedule.UntilCleared());
        var reRun = new TaskCompletionSource<Task<InvocationOutcome>>(TaskCreationOptions.RunContinuationsAsynchronously);
        DateTimeOffset? startedAt = null;
        Config.EvaluationStarted += (_, _) =>
        {
            startedAt ??= Now;
            reRun.TrySetResult(evaluate.Enqueue(ScheduledEvent(policy)).Outcome);
        };
        var calledAt = Now;

        var (requestId, pending) = trigger.Enqueue(IamEvents.For(change));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal("started a re-evaluation", outcome.Json["action"]!.GetValue<string>());
        // The double's clock runs with real time; nothing waits, so what is left is the process's own work.
        var added = startedAt!.Value - calledAt;
        Output.WriteLine($"trigger: from the IAM call to StartConfigRulesEvaluation on the double's clock: {added.TotalMilliseconds:0} ms");
        Assert.True(added < TimeSpan.FromSeconds(5), $"the trigger took {added} to start");
        Assert.Equal(0, lookups.TimesFired);
        Assert.Single(Config.Starts());
        var evaluation = await (await reRun.Task);
        Assert.True(evaluation.Succeeded, evaluation.ToString());
        var expected = policy.ExpectedById(users);
        expected[user.UserId] = Verdict.NonCompliant;
        VerdictAssert.Exactly(expected, StoredResults(), NamesById());
        var summary = SummaryLine(trigger, requestId);
        Assert.Equal("CreateLoginProfile", summary["eventName"]!.GetValue<string>());
        Assert.Equal(user.UserName, summary["user"]!.GetValue<string>());
        var started = Assert.Single(EmbeddedMetricFormat.Extract(summary));
        Assert.Equal((RuleMetrics.Namespace, RuleMetrics.ReevaluationsStarted.Name, 1.0, 0), (started.Namespace, started.Name, started.Value, started.Dimensions.Count));
        Assert.Equal(0, await trigger.StopAsync());
    }

    [Fact]
    public async Task Trigger_PasswordDeletedNotYetInCloudTrail_WaitsUntilVisibleThenTheReRunSeesTheChange()
    {
        // The one change the sweep learns from CloudTrail: without the wait the re-run would keep the user COMPLIANT.
        var users = SeedPopulation(20);
        var policy = RulePolicy.WithExemptions;
        var evaluate = await StartFunctionAsync();
        var trigger = await StartFunctionAsync("trigger", new Dictionary<string, string> { ["CONFIG_RULE_NAME"] = RuleName });
        var baseline = await evaluate.InvokeAsync(ScheduledEvent(policy));
        Assert.True(baseline.Succeeded, baseline.ToString());
        var user = First(users, PopulationCase.PasswordWithVirtualMfa);
        await Actions.DeleteLoginProfileAsync(user.UserName);
        var change = Account.CloudTrailEvents[^1];
        Assert.Equal("DeleteLoginProfile", change.EventName);
        using var lookups = Aws.Faults.Inject(AwsServiceNames.CloudTrail, "LookupEvents", Fault.Latency(TimeSpan.Zero), FaultSchedule.UntilCleared());
        var reRun = new TaskCompletionSource<Task<InvocationOutcome>>(TaskCreationOptions.RunContinuationsAsynchronously);
        Config.EvaluationStarted += (_, _) => reRun.TrySetResult(evaluate.Enqueue(ScheduledEvent(policy)).Outcome);

        var (_, pending) = trigger.Enqueue(IamEvents.For(change));
        await WaitUntilAsync(() => lookups.TimesFired >= 1, TimeSpan.FromMinutes(1), "the trigger's first CloudTrail lookup");
        Assert.Empty(Config.Starts());
        Aws.Clock.Advance(Account.CloudTrailLag);
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal("started a re-evaluation", outcome.Json["action"]!.GetValue<string>());
        Assert.True(lookups.TimesFired >= 2, $"{lookups.TimesFired} lookup(s)");
        var evaluation = await (await reRun.Task);
        Assert.True(evaluation.Succeeded, evaluation.ToString());
        var expected = policy.ExpectedById(users);
        expected[user.UserId] = Verdict.NotApplicable;
        VerdictAssert.Exactly(expected, StoredResults(), NamesById());
        Assert.Equal(0, await trigger.StopAsync());
    }

    [Fact]
    public async Task Trigger_EventsThatChangeNothingAndABrokenEvent_IgnoredOrRefusedAndTheLoopGoesOn()
    {
        var users = SeedPopulation(5);
        var trigger = await StartFunctionAsync("trigger", new Dictionary<string, string> { ["CONFIG_RULE_NAME"] = RuleName });
        var virtualUser = First(users, PopulationCase.PasswordWithVirtualMfa);
        await Actions.DeactivateMfaDeviceAsync(virtualUser.UserName, Account.FindUser(virtualUser.UserName)!.MfaDevices.Single(d => d.Kind == MfaDeviceKind.Virtual).SerialNumber);
        var record = Account.CloudTrailEvents[^1];

        var failedCall = await trigger.InvokeAsync(IamEvents.Edited(record, d => { d["errorCode"] = "AccessDenied"; d["errorMessage"] = "not authorized"; }));
        var readOnly = await trigger.InvokeAsync(IamEvents.Edited(record, d => d["eventName"] = "GetUser"));
        var broken = await trigger.InvokeAsync("""{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.iam"}""");
        // A tag change can lift or end an exemption; it is not one the sweep needs CloudTrail for, so no wait.
        var tagged = await trigger.InvokeAsync(IamEvents.Edited(record, d => { d["eventName"] = "TagUser"; d["eventID"] = Guid.NewGuid().ToString(); }));

        Assert.True(failedCall.Succeeded, failedCall.ToString());
        Assert.StartsWith("ignored", failedCall.Json["action"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("AccessDenied", failedCall.Json["action"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("ignored", readOnly.Json["action"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(broken.Succeeded);
        Assert.Equal("InvalidEvent", broken.ErrorType);
        Assert.Contains("detail", broken.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("started a re-evaluation", tagged.Json["action"]!.GetValue<string>());
        Assert.Single(Config.Starts());
        Assert.Equal(0, await trigger.StopAsync());
    }

    [Fact]
    public async Task Trigger_WithoutTheRuleName_ReportsAnInitializationErrorNamingTheSetting()
    {
        var trigger = await StartFunctionAsync("trigger");

        var error = await trigger.RuntimeApi.InitializationError.WaitAsync(LambdaFunction.OutcomeWait);

        Assert.Equal("Runtime.InvalidConfiguration", error.ErrorType);
        Assert.Contains("CONFIG_RULE_NAME", error.ErrorMessage, StringComparison.Ordinal);
    }
}

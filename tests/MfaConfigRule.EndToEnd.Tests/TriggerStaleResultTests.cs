using AwsDouble;
using AwsDouble.Faults;
using AwsDouble.Iam;
using AwsDouble.Population;
using AwsDouble.Protocol;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// The account's own trigger against a result that looks newer than the change but has not seen it: an evaluation
/// Config invoked before the IAM change (someone pressed "Re-evaluate") records its results only after the trigger has
/// seen the change, and Config says the result's <c>ConfigRuleInvokedTime</c> is when it was recorded (the
/// <c>invoked-time=recorded</c> switch). The trigger, refused while that evaluation runs, must not take the stale result
/// as covering the change: it starts a re-evaluation. The Organization's central trigger meets the same order in
/// <see cref="BehaviourMatrixTests"/>; this one is apart because the single-account trigger waits its retry interval, a
/// real minute, in process (its own class, so it runs beside <see cref="TriggerLimitTests"/>, not after it).
/// </summary>
public sealed class TriggerStaleResultTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task Trigger_ResultInvokedBeforeTheChangeAndRecordedAfterIt_IsNotTakenAsCoveringAndAReevaluationStarts()
    {
        Aws.State.Behaviours = AwsBehaviours.Today.With("invoked-time", "recorded");
        var users = SeedPopulation(10);
        var policy = RulePolicy.WithExemptions;
        Account.CloudTrailLag = TimeSpan.Zero;
        var evaluate = await StartFunctionAsync();
        var trigger = await StartFunctionAsync("trigger", new Dictionary<string, string> { ["CONFIG_RULE_NAME"] = RuleName });
        Assert.True((await evaluate.InvokeAsync(ScheduledEvent(policy))).Succeeded);
        Config.AgeResults(RuleName, TimeSpan.FromDays(1));

        // Someone pressed "Re-evaluate": Config is busy for five minutes, and it invokes the rule now, which reads IAM
        // now: every user as yesterday. Its results reach Config later (below).
        Config.EvaluationDuration = TimeSpan.FromMinutes(5);
        Assert.True((await Actions.StartConfigRulesEvaluationAsync(RuleName)).Started);
        var staleToken = Config.IssueResultToken(RuleName, periodic: true);
        var notified = Now;
        var read = Config.Results(RuleName).Select(r => (r.ResourceType, r.ResourceId, r.ComplianceType, notified)).ToList();

        using var starts = Aws.Faults.Inject(AwsServiceNames.Config, "StartConfigRulesEvaluation", Fault.Latency(TimeSpan.Zero), FaultSchedule.UntilCleared());
        var user = First(users, PopulationCase.PasswordWithVirtualMfa);
        await Actions.DeactivateMfaDeviceAsync(user.UserName, Account.FindUser(user.UserName)!.MfaDevices.Single(d => d.Kind == MfaDeviceKind.Virtual).SerialNumber);
        var (requestId, pending) = trigger.Enqueue(IamEvents.For(Account.CloudTrailEvents[^1]));
        await WaitUntilAsync(() => starts.TimesFired >= 1, TimeSpan.FromMinutes(1), "the trigger's start, refused with LimitExceeded");

        // The trigger has seen the change (it looks for the event in CloudTrail before it asks). Now the stale run's
        // results arrive, and its evaluation ends.
        await Actions.PutEvaluationsAsync(staleToken, read);
        Assert.True(Config.Results(RuleName).Single(r => r.ResourceId == user.UserId).ConfigRuleInvokedTime > notified);
        Config.EvaluationDuration = TimeSpan.Zero;
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal("started a re-evaluation", outcome.Json["action"]!.GetValue<string>());
        Assert.Equal(2, starts.TimesFired);
        Assert.Equal(2, Config.Starts().Count);
        // Config's part: the trigger's evaluation invokes the rule, which reads the change.
        Assert.True((await evaluate.InvokeAsync(ScheduledEvent(policy))).Succeeded);
        var expected = policy.ExpectedById(users);
        expected[user.UserId] = Verdict.NonCompliant;
        VerdictAssert.Exactly(expected, StoredResults(), NamesById());
        Assert.Equal("DeactivateMFADevice", SummaryLine(trigger, requestId)["eventName"]!.GetValue<string>());
        Assert.Equal(0, await trigger.StopAsync());
    }
}

using AwsDouble.Faults;
using AwsDouble.Iam;
using AwsDouble.Population;
using AwsDouble.Protocol;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// StartConfigRulesEvaluation refused with LimitExceededException (an evaluation in progress, or one started within
/// the minute): the trigger waits its minute and, before asking again, reads the rule's result for the changed user
/// (GetComplianceDetailsByResource); it stops once that result comes from an invocation after the change became
/// visible. Slow by nature: the trigger's retry interval is a real minute.
/// </summary>
public sealed class TriggerLimitTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task Trigger_EvaluationAlreadyRunning_StopsWhenTheUsersResultComesFromALaterInvocation()
    {
        var users = SeedPopulation(10);
        var policy = RulePolicy.WithExemptions;
        Account.CloudTrailLag = TimeSpan.Zero;
        Config.EvaluationDuration = TimeSpan.FromMinutes(5);
        var evaluate = await StartFunctionAsync();
        var trigger = await StartFunctionAsync("trigger", new Dictionary<string, string> { ["CONFIG_RULE_NAME"] = RuleName });
        using var starts = Aws.Faults.Inject(AwsServiceNames.Config, "StartConfigRulesEvaluation", Fault.Latency(TimeSpan.Zero), FaultSchedule.UntilCleared());
        using var coverageReads = Aws.Faults.Inject(AwsServiceNames.Config, "GetComplianceDetailsByResource", Fault.Latency(TimeSpan.Zero), FaultSchedule.UntilCleared());
        using var userReads = Aws.Faults.Inject(AwsServiceNames.Iam, "GetUser", Fault.Latency(TimeSpan.Zero), FaultSchedule.UntilCleared());
        var user = First(users, PopulationCase.PasswordWithVirtualMfa);
        await Actions.DeactivateMfaDeviceAsync(user.UserName, Account.FindUser(user.UserName)!.MfaDevices.Single(d => d.Kind == MfaDeviceKind.Virtual).SerialNumber);
        // Someone pressed "Re-evaluate" a moment ago: Config is busy with it for the next five minutes.
        Assert.True((await Actions.StartConfigRulesEvaluationAsync(RuleName)).Started);

        var (requestId, pending) = trigger.Enqueue(IamEvents.For(Account.CloudTrailEvents[^1]));
        await WaitUntilAsync(() => starts.TimesFired >= 2, TimeSpan.FromMinutes(1), "the trigger's start, refused with LimitExceeded");
        // Config's part: that evaluation invokes the function now, after the change became visible (the result token's
        // issue time is the invocation time the double records), and it reports every user.
        var evaluation = await evaluate.InvokeAsync(ScheduledEvent(policy));
        Assert.True(evaluation.Succeeded, evaluation.ToString());
        Assert.False(pending.IsCompleted);
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.StartsWith("covered by the evaluation invoked at", outcome.Json["action"]!.GetValue<string>(), StringComparison.Ordinal);
        // The refused start and no other: the evaluation that covered the change is not repeated.
        Assert.Equal(2, starts.TimesFired);
        Assert.Single(Config.Starts());
        Assert.Equal(1, coverageReads.TimesFired);
        Assert.Equal(1, userReads.TimesFired);
        var expected = policy.ExpectedById(users);
        expected[user.UserId] = Verdict.NonCompliant;
        VerdictAssert.Exactly(expected, StoredResults(), NamesById());
        Assert.Equal("DeactivateMFADevice", SummaryLine(trigger, requestId)["eventName"]!.GetValue<string>());
        Assert.Equal(0, await trigger.StopAsync());
    }
}

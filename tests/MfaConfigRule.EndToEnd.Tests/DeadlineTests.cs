using AwsDouble.Faults;
using AwsDouble.Protocol;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// An invocation whose Lambda deadline comes before the sweep can finish (IAM answering slowly): it must end with a
/// clear error that names what was left undone, and whatever it did write must be right.
/// </summary>
public sealed class DeadlineTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task ScheduledSweep_IamTooSlowForTheDeadline_FailsNamingTheUsersLeftAndWritesNothingWrong()
    {
        var users = SeedPopulation(200, seed: 9);
        var policy = RulePolicy.WithExemptions;
        // Every live read now takes 3 s: some 80 users need one, 8 at a time, some 30 s in all. The sweep may use 10 of the
        // 20 s (the rest is kept for PutEvaluations), ample for the account-wide reads even on a loaded machine.
        Aws.Faults.Inject(AwsServiceNames.Iam, "GetLoginProfile", Fault.Latency(TimeSpan.FromSeconds(3)), FaultSchedule.UntilCleared());
        var function = await StartFunctionAsync();

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy), timeout: TimeSpan.FromSeconds(20));
        var outcome = await pending;

        Assert.False(outcome.Succeeded, outcome.ToString());
        Assert.Equal("EvaluationIncomplete", outcome.ErrorType);
        Assert.Contains("got no verdict", outcome.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("deadline", outcome.ErrorMessage, StringComparison.Ordinal);
        VerdictAssert.NothingWrong(policy.ExpectedById(users), StoredResults(), NamesById());
        var stored = Config.Results(RuleName).Count;
        Assert.InRange(stored, 1, users.Count - 1);
        var summary = SummaryLine(function, requestId);
        Assert.Equal("ERROR", summary["level"]!.GetValue<string>());
        Assert.Equal(users.Count - stored, summary["noVerdict"]!.GetValue<int>());
        Assert.False(function.HasExited);
    }

    [Fact]
    public async Task ScheduledSweep_DeadlineSecondsAway_FailsWithAClearErrorAndWritesNothing()
    {
        SeedPopulation(50);
        Aws.Faults.Inject(AwsServiceNames.Iam, null, Fault.Latency(TimeSpan.FromSeconds(1)), FaultSchedule.UntilCleared());
        var function = await StartFunctionAsync();

        var outcome = await function.InvokeAsync(ScheduledEvent(RulePolicy.WithExemptions), timeout: TimeSpan.FromSeconds(6));

        Assert.False(outcome.Succeeded, outcome.ToString());
        Assert.Equal("EvaluationIncomplete", outcome.ErrorType);
        Assert.Contains("ran out of time", outcome.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("Lambda deadline", outcome.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(Config.Results(RuleName));
        Assert.False(function.HasExited);
    }
}

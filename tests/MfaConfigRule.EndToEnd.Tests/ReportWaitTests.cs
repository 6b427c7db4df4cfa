using System.Diagnostics;
using AwsDouble;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// A 60-second function against an IAM whose credential report generation never finishes (the double's
/// <c>report-never-completes</c> behaviour). The fixed 60 s wait used to outlive the sweep's 50 s budget, so nobody was
/// evaluated; the wait now leaves the live reads their time, and every user is evaluated live and correctly.
/// </summary>
public sealed class ReportWaitTests(ITestOutputHelper output) : EndToEndTest(output)
{
    internal override AwsDoubleOptions DoubleOptions => base.DoubleOptions with
    {
        Behaviours = AwsBehaviours.Today with { CloudTrailDelay = base.DoubleOptions.CloudTrailLag, CredentialReportNeverCompletes = true },
    };

    [Fact]
    public async Task ScheduledSweep_SixtySecondFunctionAndAReportThatNeverFinishes_EveryUserEvaluatedLiveBeforeTheDeadline()
    {
        // 700 users, read 8 at a time at the assumed 0.5 s a user: about 44 s of live reads, so of the sweep's ~50 s only
        // a few may go to waiting for the report (none at all if this machine's IAM calls are slow enough to raise the cost).
        var users = SeedPopulation(700, seed: 18);
        var policy = RulePolicy.WithExemptions;
        var function = await StartFunctionAsync();
        var clock = Stopwatch.StartNew();

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy), timeout: TimeSpan.FromSeconds(60));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the invocation took {clock.Elapsed}");
        VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
        var summary = SummaryLine(function, requestId);
        Assert.Equal("live", summary["mode"]!.GetValue<string>());
        var warning = Assert.Single(summary["warnings"]!.AsArray().Select(w => w!.GetValue<string>()), w => w.StartsWith("credential report not ready", StringComparison.Ordinal));
        Assert.True(
            warning.Contains("not the configured 60 s", StringComparison.Ordinal) || warning.Contains("no time to wait", StringComparison.Ordinal),
            $"the report wait was not fitted to the deadline: {warning}");
    }
}

using AwsDouble.Faults;
using AwsDouble.Protocol;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// A sweep of well over a thousand users while IAM, CloudTrail and Config throttle, fail with 5xx bursts, drop
/// connections and lag. The fault rates are chosen so that the rule's retries (8 attempts, full jitter) get through:
/// the claim under test is that then every verdict is right, none is missing, and none is wrongly COMPLIANT.
/// </summary>
public sealed class FaultStormTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task LiveSweepOf1200Users_ThrottlingStormDroppedConnectionsAnd5xxBursts_EveryVerdictRight()
    {
        var users = SeedPopulation(1200, seed: 3);
        var policy = RulePolicy.WithExemptions;
        // A role without iam:GetCredentialReport: the rule reads all 1,200 users live, two or three calls each.
        Aws.Faults.Inject(AwsServiceNames.Iam, "GetCredentialReport", Fault.Error(403, "AccessDenied", "not authorized to perform iam:GetCredentialReport"), FaultSchedule.UntilCleared());
        var storm = new[]
        {
            Aws.Faults.Inject(AwsServiceNames.Iam, null, Fault.Throttling(), FaultSchedule.WithProbability(0.1, seed: 11)),
            Aws.Faults.Inject(AwsServiceNames.Iam, null, Fault.DropConnection(), FaultSchedule.WithProbability(0.01, seed: 12)),
            Aws.Faults.Inject(AwsServiceNames.Config, "PutEvaluations", Fault.Throttling(), FaultSchedule.WithProbability(0.3, seed: 13)),
            Aws.Faults.Inject(AwsServiceNames.Config, "PutEvaluations", Fault.ServerError(503), FaultSchedule.NextCalls(2)),
            Aws.Faults.Inject(AwsServiceNames.Config, "GetComplianceDetailsByConfigRule", Fault.Throttling(), FaultSchedule.WithProbability(0.3, seed: 14)),
        };
        var function = await StartFunctionAsync();
        using var sweepDone = new CancellationTokenSource();

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy));
        var bursts = InjectBurstsWhileRunning(sweepDone.Token);
        var outcome = await pending;
        await sweepDone.CancelAsync();
        var burstHandles = await bursts;

        Assert.True(outcome.Succeeded, outcome.ToString());
        VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
        Assert.All(storm, fault => Assert.True(fault.TimesFired > 0, $"{fault.Service} {fault.Operation} {fault.Fault} never fired"));
        Assert.True(burstHandles.Count(b => b.TimesFired > 0) >= 2, $"5xx bursts fired: {string.Join(", ", burstHandles.Select(b => b.TimesFired))}");
        var summary = SummaryLine(function, requestId);
        Assert.Equal("live", summary["mode"]!.GetValue<string>());
        Assert.Equal(1200, summary["users"]!.GetValue<int>());
        Output.WriteLine($"storm: {summary.ToJsonString()}");
    }

    [Fact]
    public async Task ReportSweepOf1000Users_ThrottlingAcrossIamCloudTrailAndConfig_EveryVerdictRight()
    {
        var users = SeedPopulation(1000, seed: 5);
        var policy = RulePolicy.WithExemptions;
        var storm = new[]
        {
            Aws.Faults.Inject(AwsServiceNames.Iam, null, Fault.Throttling(), FaultSchedule.WithProbability(0.1, seed: 21)),
            Aws.Faults.Inject(AwsServiceNames.Iam, null, Fault.ServerError(500), FaultSchedule.WithProbability(0.03, seed: 22)),
            // Only six lookups (one per event name): a burst, so that it surely meets them.
            Aws.Faults.Inject(AwsServiceNames.CloudTrail, "LookupEvents", Fault.Throttling(), FaultSchedule.NextCalls(4)),
            Aws.Faults.Inject(AwsServiceNames.Config, null, Fault.Throttling(), FaultSchedule.WithProbability(0.2, seed: 24)),
            Aws.Faults.Inject(AwsServiceNames.Iam, null, Fault.Latency(TimeSpan.FromMilliseconds(50)), FaultSchedule.WithProbability(0.05, seed: 25)),
        };
        var function = await StartFunctionAsync();

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
        Assert.All(storm, fault => Assert.True(fault.TimesFired > 0, $"{fault.Service} {fault.Operation} {fault.Fault} never fired"));
        var summary = SummaryLine(function, requestId);
        Assert.Equal(1000, summary["users"]!.GetValue<int>());
        Output.WriteLine($"storm: {summary.ToJsonString()}");
    }

    /// <summary>
    /// 5xx bursts spread over the sweep: twenty failures in a row on one per-user operation, a short calm, the next one,
    /// until the sweep ends. Returns the bursts injected.
    /// </summary>
    private async Task<List<FaultHandle>> InjectBurstsWhileRunning(CancellationToken sweepDone)
    {
        string[] operations = ["GetLoginProfile", "ListMFADevices", "ListUserTags"];
        var bursts = new List<FaultHandle>();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                var burst = Aws.Faults.Inject(AwsServiceNames.Iam, operations[i % operations.Length], Fault.ServerError(i % 2 == 0 ? 500 : 503), FaultSchedule.NextCalls(20));
                bursts.Add(burst);
                while (burst.TimesFired < 20) await Task.Delay(TimeSpan.FromMilliseconds(20), sweepDone);
                await Task.Delay(TimeSpan.FromMilliseconds(250), sweepDone);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return bursts;
    }
}

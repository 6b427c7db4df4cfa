using AwsDouble;
using AwsDouble.Iam;
using AwsDouble.Population;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// Issue 18's defect through the real binary: a change notification Config replays carries the user's last configuration
/// item, weeks old for an MFA change (which creates no item). Its live verdict must replace yesterday's sweep result
/// whichever ordering rule Config applies (docs/verdicts.md, "Ordering of evaluations").
/// </summary>
public sealed class OrderingTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Theory]
    [InlineData(EvaluationOrdering.NewestOrderingTimestampWins)]
    [InlineData(EvaluationOrdering.LastWriteWins)]
    public async Task ReplayedChange_ItemCapturedSixtyDaysAgo_ReplacesYesterdaysCompliantResult(EvaluationOrdering ordering)
    {
        Aws.State.Behaviours = AwsBehaviours.Today with { Ordering = ordering };
        var users = SeedPopulation(8);
        var policy = RulePolicy.WithExemptions;
        var alice = First(users, PopulationCase.PasswordWithVirtualMfa);
        var function = await StartFunctionAsync();
        var sweep = await function.InvokeAsync(ConfigEvents.Scheduled(RuleName, Config.IssueResultToken(RuleName, periodic: true), policy.ParametersJson(), Now));
        Assert.True(sweep.Succeeded, sweep.ToString());
        Config.AgeResults(RuleName, TimeSpan.FromDays(1));
        Assert.Equal(Verdict.Compliant, Config.Results(RuleName).Single(r => r.ResourceId == alice.UserId).ComplianceType);
        await Actions.DeactivateMfaDeviceAsync(alice.UserName, Account.FindUser(alice.UserName)!.MfaDevices.Single(d => d.Kind == MfaDeviceKind.Virtual).SerialNumber);
        Aws.Clock.Advance(TimeSpan.FromHours(1));
        var item = Account.ConfigurationHistory(alice.UserId)[^1] with { CaptureTime = Now.AddDays(-60) };
        var notified = Now;

        var outcome = await function.InvokeAsync(ConfigEvents.Change(item, RuleName, Config.IssueResultToken(RuleName), policy.ParametersJson(), notified));

        Assert.True(outcome.Succeeded, outcome.ToString());
        var held = Config.Results(RuleName).Single(r => r.ResourceId == alice.UserId);
        Assert.Equal(Verdict.NonCompliant, held.ComplianceType);
        Assert.Equal(notified, held.OrderingTimestamp, TimeSpan.FromMilliseconds(1));
    }
}

using AwsDouble.Faults;
using AwsDouble.Iam;
using AwsDouble.Population;
using AwsDouble.Protocol;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>What reaches Config: evaluations Config hands back in FailedEvaluations, and users deleted since the last run.</summary>
public sealed class ReportingTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task ScheduledSweep_ConfigFailsPartOfTwoBatches_FailedEvaluationsAreSentAgainAndAllArrive()
    {
        var users = SeedPopulation(150);
        var policy = RulePolicy.WithExemptions;
        using var partial = Aws.Faults.Inject(AwsServiceNames.Config, "PutEvaluations", Fault.FailEvaluations(7), FaultSchedule.NextCalls(2));
        var function = await StartFunctionAsync();

        var outcome = await function.InvokeAsync(ScheduledEvent(policy));

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(2, partial.TimesFired);
        VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
        var calls = Config.Calls().Where(c => !c.TestMode).ToList();
        var refused = calls.SelectMany(c => c.Failed).Select(e => e.ComplianceResourceId).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(14, refused.Count);
        Assert.Contains(calls.Skip(2), c => c.Evaluations.Select(e => e.ComplianceResourceId).ToHashSet(StringComparer.Ordinal).SetEquals(refused));
    }

    [Fact]
    public async Task ScheduledSweep_ConfigKeepsRefusingSomeEvaluations_FailsNamingThemAndWritesNothingWrong()
    {
        var users = SeedPopulation(40);
        var policy = RulePolicy.WithExemptions;
        using var refusing = Aws.Faults.Inject(AwsServiceNames.Config, "PutEvaluations", Fault.FailEvaluations(3), FaultSchedule.UntilCleared());
        var function = await StartFunctionAsync();

        var outcome = await function.InvokeAsync(ScheduledEvent(policy));

        Assert.False(outcome.Succeeded, outcome.ToString());
        Assert.Equal("EvaluationIncomplete", outcome.ErrorType);
        Assert.Contains("refused by PutEvaluations", outcome.ErrorMessage, StringComparison.Ordinal);
        var neverStored = Config.Calls()[^1].Failed.Select(e => e.ComplianceResourceId).ToList();
        Assert.Equal(3, neverStored.Count);
        Assert.All(neverStored, id => Assert.Contains(id, outcome.ErrorMessage, StringComparison.Ordinal));
        var expected = policy.ExpectedById(users);
        VerdictAssert.NothingWrong(expected, StoredResults(), NamesById());
        Assert.Equal(expected.Count - 3, Config.Results(RuleName).Count);
        Assert.False(function.HasExited);
    }

    [Fact]
    public async Task ScheduledSweep_UsersDeletedSinceTheLastRun_TheirResultsBecomeNotApplicable()
    {
        var users = SeedPopulation(30);
        var policy = RulePolicy.WithExemptions;
        var function = await StartFunctionAsync();
        var first = await function.InvokeAsync(ScheduledEvent(policy));
        Assert.True(first.Succeeded, first.ToString());
        var nonCompliant = First(users, PopulationCase.PasswordWithoutMfa);
        var compliant = First(users, PopulationCase.PasswordWithHardwareMfa);
        var hardware = Account.FindUser(compliant.UserName)!.MfaDevices.Single(d => d.Kind == MfaDeviceKind.Hardware);
        await Actions.DeleteLoginProfileAsync(nonCompliant.UserName);
        await Actions.DeleteUserAsync(nonCompliant.UserName);
        await Actions.DeactivateMfaDeviceAsync(compliant.UserName, hardware.SerialNumber);
        await Actions.DeleteLoginProfileAsync(compliant.UserName);
        await Actions.DeleteUserAsync(compliant.UserName);

        var (requestId, pending) = function.Enqueue(ScheduledEvent(policy));
        var second = await pending;

        Assert.True(second.Succeeded, second.ToString());
        var expected = policy.ExpectedById(users);
        expected[nonCompliant.UserId] = Verdict.NotApplicable;
        expected[compliant.UserId] = Verdict.NotApplicable;
        VerdictAssert.Exactly(expected, StoredResults());
        var stored = Config.Results(RuleName).ToDictionary(r => r.ResourceId, StringComparer.Ordinal);
        Assert.Contains("no longer exists", stored[nonCompliant.UserId].Annotation, StringComparison.Ordinal);
        Assert.Contains("no longer exists", stored[compliant.UserId].Annotation, StringComparison.Ordinal);
        Assert.Equal(2, SummaryLine(function, requestId)["vanishedUsers"]!.GetValue<int>());
    }
}

using AwsDouble.Faults;
using AwsDouble.Iam;
using AwsDouble.Population;
using AwsDouble.Protocol;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// The sweep never borrows a verdict (issue 7), through the real binary: a credential report taken before renames, a
/// failed ListVirtualMFADevices, and a poison exemption tag.
/// </summary>
public sealed class SweepFreshnessTests(ITestOutputHelper output) : EndToEndTest(output)
{
    [Fact]
    public async Task Sweep_ConsoleUserWithoutMfaSwapsNamesWithAProgrammaticUserAfterTheReport_EachKeepsItsOwnVerdict()
    {
        var users = SeedPopulation(20);
        var policy = new RulePolicy { NoPasswordCompliant = true };
        var evaluate = await StartFunctionAsync();
        var baseline = await evaluate.InvokeAsync(ScheduledEvent(policy));
        Assert.True(baseline.Succeeded, baseline.ToString());
        var exposed = First(users, PopulationCase.PasswordWithoutMfa);
        var programmatic = First(users, PopulationCase.NoPassword);
        await Actions.RenameUserAsync(exposed.UserName, "swap-tmp");
        await Actions.RenameUserAsync(programmatic.UserName, exposed.UserName);
        await Actions.RenameUserAsync("swap-tmp", programmatic.UserName);

        var outcome = await evaluate.InvokeAsync(ScheduledEvent(policy));

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(programmatic.UserName, NamesById()[exposed.UserId]);
        // By ID, nothing changed: the console user without MFA is NON_COMPLIANT under the programmatic user's old name.
        VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
        Assert.Equal(0, await evaluate.StopAsync());
    }

    [Fact]
    public async Task Sweep_ListVirtualMfaDevicesDenied_MfaRemovedAfterTheReportIsStillNonCompliant()
    {
        var users = SeedPopulation(20);
        var policy = RulePolicy.WithExemptions;
        var evaluate = await StartFunctionAsync();
        var baseline = await evaluate.InvokeAsync(ScheduledEvent(policy));
        Assert.True(baseline.Succeeded, baseline.ToString());
        var user = First(users, PopulationCase.PasswordWithVirtualMfa);
        await Actions.DeactivateMfaDeviceAsync(user.UserName, Account.FindUser(user.UserName)!.MfaDevices.Single(d => d.Kind == MfaDeviceKind.Virtual).SerialNumber);
        using var denied = Aws.Faults.Inject(AwsServiceNames.Iam, "ListVirtualMFADevices",
            Fault.Error(403, "AccessDenied", "not authorized to perform iam:ListVirtualMFADevices"), FaultSchedule.UntilCleared());

        var (requestId, pending) = evaluate.Enqueue(ScheduledEvent(policy));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.True(denied.TimesFired > 0);
        var expected = policy.ExpectedById(users);
        expected[user.UserId] = Verdict.NonCompliant;
        VerdictAssert.Exactly(expected, StoredResults(), NamesById());
        var warnings = SummaryLine(evaluate, requestId)["warnings"]!.AsArray().Select(w => w!.GetValue<string>());
        Assert.Contains("ListVirtualMFADevices failed (AccessDenied); every user the report shows with a console password is read live", warnings);
        Assert.Equal(0, await evaluate.StopAsync());
    }

    [Fact]
    public async Task Sweep_ExemptionTagThatNeverExpires_EveryOtherUserGetsItsVerdict()
    {
        var users = SeedPopulation(20);
        var policy = RulePolicy.Defaults;
        var evaluate = await StartFunctionAsync();
        var poisoned = First(users, PopulationCase.PasswordWithoutMfa);
        await Actions.TagUserAsync(poisoned.UserName, "mfa-exempt-until", "9999-12-31");

        var outcome = await evaluate.InvokeAsync(ScheduledEvent(policy));

        var expected = policy.ExpectedById(users);
        var others = StoredResults().Where(r => r.ResourceId != poisoned.UserId).ToList();
        VerdictAssert.Exactly(expected.Where(e => e.Key != poisoned.UserId).ToDictionary(), others, NamesById());
        // The "never expires" date is read as an exemption with no end: the user gets its verdict, and the run succeeds.
        if (!outcome.Succeeded) Assert.Fail(outcome.ErrorMessage);
        var own = Assert.Single(StoredResults(), r => r.ResourceId == poisoned.UserId);
        Assert.Equal("NOT_APPLICABLE", own.ComplianceType);
        Assert.Equal(0, await evaluate.StopAsync());
    }
}

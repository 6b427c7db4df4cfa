using System.Text;
using AwsDouble;
using AwsDouble.Iam;
using AwsDouble.Population;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// ReportChangesOnly over several sweeps of the real binary, with IAM changes between them: after every sweep Config holds
/// exactly IAM's truth, and the double counts exactly the evaluations the model says (changed + new + vanished + due).
/// </summary>
public sealed class ChangeReportingTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const int RefreshDays = 7;

    private static readonly RulePolicy Policy = RulePolicy.WithExemptions with { ReportChangesOnly = true, RefreshDays = RefreshDays };

    /// <summary>CloudTrail shows a change at once, so a new console password is seen by the very next sweep (the lag is another test's subject).</summary>
    internal override AwsDoubleOptions DoubleOptions => base.DoubleOptions with { CloudTrailLag = TimeSpan.Zero };

    [Fact]
    public async Task ReportChangesOnly_SweepsWithChangesBetween_ConfigHoldsIamsTruthAndOnlyChangesAreWritten()
    {
        var users = SeedPopulation(60).ToList();
        var expected = Policy.ExpectedById(users);
        var function = await StartFunctionAsync();

        // 1. A first sweep: Config holds nothing, so every user is written.
        await SweepAsync(function, expected, writes: users.Count, "first sweep");

        // 2. Nothing changed: only the NON_COMPLIANT users are written (stated again on every sweep).
        int NonCompliant() => expected.Count(p => p.Value == Verdict.NonCompliant);
        await SweepAsync(function, expected, writes: NonCompliant(), "unchanged account");

        // 3. Five changes, one of each kind: only those five are written.
        var hardware = First(users, PopulationCase.PasswordWithHardwareMfa);
        await Actions.DeactivateMfaDeviceAsync(hardware.UserName, Account.FindUser(hardware.UserName)!.MfaDevices.Single(d => d.Kind == MfaDeviceKind.Hardware).SerialNumber);
        expected[hardware.UserId] = Verdict.NonCompliant;
        var withoutMfa = First(users, PopulationCase.PasswordWithoutMfa);
        await Actions.DeleteLoginProfileAsync(withoutMfa.UserName);
        expected[withoutMfa.UserId] = Verdict.NotApplicable;
        var programmatic = First(users, PopulationCase.NoPassword);
        await Actions.CreateLoginProfileAsync(programmatic.UserName);
        expected[programmatic.UserId] = Verdict.NonCompliant;
        var leaver = users.First(u => u.Case == PopulationCase.PasswordWithoutMfa && u != withoutMfa);
        await Actions.DeleteLoginProfileAsync(leaver.UserName);
        await Actions.DeleteUserAsync(leaver.UserName);
        expected[leaver.UserId] = Verdict.NotApplicable;
        await Actions.CreateUserAsync("new-joiner");
        expected[UserIdOf("new-joiner")] = Verdict.NotApplicable;
        // Two of the changes made a user NON_COMPLIANT; every other NON_COMPLIANT user is restated.
        var restated = NonCompliant() - 2;
        var summary = await SweepAsync(function, expected, writes: 5 + restated, "five changes");
        Assert.Equal(1, summary["vanishedUsers"]!.GetValue<int>());
        var reasons = summary["reasons"]!.AsObject();
        Assert.Equal(3, reasons["VerdictChanged"]!.GetValue<int>());
        Assert.Equal(1, reasons["NewToConfig"]!.GetValue<int>());
        Assert.Equal(1, reasons["Vanished"]!.GetValue<int>());
        Assert.Equal(restated, reasons["NonCompliantRestated"]!.GetValue<int>());
        Assert.Equal(users.Count - 4 - restated, reasons["Unchanged"]!.GetValue<int>());

        // 4. Nothing changed again: the deleted user is not cleaned up a second time, the new one is held.
        await SweepAsync(function, expected, writes: NonCompliant(), "unchanged after the changes");

        // 5. Config's results are older than RefreshDays: every current user is stated again, the vanished one is not.
        Config.AgeResults(RuleName, TimeSpan.FromDays(RefreshDays));
        var current = Account.Users.Count;
        await SweepAsync(function, expected, writes: current, "every result due");

        // 6. A day later: only users whose refresh day is today (a stable hash of the user ID) are stated again, and the
        // NON_COMPLIANT ones.
        Config.AgeResults(RuleName, TimeSpan.FromDays(1));
        var today = (int)(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 86400 % RefreshDays);
        var dueToday = Account.Users.Count(u => RefreshDayOf(u.UserId) == today || expected[u.UserId] == Verdict.NonCompliant);
        await SweepAsync(function, expected, writes: dueToday, $"refresh day {today}");
        Output.WriteLine($"users whose refresh day is today: {dueToday} of {current}");
    }

    [Fact]
    public async Task ReportChangesOnlyOff_EverySweep_WritesEveryUser()
    {
        var users = SeedPopulation(30);
        var policy = Policy with { ReportChangesOnly = false };
        var function = await StartFunctionAsync();

        for (var i = 0; i < 3; i++)
        {
            var before = Config.EvaluationsWritten(RuleName);
            var outcome = await function.InvokeAsync(ScheduledEvent(policy));

            Assert.True(outcome.Succeeded, outcome.ToString());
            Assert.Equal(users.Count, Config.EvaluationsWritten(RuleName) - before);
            VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
        }
    }

    /// <summary>One scheduled sweep: it succeeds, Config then holds exactly <paramref name="expected"/>, and exactly <paramref name="writes"/> evaluations were written.</summary>
    private async Task<System.Text.Json.Nodes.JsonObject> SweepAsync(LambdaFunction function, Dictionary<string, string> expected, int writes, string what)
    {
        var before = Config.EvaluationsWritten(RuleName);
        var (requestId, pending) = function.Enqueue(ScheduledEvent(Policy));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, $"{what}: {outcome}");
        VerdictAssert.Exactly(expected, StoredResults(), NamesById());
        var summary = SummaryLine(function, requestId);
        Assert.True(writes == Config.EvaluationsWritten(RuleName) - before, $"{what}: {Config.EvaluationsWritten(RuleName) - before} evaluations written, the model says {writes}");
        Assert.Equal(writes, summary["written"]!.GetValue<int>());
        return summary;
    }

    /// <summary>The README's refresh day, computed here independently: FNV-1a (32-bit) of the user ID's UTF-8 bytes, modulo RefreshDays.</summary>
    private static int RefreshDayOf(string userId)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(userId)) hash = (hash ^ b) * 16777619u;
        return (int)(hash % RefreshDays);
    }
}

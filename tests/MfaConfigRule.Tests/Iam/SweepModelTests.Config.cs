using CsCheck;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.ConfigEvents;
using MfaConfigRule.Iam;
using MfaConfigRule.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Iam;

/// <summary>
/// The Config side of the model: whole IAM histories with sweeps and change notifications interleaved (fresh items, and
/// replayed ones captured weeks ago, as StartConfigRulesEvaluation may deliver), under each undocumented Config
/// behaviour drawn: which PutEvaluations ordering Config keeps, whether a periodic run's unrestated results are kept or
/// dropped, and ReportChangesOnly on or off. After every evaluation, what Config holds must be IAM's truth for what was
/// evaluated; at the end every user is notified once more, and Config's held verdicts must equal IAM's truth exactly.
/// Nothing held is ever COMPLIANT when IAM's truth is not.
/// </summary>
public sealed partial class SweepModelTests
{
    internal enum StepKind
    {
        ToggleMfa,
        TogglePassword,
        CreateUser,
        DeleteUser,
        Sweep,
        FreshChange,
        ReplayedChange,
    }

    internal sealed record Step(StepKind Kind, int User)
    {
        public override string ToString() => $"{Kind}({User})";
    }

    internal sealed record ConfigHistory(
        int Users, Step[] Steps, HeldOrdering Ordering, UnrestatedHeld Unrestated, bool ReportChangesOnly, bool[] FinalReplayed)
    {
        public string ParametersJson => ReportChangesOnly ? """{"ReportChangesOnly":"true"}""" : "{}";

        public override string ToString() =>
            $"{Users} users; ordering {Ordering}; unrestated {Unrestated}; ReportChangesOnly {ReportChangesOnly}; " +
            $"steps [{string.Join(", ", Steps.Select(s => s.ToString()))}]; final replayed [{string.Join(",", FinalReplayed.Select(r => r ? 1 : 0))}]";
    }

    private static readonly Gen<ConfigHistory> GenConfigHistory = Gen.Select(
        Gen.Int[1, 5],
        Gen.Select(Gen.Enum<StepKind>(), Gen.Int[0, 99], (kind, user) => new Step(kind, user)).Array[1, 16],
        Gen.Enum<HeldOrdering>(), Gen.Enum<UnrestatedHeld>(), Gen.Bool, Gen.Bool.Array[8],
        (users, steps, ordering, unrestated, changesOnly, replayed) => new ConfigHistory(users, steps, ordering, unrestated, changesOnly, replayed));

    private static long ConfigIterations => Math.Max(1, Iterations / 6);

    [Fact]
    public async Task SweepsAndChanges_AnyConfigBehaviour_ConfigHoldsIamsTruthOnceSettledAndNeverAFalseCompliant()
    {
        await GenConfigHistory.SampleAsync(CheckConfigAsync, seed: "0000000000Cf", iter: ConfigIterations, print: h => h.ToString());
    }

    private static async Task CheckConfigAsync(ConfigHistory history)
    {
        var time = new FakeTimeProvider(Now);
        var iam = new FakeIamClient(time);
        var cloudTrail = new FakeCloudTrailClient();
        var config = new FakeConfigClient(time) { Keeps = history.Ordering, Unrestated = history.Unrestated };
        var handler = new ConfigRuleHandler(
            new UserAssessor(iam, cloudTrail, time, new AssessorOptions()),
            new EvaluationReporter(config, time, new ReporterOptions { FailedEvaluationDelay = TimeSpan.Zero }),
            config, time, new HandlerOptions());
        var parameters = RuleParameters.ParseJson(history.ParametersJson);
        // Every user ever created, as Config first recorded it: a replayed notification carries this item, weeks old.
        var recorded = new List<IamUser>();
        var serial = 0;
        void Create(bool mfa)
        {
            var user = iam.AddUser(User($"m{serial++}", created: time.GetUtcNow().AddDays(-60)), time.GetUtcNow().AddDays(-30), mfa ? [Virtual($"m{serial - 1}")] : []);
            recorded.Add(user);
        }
        for (var i = 0; i < history.Users; i++) Create(i % 2 == 0);
        iam.TakeReport(time.GetUtcNow());
        var runs = 0;

        ComplianceType Truth(string userId) =>
            iam.LiveTruth(userId) is { } state ? Evaluator.Evaluate(state, parameters, time.GetUtcNow()).Compliance!.Value : ComplianceType.NotApplicable;
        ComplianceType? Held(string userId) => config.Held.SingleOrDefault(h => h.ResourceId == userId)?.Compliance;
        void NoFalseCompliant(string when)
        {
            foreach (var held in config.Held.Where(h => h.Compliance == ComplianceType.Compliant))
                Assert.True(Truth(held.ResourceId) == ComplianceType.Compliant, $"{when}: Config holds COMPLIANT for {held.ResourceId}, IAM's truth is {Truth(held.ResourceId)}");
        }

        async Task NotifyAsync(IamUser user, bool replayed)
        {
            var capture = replayed ? user.CreateDate!.Value : time.GetUtcNow().AddSeconds(-30);
            var summary = await handler.HandleAsync(
                ChangeEvent(user, ruleParameters: history.ParametersJson, captureTime: capture, notificationCreationTime: time.GetUtcNow()), null, CancellationToken.None);
            Assert.True(summary.Succeeded, string.Join("; ", summary.Failures.Select(f => f.Cause)));
            // Whatever the ordering rule, the notification's verdict is what Config holds for the user now.
            Assert.True(Held(user.UserId) == Truth(user.UserId),
                $"after a {(replayed ? "replayed" : "fresh")} change notification for {user.UserName}: Config holds {Held(user.UserId)}, IAM's truth is {Truth(user.UserId)}");
        }

        foreach (var step in history.Steps)
        {
            time.Advance(TimeSpan.FromSeconds(97));
            var now = time.GetUtcNow();
            var live = iam.Users;
            var target = live.Count == 0 ? null : live[step.User % live.Count];
            switch (step.Kind)
            {
                case StepKind.ToggleMfa when target is not null:
                {
                    var devices = iam.LiveTruth(target.UserId)!.Mfa.Devices;
                    iam.SetDevices(target.UserName, devices.Count > 0 ? [] : [Virtual(target.UserName, now)]);
                    cloudTrail.Record(devices.Count > 0 ? "DeactivateMFADevice" : "EnableMFADevice", target.UserName, now);
                    break;
                }
                case StepKind.TogglePassword when target is not null:
                {
                    var had = iam.LiveTruth(target.UserId)!.Password.Enabled;
                    iam.SetPassword(target.UserName, had ? null : now);
                    cloudTrail.Record(had ? "DeleteLoginProfile" : "CreateLoginProfile", target.UserName, now);
                    break;
                }
                case StepKind.CreateUser:
                    Create(step.User % 2 == 0);
                    break;
                case StepKind.DeleteUser when target is not null:
                    iam.DeleteUser(target.UserName);
                    cloudTrail.Record("DeleteUser", target.UserName, now);
                    break;
                case StepKind.Sweep:
                {
                    var token = $"periodic-{runs++}";
                    config.BeginPeriodicRun(token);
                    var summary = await handler.HandleAsync(
                        ScheduledEvent(history.ParametersJson, token, notificationCreationTime: now), null, CancellationToken.None);
                    Assert.True(summary.Succeeded, string.Join("; ", summary.Failures.Select(f => f.Cause)));
                    // Right after a sweep Config holds IAM's truth for every user, with one exception, and only under it: where
                    // Config drops what a periodic run does not restate, a ReportChangesOnly run that did not restate a COMPLIANT
                    // or NOT_APPLICABLE user leaves it with no result (never a wrong one). A NON_COMPLIANT user is restated by
                    // every sweep (NonCompliantRestated), so it is never among them.
                    var written = config.Puts.Where(p => p.ResultToken == token).SelectMany(p => p.Evaluations).Select(e => e.ResourceId).ToHashSet(StringComparer.Ordinal);
                    foreach (var user in iam.Users)
                    {
                        if (Held(user.UserId) is null && history.Unrestated == UnrestatedHeld.Dropped && history.ReportChangesOnly && !written.Contains(user.UserId)
                            && Truth(user.UserId) != ComplianceType.NonCompliant) continue;
                        Assert.True(Held(user.UserId) == Truth(user.UserId), $"after sweep {token}: Config holds {Held(user.UserId)} for {user.UserName}, IAM's truth is {Truth(user.UserId)}");
                    }
                    // The next sweep's report is taken now: what changes after it is in CloudTrail, as in IAM.
                    iam.TakeReport(now);
                    break;
                }
                case StepKind.FreshChange or StepKind.ReplayedChange when recorded.Count > 0:
                    await NotifyAsync(recorded[step.User % recorded.Count], step.Kind == StepKind.ReplayedChange);
                    break;
            }
            NoFalseCompliantAfterEvaluation(step);
        }

        // Settled: every user Config ever recorded is notified once more (replayed or fresh, as drawn).
        time.Advance(TimeSpan.FromSeconds(97));
        for (var i = 0; i < recorded.Count; i++) await NotifyAsync(recorded[i], history.FinalReplayed[i % history.FinalReplayed.Length]);
        foreach (var user in recorded)
            Assert.True(Held(user.UserId) == Truth(user.UserId), $"settled: Config holds {Held(user.UserId)} for {user.UserName}, IAM's truth is {Truth(user.UserId)}");
        NoFalseCompliant("settled");

        void NoFalseCompliantAfterEvaluation(Step step)
        {
            // Between an IAM change and the evaluation it calls for, Config legitimately holds the old verdict.
            if (step.Kind is StepKind.Sweep) NoFalseCompliant($"after {step}");
        }
    }
}

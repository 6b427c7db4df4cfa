using System.Globalization;
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
/// Model-based: random IAM histories applied between the credential report and the sweep, with CloudTrail's per-event
/// lag, one bulk source failing, and single-call faults. Every verdict of the sweep, and of the change path for every
/// user, is checked against the evaluator's verdict on IAM's live state (the readable in-memory IAM of
/// <see cref="FakeIamClient"/>). CsCheck shrinks a failure to its shortest history and prints it.
/// Set MFA_MODEL_ITERATIONS for a longer run.
/// </summary>
public sealed partial class SweepModelTests
{
    private static readonly DateTimeOffset ReportTime = Now.AddHours(-1);
    private const string ExemptKey = "mfa-exempt-until";

    internal enum OpKind
    {
        CreateUser,
        CreateUserInTheSameSecond,
        DeleteUser,
        Rename,
        Swap,
        CreateLoginProfile,
        UpdateLoginProfile,
        DeleteLoginProfile,
        EnableVirtual,
        EnableFido,
        EnableHardware,
        DeactivateDevice,
        TagExemptFuture,
        TagExemptExpired,
        TagExemptGarbage,
        Untag,
    }

    /// <summary>One IAM call on the A-th (and B-th) user; <see cref="Delivered"/>: CloudTrail's history shows it by sweep time.</summary>
    internal sealed record Op(OpKind Kind, int A, int B, bool Delivered)
    {
        public override string ToString() => $"{Kind}({A},{B}){(Delivered ? string.Empty : " undelivered")}";
    }

    /// <summary>A user before the report: password, MFA kinds (bit 1 virtual, 2 hardware, 4 FIDO), path, and a creation-second group.</summary>
    internal sealed record Start(bool Password, int Kinds, bool OpsPath, int CreationGroup)
    {
        public override string ToString() => $"{(Password ? "pw" : "nopw")}/mfa{Kinds}/{(OpsPath ? "ops" : "root")}/t{CreationGroup}";
    }

    internal enum FailingSource
    {
        None,
        Report,
        VirtualDeviceListing,
        CloudTrail,
    }

    internal sealed record History(Start[] Users, Op[] Ops, FailingSource Failing, int[] Faults, string ParametersJson)
    {
        public RuleParameters Parameters => RuleParameters.ParseJson(ParametersJson);

        public override string ToString() =>
            $"users [{string.Join(", ", Users.Select((u, i) => $"u{i}:{u}"))}]; ops [{string.Join(", ", Ops.Select(o => o.ToString()))}]; " +
            $"failing {Failing}; faults [{string.Join(",", Faults)}]; parameters {ParametersJson}";
    }

    private static readonly Gen<Start> GenStart = Gen.Select(Gen.Bool, Gen.Int[0, 7], Gen.Int[0, 3], Gen.Int[0, 5],
        (password, kinds, path, group) => new Start(password, kinds, path == 0, group));

    private static readonly Gen<Op> GenOp = Gen.Select(Gen.Enum<OpKind>(), Gen.Int[0, 99], Gen.Int[0, 99], Gen.Int[0, 2],
        (kind, a, b, lag) => new Op(kind, a, b, lag != 0));

    private static readonly Gen<string> GenParameters = Gen.Select(Gen.Int[1, 7], Gen.Bool, (kinds, compliant) =>
    {
        string[] names = ["virtual", "hardware", "fido"];
        var allowed = string.Join(',', names.Where((_, i) => (kinds & (1 << i)) != 0));
        return $$"""{"AllowedMfaTypes":"{{allowed}}","NoPasswordResult":"{{(compliant ? "COMPLIANT" : "NOT_APPLICABLE")}}"}""";
    });

    private static readonly Gen<History> GenHistory = Gen.Select(
        GenStart.Array[1, 8], GenOp.Array[0, 12], Gen.Enum<FailingSource>(), Gen.Int[0, 99].Array[0, 2], GenParameters,
        (users, ops, failing, faults, parameters) => new History(users, ops, failing, faults, parameters));

    private static long Iterations =>
        long.TryParse(Environment.GetEnvironmentVariable("MFA_MODEL_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 3_000;

    [Fact]
    public async Task SweepAndChangePath_AnyHistory_AgreeWithIamsLiveStateExceptTheOneBenignStaleness()
    {
        await GenHistory.SampleAsync(CheckAsync, seed: "0000000000Mf", iter: Iterations, print: h => h.ToString());
    }

    private static async Task CheckAsync(History history)
    {
        var world = World.Build(history);
        var parameters = history.Parameters;

        var sweep = await new UserSweep(world.Iam, world.CloudTrail, world.Time, new AssessorOptions()).SweepAsync(parameters, CancellationToken.None);

        var truth = world.Iam.Users.ToDictionary(u => u.UserId, StringComparer.Ordinal);
        Assert.All(sweep.Assessments, a => Assert.True(truth.ContainsKey(a.User.UserId), $"a verdict for {a.User.UserName}, who does not exist"));
        foreach (var user in truth.Values)
        {
            var expected = Evaluator.Evaluate(world.Iam.LiveTruth(user.UserId)!, parameters, Now);
            Assert.True(expected.IsFinal);
            var assessment = sweep.Assessments.SingleOrDefault(a => a.User.UserId == user.UserId);
            if (assessment is null)
            {
                Assert.True(world.Faulted.Contains(user.UserName), $"{user.UserName} got no verdict and no fault hit it: {string.Join("; ", sweep.Failures.Select(f => f.Cause))}");
                continue;
            }
            // Never another user's row or name: the verdict names the user as IAM names it now.
            Assert.Equal(user, assessment.User with { PasswordLastUsed = user.PasswordLastUsed });
            if (assessment.Compliance == expected.Compliance) continue;
            // The one documented staleness: a password deleted after the report, while CloudTrail has not delivered the
            // DeleteLoginProfile under the user's present name.
            Assert.True(
                assessment.Compliance == ComplianceType.Compliant && expected.Compliance == ComplianceType.NotApplicable
                    && world.PasswordDeletedUnseen(user),
                $"{user.UserName}: sweep says {assessment.Compliance} ({assessment.Annotation}), IAM's live state says {expected.Compliance} ({expected.Annotation})");
        }

        // The change path, for every user as Config recorded it before the history (a stale name), with today's tags.
        foreach (var (recorded, tags) in world.Recorded)
        {
            var config = new FakeConfigClient(world.Time);
            var handler = new ConfigRuleHandler(
                new UserAssessor(world.Iam, world.CloudTrail, world.Time, new AssessorOptions()),
                new EvaluationReporter(config, world.Time, new ReporterOptions { FailedEvaluationDelay = TimeSpan.Zero }),
                config, world.Time, new HandlerOptions());
            InvocationSummary summary;
            try
            {
                summary = await handler.HandleAsync(
                    ChangeEvent(recorded, tags: world.TagsOf(recorded.UserId) ?? tags, ruleParameters: history.ParametersJson), null, CancellationToken.None);
            }
            catch (MfaConfigRule.Aws.AwsServiceException) when (world.Faulted.Count > 0)
            {
                continue;
            }
            if (!summary.Succeeded)
            {
                Assert.All(summary.Failures, f => Assert.Contains(f.User.UserName, world.Faulted));
                continue;
            }
            var evaluation = Assert.Single(summary.Evaluations);
            Assert.Equal(recorded.UserId, evaluation.ResourceId);
            var expected = truth.ContainsKey(recorded.UserId)
                ? Evaluator.Evaluate(world.Iam.LiveTruth(recorded.UserId)!, parameters, Now).Compliance
                : ComplianceType.NotApplicable;
            Assert.True(expected == evaluation.Compliance,
                $"change path for {recorded.UserName} ({recorded.UserId}): {evaluation.Compliance} ({evaluation.Annotation}), IAM's live state says {expected}");
        }
    }

    /// <summary>The account a history leaves behind, what CloudTrail has delivered of it, and who was dealt a fault.</summary>
    private sealed class World
    {
        private readonly List<(string UserId, string NameThen, bool Delivered)> _passwordDeletions = [];

        public required FakeIamClient Iam { get; init; }
        public required FakeCloudTrailClient CloudTrail { get; init; }
        public required FakeTimeProvider Time { get; init; }
        public HashSet<string> Faulted { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<(IamUser User, IReadOnlyDictionary<string, string> Tags)> Recorded { get; } = [];

        public IReadOnlyDictionary<string, string>? TagsOf(string userId) => Iam.LiveTruth(userId)?.Tags;

        public bool PasswordDeletedUnseen(IamUser user) =>
            _passwordDeletions.Any(d => d.UserId == user.UserId && (!d.Delivered || !string.Equals(d.NameThen, user.UserName, StringComparison.OrdinalIgnoreCase)));

        public static World Build(History history)
        {
            var time = new FakeTimeProvider(Now);
            var world = new World { Time = time, Iam = new FakeIamClient(time), CloudTrail = new FakeCloudTrailClient() };
            var iam = world.Iam;
            var created = Now.AddDays(-90);
            for (var i = 0; i < history.Users.Length; i++)
            {
                var start = history.Users[i];
                var name = $"u{i}";
                var user = User(name, start.OpsPath ? "/ops/" : "/", created.AddSeconds(start.CreationGroup).AddMilliseconds(37 * i));
                iam.AddUser(user, start.Password ? Now.AddDays(-30) : null, Devices(name, start.Kinds, i));
                world.Recorded.Add((user, NoTags));
            }
            iam.TakeReport(ReportTime);

            var at = ReportTime;
            var serial = 1000;
            foreach (var op in history.Ops)
            {
                at = at.AddSeconds(97);
                var users = iam.Users;
                IamUser? a = users.Count == 0 ? null : users[op.A % users.Count];
                IamUser? b = users.Count == 0 ? null : users[op.B % users.Count];
                void Record(string eventName, string userName) { if (op.Delivered) world.CloudTrail.Record(eventName, userName, at); }
                switch (op.Kind)
                {
                    case OpKind.CreateUser or OpKind.CreateUserInTheSameSecond:
                    {
                        var name = $"n{serial++}";
                        var when = op.Kind == OpKind.CreateUser || a is null ? at : a.CreateDate!.Value.AddMilliseconds(5);
                        iam.AddUser(User(name, a?.Path ?? "/", when), op.B % 2 == 0 ? at : null);
                        Record("CreateUser", name);
                        break;
                    }
                    case OpKind.DeleteUser when a is not null:
                        iam.DeleteUser(a.UserName);
                        Record("DeleteUser", a.UserName);
                        break;
                    case OpKind.Rename when a is not null:
                    {
                        // Onto a name a deleted or earlier user had, or a fresh one; sometimes to another path.
                        var name = users.Any(u => u.UserName == $"u{op.B % 8}") ? $"r{serial++}" : $"u{op.B % 8}";
                        iam.RenameUser(a.UserName, name, op.B % 3 == 0 ? "/moved/" : null);
                        Record("UpdateUser", a.UserName);
                        break;
                    }
                    case OpKind.Swap when a is not null && b is not null && a.UserId != b.UserId:
                        iam.RenameUser(a.UserName, "swap-tmp");
                        iam.RenameUser(b.UserName, a.UserName);
                        iam.RenameUser("swap-tmp", b.UserName);
                        Record("UpdateUser", a.UserName);
                        Record("UpdateUser", b.UserName);
                        break;
                    case OpKind.CreateLoginProfile or OpKind.UpdateLoginProfile when a is not null:
                        iam.SetPassword(a.UserName, at);
                        Record(op.Kind.ToString(), a.UserName);
                        break;
                    case OpKind.DeleteLoginProfile when a is not null && iam.LiveTruth(a.UserId)!.Password.Enabled:
                        iam.SetPassword(a.UserName, null);
                        world._passwordDeletions.Add((a.UserId, a.UserName, op.Delivered));
                        Record("DeleteLoginProfile", a.UserName);
                        break;
                    case OpKind.EnableVirtual or OpKind.EnableFido or OpKind.EnableHardware when a is not null:
                    {
                        var device = op.Kind switch
                        {
                            OpKind.EnableVirtual => new MfaDevice($"arn:aws:iam::{AccountId}:mfa/dev{serial++}", at),
                            OpKind.EnableFido => new MfaDevice($"arn:aws:iam::{AccountId}:u2f/user/{a.UserName}/key-{serial++}", at),
                            _ => new MfaDevice($"GAHT{serial++:00000000}", at),
                        };
                        iam.SetDevices(a.UserName, [.. iam.LiveTruth(a.UserId)!.Mfa.Devices, device]);
                        Record("EnableMFADevice", a.UserName);
                        break;
                    }
                    case OpKind.DeactivateDevice when a is not null && iam.LiveTruth(a.UserId)!.Mfa.Devices is { Count: > 0 } devices:
                        iam.SetDevices(a.UserName, [.. devices.Where((_, i) => i != op.B % devices.Count)]);
                        Record("DeactivateMFADevice", a.UserName);
                        break;
                    case OpKind.TagExemptFuture when a is not null:
                        iam.SetTag(a.UserName, ExemptKey, "2027-06-30");
                        break;
                    case OpKind.TagExemptExpired when a is not null:
                        iam.SetTag(a.UserName, ExemptKey, "2026-01-31");
                        break;
                    case OpKind.TagExemptGarbage when a is not null:
                        iam.SetTag(a.UserName, ExemptKey, "forever");
                        break;
                    case OpKind.Untag when a is not null:
                        iam.RemoveTag(a.UserName, ExemptKey);
                        break;
                }
            }

            switch (history.Failing)
            {
                case FailingSource.Report:
                    iam.Report = null;
                    iam.GenerateError = "AccessDenied";
                    break;
                case FailingSource.VirtualDeviceListing:
                    iam.Fail(FakeIamClient.ListVirtualMFADevices, "AccessDenied");
                    break;
                case FailingSource.CloudTrail:
                    world.CloudTrail.Error = "AccessDeniedException";
                    break;
            }
            var now = iam.Users;
            foreach (var fault in history.Faults)
            {
                if (now.Count == 0) break;
                var victim = now[fault % now.Count].UserName;
                string[] operations = [FakeIamClient.GetLoginProfile, FakeIamClient.ListMFADevices, FakeIamClient.ListUserTags, FakeIamClient.GetUser];
                iam.Fail(operations[fault / 25 % operations.Length], "Throttling", victim, times: 1);
                world.Faulted.Add(victim);
            }
            return world;
        }

        private static MfaDevice[] Devices(string name, int kinds, int i) =>
        [
            .. (kinds & 1) != 0 ? [Virtual(name)] : Array.Empty<MfaDevice>(),
            .. (kinds & 2) != 0 ? [new MfaDevice($"GAHT{i:00000000}", Now.AddDays(-100))] : Array.Empty<MfaDevice>(),
            .. (kinds & 4) != 0 ? [Fido(name)] : Array.Empty<MfaDevice>(),
        ];
    }
}

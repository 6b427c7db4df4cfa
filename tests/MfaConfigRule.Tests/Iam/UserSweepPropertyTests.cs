using CsCheck;
using MfaConfigRule.Compliance;
using MfaConfigRule.Iam;
using MfaConfigRule.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Iam;

/// <summary>
/// Random accounts, a credential report taken an hour ago, and random IAM changes since (recorded in CloudTrail or not):
/// the sweep's shortcuts must never invent a NON_COMPLIANT verdict, and must agree with an all-live sweep whenever
/// CloudTrail recorded what changed.
/// </summary>
public sealed class UserSweepPropertyTests
{
    private static readonly DateTimeOffset ReportTime = Now.AddHours(-1);
    private static readonly DateTimeOffset ChangeTime = Now.AddMinutes(-30);

    public enum Change
    {
        None,
        AddPassword,
        RemovePassword,
        RemoveDevices,
        AddVirtual,
        AddFido,
        VirtualToHardware,
    }

    /// <summary>One user: state when the report was taken, what changed since, and whether CloudTrail recorded it.</summary>
    public sealed record Person(bool Password, int DeviceKinds, Change Change, bool Recorded, bool ExemptTag, bool NewPassword);

    private static readonly Gen<Person> GenPerson = Gen.Select(
        Gen.Bool, Gen.Int[0, 7], Gen.Enum<Change>(), Gen.Bool, Gen.Int[0, 4], Gen.Int[0, 4],
        (password, kinds, change, recorded, exempt, fresh) => new Person(password, kinds, change, recorded, exempt == 0, fresh == 0));

    private static readonly Gen<RuleParameters> GenParameters = Gen.Select(
        Gen.Int[1, 7], Gen.Bool, Gen.OneOf(0, 24),
        (kinds, noPasswordCompliant, grace) => RuleParameters.Default with
        {
            AllowedMfaTypes = (MfaKinds)kinds,
            NoPasswordResult = noPasswordCompliant ? ComplianceType.Compliant : ComplianceType.NotApplicable,
            GracePeriod = TimeSpan.FromHours(grace),
        });

    private static readonly Gen<(Person[] People, RuleParameters Parameters)> GenAccount = Gen.Select(GenPerson.Array[1, 25], GenParameters);

    [Fact]
    public async Task Sweep_AnyAccountAndChanges_NonCompliantOnlyAfterLiveReadsAndNeverWhereLiveSaysOtherwise()
    {
        await GenAccount.SampleAsync(async (people, parameters) =>
        {
            var (iam, cloudTrail, time) = Account(people, recordEverything: false);

            var sweep = await new UserSweep(iam, cloudTrail, time, new AssessorOptions()).SweepAsync(parameters, CancellationToken.None);
            var readLive = iam.ReadLive;
            var live = await new UserSweep(iam, cloudTrail, time, new AssessorOptions { UseCredentialReport = false }).SweepAsync(parameters, CancellationToken.None);

            Assert.Empty(sweep.Failures);
            foreach (var assessment in sweep.Assessments.Where(a => a.Compliance == ComplianceType.NonCompliant))
            {
                Assert.Contains(assessment.User.UserName, readLive);
                Assert.Equal(ComplianceType.NonCompliant, live.Assessments.Single(a => a.User.UserName == assessment.User.UserName).Compliance);
            }
        }, iter: 150);
    }

    [Fact]
    public async Task Sweep_AnyAccountWithEveryChangeInCloudTrail_AgreesWithAnAllLiveSweep()
    {
        await GenAccount.SampleAsync(async (people, parameters) =>
        {
            var (iam, cloudTrail, time) = Account(people, recordEverything: true);

            var sweep = await new UserSweep(iam, cloudTrail, time, new AssessorOptions()).SweepAsync(parameters, CancellationToken.None);
            var live = await new UserSweep(iam, cloudTrail, time, new AssessorOptions { UseCredentialReport = false }).SweepAsync(parameters, CancellationToken.None);

            Assert.Equal("credential-report+live", sweep.Stats.Mode);
            Assert.Equal(
                live.Assessments.Select(a => (a.User.UserName, a.Compliance)),
                sweep.Assessments.Select(a => (a.User.UserName, a.Compliance)));
        }, iter: 150);
    }

    private static (FakeIamClient Iam, FakeCloudTrailClient CloudTrail, FakeTimeProvider Time) Account(Person[] people, bool recordEverything)
    {
        var time = new FakeTimeProvider(Now);
        var iam = new FakeIamClient(time);
        var cloudTrail = new FakeCloudTrailClient();
        for (var i = 0; i < people.Length; i++)
        {
            var p = people[i];
            var name = $"user{i:00}";
            var passwordSet = p.NewPassword ? ReportTime.AddHours(-2) : Now.AddDays(-30);
            iam.AddUser(name, p.Password ? passwordSet : null, Devices(name, p.DeviceKinds),
                tags: p.ExemptTag ? Tags(("mfa-exempt-until", "2027-01-01")) : NoTags);
        }
        iam.TakeReport(ReportTime);

        for (var i = 0; i < people.Length; i++)
        {
            var p = people[i];
            var name = $"user{i:00}";
            string[] events = p.Change switch
            {
                Change.AddPassword when !p.Password => ["CreateLoginProfile"],
                Change.RemovePassword when p.Password => ["DeleteLoginProfile"],
                Change.RemoveDevices when p.DeviceKinds != 0 => ["DeactivateMFADevice"],
                Change.AddVirtual => ["EnableMFADevice"],
                Change.AddFido => ["EnableMFADevice"],
                Change.VirtualToHardware when (p.DeviceKinds & 1) != 0 => ["DeactivateMFADevice", "EnableMFADevice"],
                _ => [],
            };
            if (events.Length == 0) continue;
            switch (p.Change)
            {
                case Change.AddPassword: iam.SetPassword(name, ChangeTime); break;
                case Change.RemovePassword: iam.SetPassword(name, null); break;
                case Change.RemoveDevices: iam.SetDevices(name); break;
                case Change.AddVirtual: iam.SetDevices(name, [.. Devices(name, p.DeviceKinds), Virtual(name)]); break;
                case Change.AddFido: iam.SetDevices(name, [.. Devices(name, p.DeviceKinds), Fido(name)]); break;
                case Change.VirtualToHardware: iam.SetDevices(name, [.. Devices(name, p.DeviceKinds & ~1), Hardware()]); break;
            }
            if (recordEverything || p.Recorded)
                foreach (var eventName in events) cloudTrail.Record(eventName, name, ChangeTime);
        }
        return (iam, cloudTrail, time);
    }

    private static MfaDevice[] Devices(string name, int kinds) =>
    [
        .. (kinds & 1) != 0 ? [Virtual(name)] : Array.Empty<MfaDevice>(),
        .. (kinds & 2) != 0 ? [Hardware()] : Array.Empty<MfaDevice>(),
        .. (kinds & 4) != 0 ? [Fido(name)] : Array.Empty<MfaDevice>(),
    ];
}

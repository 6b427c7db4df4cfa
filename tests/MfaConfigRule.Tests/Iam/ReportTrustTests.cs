using MfaConfigRule.Compliance;
using MfaConfigRule.Iam;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Iam;

/// <summary>The one decision the sweep's promises rest on: which bulk evidence may speak for which user.</summary>
public sealed class ReportTrustTests
{
    private static readonly DateTimeOffset ReportTime = Now.AddHours(-1);
    private static readonly TimeSpan Margin = new AssessorOptions().CloudTrailMargin;

    private static CredentialReport Report(params string[] rows) => CredentialReport.Parse(ReportCsv(rows), ReportTime);

    private static VirtualMfaAssignment Assigned(IamUser user) => new(Virtual(user.UserName).SerialNumber, user.UserName, user.UserId, Now.AddDays(-100));

    private static SweepPlan Plan(
        IamUser user, CredentialReport? report, IReadOnlyList<VirtualMfaAssignment>? devices, IReadOnlySet<string>? passwordsDeleted = null,
        RuleParameters? parameters = null, IReadOnlyList<IamUser>? users = null) =>
        ReportTrust.Plan(user, new BulkEvidence(report, devices, passwordsDeleted ?? new HashSet<string>(), users ?? [user]), parameters ?? RuleParameters.Default, Margin);

    [Fact]
    public void Plan_ReportPasswordAndAVirtualDeviceAssignedToTheUsersId_IsSettled()
    {
        var alice = User("alice");

        var plan = Plan(alice, Report(ReportRow("alice", password: true, mfa: true)), [Assigned(alice)]);

        Assert.Equal(SweepStep.Settled, plan.Step);
        Assert.Equal([Virtual("alice").SerialNumber], plan.AssignedVirtualDevices!.Select(d => d.SerialNumber));
    }

    [Fact]
    public void Plan_VirtualDeviceListedUnderTheNameButAnotherUserId_IsNotThisUsersDevice()
    {
        var alice = User("alice");
        var formerAlice = new VirtualMfaAssignment(Virtual("alice").SerialNumber, "alice", "AIDAFORMERHOLDER0001", Now.AddDays(-100));

        var plan = Plan(alice, Report(ReportRow("alice", password: true, mfa: true)), [formerAlice]);

        Assert.Equal(SweepStep.ReadLive, plan.Step);
        Assert.Empty(plan.AssignedVirtualDevices!);
    }

    [Fact]
    public void Plan_RowUnderTheNameWithAnotherCreationTime_IsAnotherUsersRow()
    {
        // Issue 7 case 1: a console user renamed onto the name of a deleted programmatic user inherited its row.
        var renamed = User("svc-build", created: Now.AddDays(-50));
        var report = Report(ReportRow("svc-build", password: false, mfa: false, created: Now.AddDays(-300)));

        var plan = Plan(renamed, report, []);

        Assert.Equal(SweepStep.ReadLive, plan.Step);
        Assert.Contains("creation time differs", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_RowCreatedInTheSameSecondUnderAnotherPath_IsAnotherUsersRow()
    {
        var moved = User("alice", path: "/ops/");

        var plan = Plan(moved, Report(ReportRow("alice", password: true, mfa: true)), [Assigned(moved)]);

        Assert.Equal(SweepStep.ReadLive, plan.Step);
        Assert.Contains("ARN differs", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_CreationTimesCompareToTheSecond_AsTheReportWritesThem()
    {
        var alice = User("alice", created: CreatedAt("alice").AddMilliseconds(731));

        var plan = Plan(alice, Report(ReportRow("alice", password: true, mfa: true)), [Assigned(alice)]);

        Assert.Equal(SweepStep.Settled, plan.Step);
    }

    [Fact]
    public void Plan_TwoUsersCreatedInTheSameSecondUnderThePath_NeitherTakesAShortcut()
    {
        // Swapped names of two users created in one second under one path: name, creation time and ARN all match the
        // other's row. The report's rows and ListUsers both show the shared second, so no row binds.
        var created = Now.AddDays(-20);
        var alice = User("alice", created: created, id: UserIdFor("bob"));
        var bob = User("bob", created: created, id: UserIdFor("alice"));
        var report = Report(ReportRow("alice", true, true, created: created), ReportRow("bob", false, false, created: created));

        var plan = Plan(alice, report, [Assigned(alice)], users: [alice, bob]);

        Assert.Equal(SweepStep.ReadLive, plan.Step);
        Assert.Contains("same second", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_TwoRowsInTheSameSecondWhenOneUserIsGone_StillTakesNoShortcut()
    {
        var created = Now.AddDays(-20);
        var bobNowAlice = User("alice", created: created, id: UserIdFor("bob"));
        var report = Report(ReportRow("alice", true, true, created: created), ReportRow("bob", false, false, created: created));

        Assert.Equal(SweepStep.ReadLive, Plan(bobNowAlice, report, [Assigned(bobNowAlice)]).Step);
    }

    [Fact]
    public void Plan_ReportShowsNoPassword_ChecksThePasswordLive()
    {
        // Issue 7 case 4: a password created since the report must not stay hidden behind its "none".
        var erin = User("erin");

        var plan = Plan(erin, Report(ReportRow("erin", password: false, mfa: false)), []);

        Assert.Equal(SweepStep.CheckPassword, plan.Step);
    }

    [Fact]
    public void Plan_VirtualDeviceListingFailed_ReadsEveryPasswordUserLive()
    {
        // Issue 7 case 2: without the listing the report's mfa_active is never taken as MFA.
        var alice = User("alice");

        var plan = Plan(alice, Report(ReportRow("alice", password: true, mfa: true)), devices: null);

        Assert.Equal(SweepStep.ReadLive, plan.Step);
        Assert.Contains("ListVirtualMFADevices failed", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ReportMfaButNoVirtualDeviceAssignedNow_ReadsLive()
    {
        var carol = User("carol");

        Assert.Equal(SweepStep.ReadLive, Plan(carol, Report(ReportRow("carol", password: true, mfa: true)), []).Step);
    }

    [Fact]
    public void Plan_VirtualNotAllowed_ReadsLive()
    {
        var alice = User("alice");

        var plan = Plan(alice, Report(ReportRow("alice", true, true)), [Assigned(alice)], parameters: Parameters("""{"AllowedMfaTypes":"fido"}"""));

        Assert.Equal(SweepStep.ReadLive, plan.Step);
    }

    [Fact]
    public void Plan_CloudTrailShowsThePasswordDeleted_ChecksThePasswordLive()
    {
        var alice = User("alice");

        var plan = Plan(alice, Report(ReportRow("alice", true, true)), [Assigned(alice)], passwordsDeleted: new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "ALICE" });

        Assert.Equal(SweepStep.CheckPassword, plan.Step);
    }

    [Fact]
    public void Plan_CloudTrailUnavailable_ChecksThePasswordLiveButKeepsTheListing()
    {
        var alice = User("alice");

        var plan = ReportTrust.Plan(alice, new BulkEvidence(Report(ReportRow("alice", true, true)), [Assigned(alice)], null, [alice]), RuleParameters.Default, Margin);

        Assert.Equal(SweepStep.CheckPassword, plan.Step);
        Assert.NotEmpty(plan.AssignedVirtualDevices!);
    }

    [Fact]
    public void Plan_DuplicateRowsForTheName_ReadLive()
    {
        // Issue 7 case 10: conflicting rows give no verdict from either.
        var alice = User("alice");
        var report = Report(ReportRow("alice", true, true), ReportRow("alice", false, false));

        Assert.Equal(SweepStep.ReadLive, Plan(alice, report, [Assigned(alice)]).Step);
    }

    [Fact]
    public void Plan_NoRowNoReportOrCreatedAroundTheReport_ReadLive()
    {
        var alice = User("alice");
        var fresh = User("fresh", created: ReportTime.AddMinutes(-5));

        Assert.Equal(SweepStep.ReadLive, Plan(alice, Report(), [Assigned(alice)]).Step);
        Assert.Equal(SweepStep.ReadLive, Plan(alice, report: null, [Assigned(alice)]).Step);
        Assert.Equal(SweepStep.ReadLive, Plan(fresh, Report(ReportRow("fresh", true, true, created: fresh.CreateDate)), [Assigned(fresh)]).Step);
    }
}

using MfaConfigRule.Compliance;
using MfaConfigRule.Contract;
using MfaConfigRule.Iam;
using MfaConfigRule.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Iam;

/// <summary>
/// The sweep's freshness strategy: the credential report, one ListVirtualMFADevices listing and CloudTrail's record of
/// changes since the report, with live reads only where those cannot settle a verdict.
/// </summary>
public sealed class UserSweepTests
{
    private static readonly DateTimeOffset ReportTime = Now.AddHours(-1);
    private static readonly DateTimeOffset SinceReport = Now.AddMinutes(-30);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeIamClient _iam;
    private readonly FakeCloudTrailClient _cloudTrail = new();

    public UserSweepTests() => _iam = new FakeIamClient(_time);

    private Task<SweepResult> Sweep(RuleParameters? parameters = null, AssessorOptions? options = null, CancellationToken cancellationToken = default, IProgress<(int Done, int Total)>? progress = null) =>
        new UserSweep(_iam, _cloudTrail, _time, options ?? new AssessorOptions())
            .SweepAsync(parameters ?? RuleParameters.Default, cancellationToken, progress);

    private static ComplianceType? Verdict(SweepResult result, string userName) =>
        result.Assessments.SingleOrDefault(a => a.User.UserName == userName)?.Compliance;

    /// <summary>A small account with one user of each kind, and a fresh report of it.</summary>
    private void SeedAccount() => SeedAccount(_iam);

    private static void SeedAccount(FakeIamClient iam)
    {
        iam.AddUser("alice", Now.AddDays(-30), [Virtual("alice")]);
        iam.AddUser("bob", Now.AddDays(-30));
        iam.AddUser("carol", Now.AddDays(-30), [Hardware()]);
        iam.AddUser("dave", Now.AddDays(-30), [Fido("dave")]);
        iam.AddUser("erin");
        iam.AddUser("frank", Now.AddDays(-30), tags: Tags(("mfa-exempt-until", "2027-01-01")));
        iam.AddUser("grace", Now.AddDays(-30), path: "/break-glass/");
        iam.TakeReport(ReportTime);
    }

    private static readonly RuleParameters BreakGlassExempt = Parameters("""{"ExemptPathPrefixes":"/break-glass/"}""");

    [Fact]
    public async Task Sweep_200FreshUsersWithVirtualMfa_MakesNoPerUserCalls()
    {
        for (var i = 0; i < 200; i++) _iam.AddUser($"user{i:000}", Now.AddDays(-30), [Virtual($"user{i:000}")]);
        _iam.TakeReport(ReportTime);

        var result = await Sweep();

        Assert.Equal(new Dictionary<string, int> { ["console password per report and a virtual MFA device assigned to this user ID now"] = 200 }, result.Stats.PlanReasons);
        Assert.Equal(200, result.Assessments.Count(a => a.Compliance == ComplianceType.Compliant && a.IsFinal));
        Assert.Empty(result.Failures);
        Assert.Empty(_iam.PerUserCalls);
        Assert.Equal(1, _iam.Count(FakeIamClient.ListUsers));
        Assert.Equal(1, _iam.Count(FakeIamClient.GetCredentialReport));
        Assert.Equal(1, _iam.Count(FakeIamClient.ListVirtualMFADevices));
        Assert.Equal(0, _iam.Count(FakeIamClient.GenerateCredentialReport));
        Assert.Equal(200, result.Stats.Users);
        Assert.Equal("credential-report+live", result.Stats.Mode);
        Assert.Equal(ReportTime, result.Stats.ReportGeneratedTime);
        Assert.Equal(0, result.Stats.ChangedSinceReport);
        Assert.Equal(0, result.Stats.LiveReads);
        Assert.Empty(result.Stats.Warnings);
    }

    [Fact]
    public async Task Sweep_WithReport_AsksCloudTrailOnlyForDeletedPasswordsSinceShortlyBeforeTheReport()
    {
        SeedAccount();

        await Sweep();

        Assert.Equal(IamEventNames.InvalidatingReport, _cloudTrail.Calls.Select(c => c.AttributeValue));
        Assert.All(_cloudTrail.Calls, call =>
        {
            Assert.Equal("EventName", call.AttributeKey);
            Assert.Equal(ReportTime - new AssessorOptions().CloudTrailMargin, call.StartTime);
            Assert.Equal(Now, call.EndTime);
        });
    }

    [Fact]
    public async Task Sweep_NoPasswordPerReportButCreateLoginProfileSince_ReadsLiveAndIsNonCompliant()
    {
        SeedAccount();
        _iam.SetPassword("erin", SinceReport);
        _cloudTrail.Record("CreateLoginProfile", "erin", SinceReport);

        var result = await Sweep(BreakGlassExempt);

        var erin = result.Assessments.Single(a => a.User.UserName == "erin");
        Assert.Equal(ComplianceType.NonCompliant, erin.Compliance);
        Assert.True(erin.IsFinal);
        Assert.Contains("erin", _iam.ReadLive);
        // The sweep no longer needs CloudTrail to see a new password: GetLoginProfile shows it.
        Assert.Equal(0, result.Stats.ChangedSinceReport);
    }

    [Fact]
    public async Task Sweep_PasswordCreatedSinceReportButNotInCloudTrailYet_IsCheckedLiveAndNonCompliant()
    {
        // Issue 7 case 4: CloudTrail's delivery lag used to hide a new console password behind the report's "none".
        SeedAccount();
        _iam.SetPassword("erin", SinceReport);

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal(ComplianceType.NonCompliant, Verdict(result, "erin"));
        Assert.Contains("erin", _iam.ReadLive);
    }

    [Fact]
    public async Task Sweep_PasswordCreatedSinceReportWithNoPasswordCompliant_IsNeverCompliantOnTheReportsWord()
    {
        SeedAccount();
        _iam.SetPassword("erin", SinceReport);

        var result = await Sweep(Parameters("""{"NoPasswordResult":"COMPLIANT","ExemptPathPrefixes":"/break-glass/"}"""));

        Assert.Equal(ComplianceType.NonCompliant, Verdict(result, "erin"));
    }

    [Fact]
    public async Task Sweep_PasswordCreatedSinceReportAndUsedToSignIn_ListUsersGivesItAwayWithoutCloudTrail()
    {
        // CloudTrail has not delivered the CreateLoginProfile yet, but ListUsers' PasswordLastUsed shows a console
        // sign-in after the report by a user the report shows without a password.
        SeedAccount();
        _iam.SetPassword("erin", SinceReport);
        _iam.SignIn("erin", SinceReport.AddMinutes(2));

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal(ComplianceType.NonCompliant, Verdict(result, "erin"));
        Assert.Contains("erin", _iam.ReadLive);
    }

    [Fact]
    public async Task Sweep_NoPasswordPerReportAndNoneLive_CostsOneGetLoginProfile()
    {
        SeedAccount();

        var result = await Sweep(BreakGlassExempt);

        var erin = result.Assessments.Single(a => a.User.UserName == "erin");
        Assert.Equal(ComplianceType.NotApplicable, erin.Compliance);
        Assert.DoesNotContain("(credential report)", erin.Annotation, StringComparison.Ordinal);
        Assert.Contains("erin", _iam.PasswordCheckedOnly);
        Assert.Equal(1, result.Stats.PasswordChecks);
    }

    [Fact]
    public async Task Sweep_VirtualMfaDeactivatedSinceReport_NoDeviceAssignedNow_ReadsLiveAndIsNonCompliant()
    {
        // No CloudTrail record: the bulk ListVirtualMFADevices listing alone must catch it.
        SeedAccount();
        _iam.SetDevices("alice");

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal(ComplianceType.NonCompliant, Verdict(result, "alice"));
        Assert.Contains("alice", _iam.ReadLive);
    }

    [Fact]
    public async Task Sweep_HardwareMfaDeactivatedSinceReport_RecordedInCloudTrail_ReadsLiveAndIsNonCompliant()
    {
        SeedAccount();
        _iam.SetDevices("carol");
        _cloudTrail.Record("DeactivateMFADevice", "carol", SinceReport);

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal(ComplianceType.NonCompliant, Verdict(result, "carol"));
        Assert.Contains("carol", _iam.ReadLive);
    }

    [Fact]
    public async Task Sweep_VirtualMfaEnabledSinceReport_IsCompliantFromTheBulkListing()
    {
        SeedAccount();
        _iam.SetDevices("bob", Virtual("bob"));

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal(ComplianceType.Compliant, Verdict(result, "bob"));
        Assert.DoesNotContain(_iam.PerUserCalls, c => c.UserName == "bob");
    }

    [Fact]
    public async Task Sweep_MixedAccount_NonCompliantOnlyAfterLiveReadsAndTagsOnlyWhenTheyMatter()
    {
        SeedAccount();

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal(ComplianceType.Compliant, Verdict(result, "alice"));
        Assert.Equal(ComplianceType.NonCompliant, Verdict(result, "bob"));
        Assert.Equal(ComplianceType.Compliant, Verdict(result, "carol"));
        Assert.Equal(ComplianceType.Compliant, Verdict(result, "dave"));
        Assert.Equal(ComplianceType.NotApplicable, Verdict(result, "erin"));
        Assert.Equal(ComplianceType.NotApplicable, Verdict(result, "frank"));
        Assert.Equal(ComplianceType.NotApplicable, Verdict(result, "grace"));
        Assert.All(result.Assessments, a => Assert.True(a.IsFinal));
        Assert.Empty(result.Failures);

        // alice alone rests on bulk evidence (report password, assigned virtual device); erin's "no password" is checked;
        // every other password user has no virtual device assigned, so only ListMFADevices can tell.
        Assert.Equal(["bob", "carol", "dave", "frank", "grace"], _iam.ReadLive.Order(StringComparer.Ordinal));
        Assert.Equal(["erin"], _iam.PasswordCheckedOnly);
        Assert.DoesNotContain(_iam.PerUserCalls, c => c.UserName == "alice");
        Assert.Equal(["bob", "frank"], _iam.Calls.Where(c => c.Operation == FakeIamClient.ListUserTags).Select(c => c.UserName!).Order(StringComparer.Ordinal));
        Assert.Equal(5, result.Stats.LiveReads);
        Assert.Equal(7, result.Stats.Users);
        Assert.True(result.UserIds.SetEquals(result.Assessments.Select(a => a.User.UserId)));
    }

    [Fact]
    public async Task Sweep_ThrottledUser_GetsNoVerdictWhileOthersGetTheirs()
    {
        SeedAccount();
        _iam.Fail(FakeIamClient.ListMFADevices, "Throttling", userName: "bob");

        var result = await Sweep(BreakGlassExempt);

        Assert.Null(Verdict(result, "bob"));
        var failure = Assert.Single(result.Failures);
        Assert.Equal("bob", failure.User.UserName);
        Assert.Contains("ListMFADevices", failure.Cause, StringComparison.Ordinal);
        Assert.Contains("Throttling", failure.Cause, StringComparison.Ordinal);
        Assert.Equal(6, result.Assessments.Count);
        Assert.Contains(failure.User.UserId, result.UserIds);
    }

    [Fact]
    public async Task Sweep_ThrottledTagRead_GetsNoVerdict()
    {
        SeedAccount();
        _iam.Fail(FakeIamClient.ListUserTags, "Throttling", userName: "frank");

        var result = await Sweep(BreakGlassExempt);

        Assert.Null(Verdict(result, "frank"));
        Assert.Equal("frank", Assert.Single(result.Failures).User.UserName);
    }

    [Fact]
    public async Task Sweep_NetworkFailureForOneUser_GetsNoVerdict()
    {
        SeedAccount();
        _iam.OnCall = call =>
        {
            if (call is { Operation: FakeIamClient.GetLoginProfile, UserName: "bob" }) throw new HttpRequestException("connection reset");
        };

        var result = await Sweep(BreakGlassExempt);

        var failure = Assert.Single(result.Failures);
        Assert.Equal("bob", failure.User.UserName);
        Assert.Equal("network: connection reset", failure.Cause);
    }

    [Fact]
    public async Task Sweep_ReportGenerationLimitExceeded_ReadsAllLiveWithTheSameVerdicts()
    {
        SeedAccount();
        var withReport = await Sweep(BreakGlassExempt);

        var fallback = new FakeIamClient(_time);
        SeedAccount(fallback);
        fallback.Report = null;
        fallback.GenerateError = "LimitExceeded";
        var result = await new UserSweep(fallback, _cloudTrail, _time, new AssessorOptions()).SweepAsync(BreakGlassExempt, CancellationToken.None);

        Assert.Equal(
            withReport.Assessments.Select(a => (a.User.UserName, a.Compliance)),
            result.Assessments.Select(a => (a.User.UserName, a.Compliance)));
        Assert.Equal("live", result.Stats.Mode);
        Assert.Null(result.Stats.ReportGeneratedTime);
        Assert.Contains(result.Stats.Warnings, w => w.Contains("LimitExceeded", StringComparison.Ordinal));
        Assert.Equal(7, fallback.ReadLive.Count);
        Assert.Equal(7, result.Stats.LiveReads);
        Assert.Equal(0, fallback.Count(FakeIamClient.ListVirtualMFADevices));
    }

    [Fact]
    public async Task Sweep_CloudTrailFails_ChecksLiveOnlyThePasswordsTheReportVouchesFor()
    {
        // Issue 7 case 2's rule: a failed source removes exactly the shortcuts resting on it. CloudTrail only vouches
        // that a password the report shows was not deleted since.
        SeedAccount();
        _cloudTrail.Error = "AccessDeniedException";
        _iam.SetPassword("alice", null);

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal("credential-report+live", result.Stats.Mode);
        Assert.Contains(result.Stats.Warnings, w => w.Contains("CloudTrail LookupEvents failed (AccessDeniedException); every console password the report shows is checked live", StringComparison.Ordinal));
        Assert.Equal(["alice", "erin"], _iam.PasswordCheckedOnly.Order(StringComparer.Ordinal));
        Assert.Equal(ComplianceType.NotApplicable, Verdict(result, "alice"));
        Assert.Equal(7, result.Assessments.Count);
    }

    [Fact]
    public async Task Sweep_PasswordDeletedSinceReportAndInCloudTrail_IsCheckedLiveAndNotApplicable()
    {
        SeedAccount();
        _iam.SetPassword("alice", null);
        _cloudTrail.Record("DeleteLoginProfile", "alice", SinceReport);

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal(ComplianceType.NotApplicable, Verdict(result, "alice"));
        Assert.Contains("alice", _iam.PasswordCheckedOnly);
        Assert.Equal(1, result.Stats.ChangedSinceReport);
    }

    [Fact]
    public async Task Sweep_PasswordDeletedSinceReportNotInCloudTrailYet_IsTheOneBenignStaleness()
    {
        // Pinned on purpose: the report's password and a live virtual device give COMPLIANT where the truth is now
        // NOT_APPLICABLE, until CloudTrail delivers the DeleteLoginProfile. Never the dangerous direction.
        SeedAccount();
        _iam.SetPassword("alice", null);

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal(ComplianceType.Compliant, Verdict(result, "alice"));
        Assert.DoesNotContain(_iam.PerUserCalls, c => c.UserName == "alice");
    }

    [Fact]
    public async Task Sweep_DeletedPasswordCloudTrailCannotPinOnAUser_ChecksThePasswordsTheReportVouchesFor()
    {
        SeedAccount();
        // Self-service DeleteLoginProfile may omit userName; its resources name no user either.
        _cloudTrail.Add(new MfaConfigRule.CloudTrail.CloudTrailEvent("evt-anon", "DeleteLoginProfile", ReportTime.AddMinutes(5), "iam.amazonaws.com",
            ["GAHT12345678"], """{"requestParameters":{}}"""));

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal("credential-report+live", result.Stats.Mode);
        Assert.Contains(result.Stats.Warnings, w => w.Contains("evt-anon", StringComparison.Ordinal));
        Assert.Equal(["alice", "erin"], _iam.PasswordCheckedOnly.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(_iam.PerUserCalls, c => c.UserName == "GAHT12345678");
        Assert.Equal(7, result.Assessments.Count);
    }

    [Fact]
    public async Task Sweep_ReportUnreadable_ReadsEveryUserLive()
    {
        SeedAccount();
        _iam.Report = new CredentialReportDocument("<html>not a report</html>", ReportTime);

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal("live", result.Stats.Mode);
        Assert.Contains(result.Stats.Warnings, w => w.StartsWith("credential report unreadable", StringComparison.Ordinal));
        Assert.Equal(7, _iam.ReadLive.Count);
    }

    [Fact]
    public async Task Sweep_ReportAccessDenied_ReadsEveryUserLive()
    {
        SeedAccount();
        _iam.Fail(FakeIamClient.GetCredentialReport, "AccessDenied");

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal("live", result.Stats.Mode);
        Assert.Contains(result.Stats.Warnings, w => w.Contains("credential report unavailable (AccessDenied)", StringComparison.Ordinal));
        Assert.Equal(7, result.Assessments.Count);
    }

    [Fact]
    public async Task Sweep_LiveOnly_NeverAsksForTheReportOrCloudTrail()
    {
        SeedAccount();

        var result = await Sweep(BreakGlassExempt, new AssessorOptions { UseCredentialReport = false });

        Assert.Equal("live", result.Stats.Mode);
        Assert.Equal(0, _iam.Count(FakeIamClient.GetCredentialReport));
        Assert.Empty(_cloudTrail.Calls);
        Assert.Equal(7, _iam.ReadLive.Count);
        Assert.Empty(result.Stats.Warnings);
    }

    [Fact]
    public async Task Sweep_ReportOlderThanMaxAge_RegeneratesAndUsesTheNewOne()
    {
        SeedAccount();
        _iam.TakeReport(Now.AddHours(-5));
        // Changed after the old report, not recorded anywhere: only the regenerated report knows.
        _iam.SetPassword("erin", Now.AddHours(-2));

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal(1, _iam.Count(FakeIamClient.GenerateCredentialReport));
        Assert.Equal(2, _iam.Count(FakeIamClient.GetCredentialReport));
        Assert.Equal(Now, result.Stats.ReportGeneratedTime);
        Assert.Equal(ComplianceType.NonCompliant, Verdict(result, "erin"));
    }

    [Fact]
    public async Task Sweep_ReportNotPresent_GeneratesItAndUsesIt()
    {
        SeedAccount();
        _iam.Report = null;

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal(1, _iam.Count(FakeIamClient.GenerateCredentialReport));
        Assert.Equal("credential-report+live", result.Stats.Mode);
        Assert.Equal(Now, result.Stats.ReportGeneratedTime);
    }

    [Fact]
    public async Task Sweep_ReportInProgress_PollsUntilItIsReady()
    {
        SeedAccount();
        _iam.FailReportWith("ReportInProgress", "ReportInProgress");

        var result = await _time.Advancing(Sweep(BreakGlassExempt), TimeSpan.FromMilliseconds(500));

        Assert.Equal("credential-report+live", result.Stats.Mode);
        Assert.Equal(3, _iam.Count(FakeIamClient.GetCredentialReport));
        Assert.Equal(0, _iam.Count(FakeIamClient.GenerateCredentialReport));
        Assert.Equal(ReportTime, result.Stats.ReportGeneratedTime);
    }

    [Fact]
    public async Task Sweep_ReportNeverReady_FallsBackToLiveAfterTheWait()
    {
        SeedAccount();
        _iam.FailReportWith([.. Enumerable.Repeat("ReportInProgress", 1000)]);

        var result = await _time.Advancing(Sweep(BreakGlassExempt), TimeSpan.FromSeconds(1));

        Assert.Equal("live", result.Stats.Mode);
        Assert.Contains(result.Stats.Warnings, w => w.Contains("credential report not ready within 60 s (the report wait, no deadline", StringComparison.Ordinal));
        Assert.InRange(_iam.Count(FakeIamClient.GetCredentialReport), 2, 31);
        Assert.Equal(7, result.Assessments.Count);
    }

    [Fact]
    public async Task Sweep_ReportNeverReadyUnderASixtySecondDeadline_WaitsOnlyWhatLeavesTimeToReadEveryoneLive()
    {
        SeedAccount();
        _iam.FailReportWith([.. Enumerable.Repeat("ReportInProgress", 1000)]);
        // What the dispatcher hands a 60 s function: the deadline, 10 s kept for PutEvaluations, a token cancelled at 50 s.
        var deadline = new SweepDeadline(Now.AddSeconds(60), TimeSpan.FromSeconds(10));
        using var budget = new CancellationTokenSource(deadline.StopBy - Now, _time);

        var result = await _time.Advancing(
            new UserSweep(_iam, _cloudTrail, _time, new AssessorOptions()).SweepAsync(BreakGlassExempt, budget.Token, deadline: deadline), TimeSpan.FromSeconds(1));

        // 7 users: 1 round + 1 at 0.5 s = 1 s of live reads, so 60 - 10 - 1 = 49 s may be waited, not the configured 60.
        Assert.Equal("live", result.Stats.Mode);
        Assert.Contains(result.Stats.Warnings, w => w.Contains("not ready within 49 s (the report wait, up to 49 s, not the configured 60 s", StringComparison.Ordinal));
        Assert.Empty(result.Failures);
        Assert.Equal(7, result.Assessments.Count);
        Assert.True(_time.GetUtcNow() <= deadline.StopBy, $"the sweep ended at {_time.GetUtcNow():O}, after {deadline.StopBy:O}");
    }

    [Fact]
    public async Task Sweep_ReportNeverReadyAndNoTimeToSpare_ReadsEveryoneLiveWithoutWaiting()
    {
        SeedAccount();
        _iam.FailReportWith([.. Enumerable.Repeat("ReportInProgress", 1000)]);
        var deadline = new SweepDeadline(Now.AddSeconds(11), TimeSpan.FromSeconds(10));

        var result = await new UserSweep(_iam, _cloudTrail, _time, new AssessorOptions()).SweepAsync(BreakGlassExempt, CancellationToken.None, deadline: deadline);

        Assert.Equal(Now, _time.GetUtcNow());
        Assert.Contains(result.Stats.Warnings, w => w.Contains("not ready within 0 s (the report wait, no time to wait", StringComparison.Ordinal));
        Assert.Equal(1, _iam.Count(FakeIamClient.GetCredentialReport));
        Assert.Equal(7, result.Assessments.Count);
    }

    [Fact]
    public async Task Sweep_SlowIamCalls_MeasuredCostShortensTheReportWait()
    {
        SeedAccount();
        _iam.FailReportWith([.. Enumerable.Repeat("ReportInProgress", 1000)]);
        // The first GetCredentialReport takes 4 s: a live read is taken to cost 8 s, 2 rounds 16 s; 60 - 10 - 4 - 16 = 30 s.
        var first = true;
        _iam.OnCall = call =>
        {
            if (call.Operation == FakeIamClient.GetCredentialReport && first)
            {
                first = false;
                _time.Advance(TimeSpan.FromSeconds(4));
            }
        };
        var deadline = new SweepDeadline(Now.AddSeconds(60), TimeSpan.FromSeconds(10));

        var result = await _time.Advancing(
            new UserSweep(_iam, _cloudTrail, _time, new AssessorOptions()).SweepAsync(BreakGlassExempt, CancellationToken.None, deadline: deadline), TimeSpan.FromSeconds(1));

        Assert.Contains(result.Stats.Warnings, w => w.Contains("not ready within 30 s", StringComparison.Ordinal));
        Assert.Equal(7, result.Assessments.Count);
    }

    [Fact]
    public async Task Sweep_UserCreatedAfterTheReport_IsReadLive()
    {
        SeedAccount();
        _iam.AddUser(User("henry", created: SinceReport), SinceReport, [Virtual("henry")]);

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal(ComplianceType.Compliant, Verdict(result, "henry"));
        Assert.Contains("henry", _iam.ReadLive);
    }

    [Fact]
    public async Task Sweep_UserCreatedJustBeforeTheReport_IsReadLive()
    {
        // A user created within CloudTrailMargin of the report may have raced it.
        _iam.AddUser(User("ivan", created: ReportTime.AddMinutes(-5)), ReportTime.AddMinutes(-5), [Virtual("ivan")]);
        _iam.AddUser(User("judy", created: ReportTime.AddMinutes(-20)), ReportTime.AddMinutes(-20), [Virtual("judy")]);
        _iam.TakeReport(ReportTime);

        var result = await Sweep();

        Assert.Equal(ComplianceType.Compliant, Verdict(result, "ivan"));
        Assert.Equal(["ivan"], _iam.ReadLive);
    }

    [Fact]
    public async Task Sweep_OnlyFidoAllowed_VirtualUserIsReadLiveAndNonCompliant()
    {
        SeedAccount();

        var result = await Sweep(Parameters("""{"AllowedMfaTypes":"fido","ExemptPathPrefixes":"/break-glass/"}"""));

        var alice = result.Assessments.Single(a => a.User.UserName == "alice");
        Assert.Equal(ComplianceType.NonCompliant, alice.Compliance);
        Assert.Contains("only virtual MFA", alice.Annotation, StringComparison.Ordinal);
        Assert.Contains("alice", _iam.ReadLive);
        Assert.Equal(ComplianceType.Compliant, Verdict(result, "dave"));
        Assert.Equal(ComplianceType.NonCompliant, Verdict(result, "carol"));
    }

    [Fact]
    public async Task Sweep_ConsoleAndProgrammaticUsersSwapNamesAfterTheReport_NeitherBorrowsTheOthersRow()
    {
        // Issue 7 case 1: the console user without MFA took the programmatic user's name, and its row's "no password".
        SeedAccount();
        _iam.AddUser("svc-build");
        _iam.TakeReport(ReportTime);
        _iam.RenameUser("bob", "tmp");
        _iam.RenameUser("svc-build", "bob");
        _iam.RenameUser("tmp", "svc-build");

        var result = await Sweep(Parameters("""{"NoPasswordResult":"COMPLIANT","ExemptPathPrefixes":"/break-glass/"}"""));

        var consoleUser = result.Assessments.Single(a => a.User.UserId == UserIdFor("bob"));
        Assert.Equal("svc-build", consoleUser.User.UserName);
        Assert.Equal(ComplianceType.NonCompliant, consoleUser.Compliance);
        Assert.Equal(ComplianceType.Compliant, result.Assessments.Single(a => a.User.UserId == UserIdFor("svc-build")).Compliance);
        Assert.Contains("svc-build", _iam.ReadLive);
    }

    [Fact]
    public async Task Sweep_ConsoleUserRenamedOntoADeletedUsersName_IsReadLive()
    {
        SeedAccount();
        _iam.AddUser("svc-old");
        _iam.TakeReport(ReportTime);
        _iam.DeleteUser("svc-old");
        _iam.RenameUser("bob", "svc-old");

        var result = await Sweep(BreakGlassExempt);

        Assert.Equal(ComplianceType.NonCompliant, Verdict(result, "svc-old"));
    }

    [Fact]
    public async Task Sweep_UserRenamedBetweenListUsersAndItsLiveReads_IsReadUnderItsNewName()
    {
        // Issue 7 case 6: NoSuchEntity under the old name is not proof of deletion; the ID is looked up again.
        SeedAccount();
        _iam.OnCall = call =>
        {
            if (call is { Operation: FakeIamClient.GetCredentialReport }) _iam.RenameUser("bob", "robert");
        };

        var result = await Sweep(BreakGlassExempt);

        var bob = result.Assessments.Single(a => a.User.UserId == UserIdFor("bob"));
        Assert.Equal("robert", bob.User.UserName);
        Assert.Equal(ComplianceType.NonCompliant, bob.Compliance);
        Assert.Empty(result.Failures);
        Assert.Equal(2, _iam.Count(FakeIamClient.ListUsers));
    }

    [Fact]
    public async Task Sweep_NoPasswordUserRenamedBeforeItsCheck_IsReadUnderItsNewName()
    {
        // GetLoginProfile answers NoSuchEntity both for "no password" and "no such user": the "no password" of a
        // user who was renamed meanwhile must not stand.
        SeedAccount();
        _iam.OnCall = call =>
        {
            if (call is { Operation: FakeIamClient.GetLoginProfile, UserName: "erin" })
            {
                _iam.OnCall = null;
                _iam.RenameUser("erin", "erin2");
                _iam.SetPassword("erin2", Now.AddMinutes(-1));
            }
        };

        var result = await Sweep(BreakGlassExempt);

        var erin = result.Assessments.Single(a => a.User.UserId == UserIdFor("erin"));
        Assert.Equal(("erin2", ComplianceType.NonCompliant), (erin.User.UserName, erin.Compliance));
    }

    [Fact]
    public async Task Sweep_ReResolvingListUsersFails_ThoseUsersGetNoVerdictOthersKeepTheirs()
    {
        SeedAccount();
        _iam.OnCall = call =>
        {
            if (call is { Operation: FakeIamClient.GetCredentialReport }) _iam.RenameUser("bob", "robert");
        };
        var listings = 0;
        var inner = _iam.OnCall;
        _iam.OnCall = call =>
        {
            inner(call);
            if (call.Operation == FakeIamClient.ListUsers && ++listings == 2) throw FakeIamClient.Error(FakeIamClient.ListUsers, "Throttling");
        };

        var result = await Sweep(BreakGlassExempt);

        Assert.Contains(result.Failures, f => f.User.UserName == "bob" && f.Cause.Contains("could not be looked up by ID", StringComparison.Ordinal));
        Assert.Equal(ComplianceType.Compliant, Verdict(result, "alice"));
    }

    [Fact]
    public async Task Sweep_UnexpectedExceptionForOneUser_CostsOnlyThatUsersVerdict()
    {
        // Issue 7 case 5: anything unexpected while assessing one user is that user's failure, never the sweep's.
        SeedAccount();
        _iam.OnCall = call =>
        {
            if (call is { Operation: FakeIamClient.ListMFADevices, UserName: "carol" }) throw new InvalidOperationException("poison");
        };

        var result = await Sweep(BreakGlassExempt);

        var failure = Assert.Single(result.Failures);
        Assert.Equal("carol", failure.User.UserName);
        Assert.Equal("unexpected InvalidOperationException while assessing this user: poison", failure.Cause);
        Assert.Equal(6, result.Assessments.Count);
    }

    [Fact]
    public async Task Sweep_ExemptionTagThatNeverExpires_EveryOtherUserKeepsItsVerdict()
    {
        // mfa-exempt-until=9999-12-31 once overflowed the date arithmetic and took the whole sweep down.
        SeedAccount();
        _iam.SetTag("bob", "mfa-exempt-until", "9999-12-31");

        var result = await Sweep(BreakGlassExempt);

        Assert.Empty(result.Failures);
        Assert.Equal(6, result.Assessments.Count(a => a.User.UserName != "bob"));
        Assert.Equal(ComplianceType.NotApplicable, Verdict(result, "bob"));
    }

    [Fact]
    public async Task Sweep_UserDeletedDuringTheSweep_IsNotApplicable()
    {
        SeedAccount();
        _iam.OnCall = call =>
        {
            if (call.Operation == FakeIamClient.GetCredentialReport) _iam.DeleteUser("bob");
        };

        var result = await Sweep(BreakGlassExempt);

        var bob = result.Assessments.Single(a => a.User.UserName == "bob");
        Assert.Equal(ComplianceType.NotApplicable, bob.Compliance);
        Assert.Equal("The user no longer exists.", bob.Annotation);
        Assert.Empty(result.Failures);
    }

    [Fact]
    public async Task Sweep_DeadlinePassesMidSweep_UnreadUsersAreFailuresNotVerdicts()
    {
        for (var i = 0; i < 10; i++) _iam.AddUser($"user{i}", Now.AddDays(-30));
        _iam.TakeReport(ReportTime);
        using var deadline = new CancellationTokenSource();
        var reads = 0;
        _iam.OnCall = call =>
        {
            if (call.Operation == FakeIamClient.GetLoginProfile && Interlocked.Increment(ref reads) == 3) deadline.Cancel();
        };

        var result = await Sweep(options: new AssessorOptions { Concurrency = 1 }, cancellationToken: deadline.Token);

        Assert.Equal(3, result.Assessments.Count);
        Assert.All(result.Assessments, a => Assert.Equal(ComplianceType.NonCompliant, a.Compliance));
        Assert.Equal(7, result.Failures.Count);
        Assert.All(result.Failures, f => Assert.Equal("not read: the invocation deadline came first", f.Cause));
        Assert.Equal(3, _iam.Count(FakeIamClient.GetLoginProfile));
        Assert.Equal(10, result.UserIds.Count);
    }

    [Fact]
    public async Task Sweep_ReportRowsThatCannotBeRead_AreWarningsAndThoseUsersAreReadLive()
    {
        SeedAccount();
        var csv = _iam.Report!.Csv.Replace("alice,arn:aws:iam::123456789012:user/alice,", "alice,user/alice,", StringComparison.Ordinal);
        _iam.Report = new CredentialReportDocument(csv, ReportTime);

        var result = await Sweep(BreakGlassExempt);

        Assert.Contains(result.Stats.Warnings, w => w.StartsWith("credential report line 3: arn 'user/alice' is not an ARN", StringComparison.Ordinal));
        Assert.Equal(ComplianceType.Compliant, Verdict(result, "alice"));
        Assert.Contains("alice", _iam.ReadLive);
        Assert.Equal("credential-report+live", result.Stats.Mode);
    }

    [Fact]
    public async Task Sweep_ListVirtualMfaDevicesFails_ReadsEveryPasswordUserLiveAndNeverTrustsTheReportsMfaFlag()
    {
        // Issue 7 case 2: the report's mfa_active used to be trusted for everyone once the listing failed, so MFA removed
        // after the report came out COMPLIANT.
        SeedAccount();
        _iam.Fail(FakeIamClient.ListVirtualMFADevices, "AccessDenied");
        _iam.SetDevices("alice");
        _iam.SetDevices("carol");

        var result = await Sweep(BreakGlassExempt);

        Assert.Contains(result.Stats.Warnings, w => w == "ListVirtualMFADevices failed (AccessDenied); every user the report shows with a console password is read live");
        Assert.Equal(ComplianceType.NonCompliant, Verdict(result, "alice"));
        Assert.Equal(ComplianceType.NonCompliant, Verdict(result, "carol"));
        Assert.Equal(ComplianceType.Compliant, Verdict(result, "dave"));
        Assert.Equal(["alice", "bob", "carol", "dave", "frank", "grace"], _iam.ReadLive.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Sweep_ListUsersFails_FailsTheWholeSweep()
    {
        SeedAccount();
        _iam.Fail(FakeIamClient.ListUsers, "Throttling");

        await Assert.ThrowsAsync<MfaConfigRule.Aws.AwsServiceException>(() => Sweep());
    }

    [Fact]
    public async Task Sweep_Progress_CountsEveryUserIncludingFailures()
    {
        SeedAccount();
        _iam.Fail(FakeIamClient.ListMFADevices, "Throttling", userName: "bob");
        var reports = new List<(int Done, int Total)>();
        var progress = new SynchronousProgress(reports);

        await Sweep(BreakGlassExempt, progress: progress);

        Assert.Equal(7, reports.Count);
        Assert.Equal(Enumerable.Range(1, 7), reports.Select(r => r.Done).Order());
        Assert.All(reports, r => Assert.Equal(7, r.Total));
    }

    [Fact]
    public async Task Sweep_Results_AreOrderedByUserName()
    {
        _iam.AddUser("zed", Now.AddDays(-30));
        _iam.AddUser("amy", Now.AddDays(-30));
        _iam.AddUser("mia", Now.AddDays(-30), [Virtual("mia")]);
        _iam.TakeReport(ReportTime);
        _iam.Fail(FakeIamClient.ListMFADevices, "Throttling", userName: "zed");
        _iam.Fail(FakeIamClient.ListMFADevices, "Throttling", userName: "amy");

        var result = await Sweep();

        Assert.Equal(["mia"], result.Assessments.Select(a => a.User.UserName));
        Assert.Equal(["amy", "zed"], result.Failures.Select(f => f.User.UserName));
    }

    [Fact]
    public async Task Sweep_WhileListUsersIsStillInFlight_ReadsTheReportCloudTrailAndVirtualDevices()
    {
        SeedAccount();
        var listUsers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _iam.Hold(FakeIamClient.ListUsers, listUsers.Task);

        var sweep = Sweep(BreakGlassExempt);

        // The account-wide reads do not wait for one another: all the others are made before ListUsers answers.
        Assert.False(sweep.IsCompleted);
        Assert.Equal(1, _iam.Count(FakeIamClient.GetCredentialReport));
        Assert.Equal(1, _iam.Count(FakeIamClient.ListVirtualMFADevices));
        Assert.Equal(IamEventNames.InvalidatingReport, _cloudTrail.Calls.Select(c => c.AttributeValue));
        listUsers.SetResult();
        var result = await sweep;
        Assert.Equal("credential-report+live", result.Stats.Mode);
        Assert.Equal(7, result.Assessments.Count);
    }

    [Fact]
    public async Task Sweep_ListUsersFailsWhileTheReportIsAwaited_FailsWithTheListUsersErrorWithoutWaitingForTheReport()
    {
        SeedAccount();
        // The report never comes unless the sweep gives up on it; only ListUsers' failure can end this sweep.
        _iam.Hold(FakeIamClient.GetCredentialReport, new TaskCompletionSource().Task);
        _iam.Fail(FakeIamClient.ListUsers, "AccessDenied");

        var error = await Assert.ThrowsAsync<MfaConfigRule.Aws.AwsServiceException>(() => Sweep(BreakGlassExempt).WaitAsync(TimeSpan.FromMinutes(1)));

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal(1, _iam.Count(FakeIamClient.GetCredentialReport));
        Assert.Empty(_cloudTrail.Calls);
        Assert.Empty(_iam.PerUserCalls);
    }

    private sealed class SynchronousProgress(List<(int Done, int Total)> reports) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value)
        {
            lock (reports) reports.Add(value);
        }
    }
}

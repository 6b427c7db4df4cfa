using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.ConfigEvents;
using MfaConfigRule.Iam;
using MfaConfigRule.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.ConfigEvents;

public sealed class ConfigRuleHandlerTests
{
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeIamClient _iam;
    private readonly FakeCloudTrailClient _cloudTrail = new();
    private readonly FakeConfigClient _config;

    public ConfigRuleHandlerTests()
    {
        _iam = new FakeIamClient(_time);
        _config = new FakeConfigClient(_time);
    }

    private ConfigRuleHandler Handler(AssessorOptions? assessor = null) => new(
        new UserAssessor(_iam, _cloudTrail, _time, assessor ?? new AssessorOptions()),
        new EvaluationReporter(_config, _time, new ReporterOptions { FailedEvaluationDelay = TimeSpan.Zero }),
        _config,
        _time,
        new HandlerOptions());

    private Task<InvocationSummary> Handle(string eventJson, DateTimeOffset? deadline = null, AssessorOptions? assessor = null) =>
        Handler(assessor).HandleAsync(eventJson, deadline, CancellationToken.None);

    private IamUser GivenAliceWithMfa() => _iam.AddUser("alice", Now.AddDays(-30), [Virtual("alice")]);

    private IamUser GivenBobWithoutMfa() => _iam.AddUser("bob", Now.AddDays(-30));

    private void SeedAccount()
    {
        GivenAliceWithMfa();
        GivenBobWithoutMfa();
        _iam.AddUser("erin");
        _iam.TakeReport(Now.AddHours(-1));
    }

    // Periodic: the whole account.

    [Fact]
    public async Task Handle_Scheduled_PutsOneVerdictPerUserOrderedByTheNotificationTime()
    {
        SeedAccount();
        var notified = Now.AddMinutes(-2);

        var summary = await Handle(ScheduledEvent(notificationCreationTime: notified));

        Assert.True(summary.Succeeded);
        Assert.Equal(InvokingEvent.Scheduled, summary.MessageType);
        Assert.Equal(RuleName, summary.ConfigRuleName);
        var put = Assert.Single(_config.Puts);
        Assert.Equal(ResultToken, put.ResultToken);
        Assert.False(put.TestMode);
        Assert.Equal(
            [(UserIdFor("alice"), ComplianceType.Compliant), (UserIdFor("bob"), ComplianceType.NonCompliant), (UserIdFor("erin"), ComplianceType.NotApplicable)],
            put.Evaluations.Select(e => (e.ResourceId, e.Compliance)));
        Assert.All(put.Evaluations, e =>
        {
            Assert.Equal("AWS::IAM::User", e.ResourceType);
            Assert.Equal(notified, e.OrderingTimestamp);
        });
        Assert.Equal(1, summary.CountsByVerdict["NON_COMPLIANT"]);
        Assert.NotNull(summary.Sweep);
        Assert.Equal("credential-report+live", summary.Sweep.Mode);
        Assert.Equal(string.Empty, summary.FailureMessage());
    }

    [Fact]
    public async Task Handle_ScheduledWithoutNotificationTime_OrdersByNow()
    {
        SeedAccount();
        var json = ScheduledEvent().Replace("\\u0022notificationCreationTime\\u0022", "\\u0022ignored\\u0022", StringComparison.Ordinal)
            .Replace("\\\"notificationCreationTime\\\"", "\\\"ignored\\\"", StringComparison.Ordinal);
        Assert.Null(ConfigEvent.Parse(json).Invoking.NotificationCreationTime);

        await Handle(json);

        Assert.All(_config.Accepted, e => Assert.Equal(Now, e.OrderingTimestamp));
    }

    [Fact]
    public async Task Handle_ScheduledInTestMode_PutsWithTestMode()
    {
        SeedAccount();

        var summary = await Handle(ScheduledEvent(resultToken: ConfigEvent.TestModeToken));

        Assert.True(summary.TestMode);
        Assert.All(_config.Puts, p =>
        {
            Assert.True(p.TestMode);
            Assert.Equal("TESTMODE", p.ResultToken);
        });
    }

    [Fact]
    public async Task Handle_ScheduledWithResultsForDeletedUsers_SetsThemNotApplicable()
    {
        SeedAccount();
        _config.Held.Add(new EvaluationResultSummary("AWS::IAM::User", UserIdFor("bob"), ComplianceType.NonCompliant, Now.AddDays(-1)));
        _config.Held.Add(new EvaluationResultSummary("AWS::IAM::User", "AIDADELETEDUSER", ComplianceType.NonCompliant, Now.AddDays(-1)));

        var summary = await Handle(ScheduledEvent());

        Assert.Equal(1, summary.VanishedUsers);
        var gone = Assert.Single(_config.Accepted, e => e.ResourceId == "AIDADELETEDUSER");
        Assert.Equal(ComplianceType.NotApplicable, gone.Compliance);
        Assert.Equal(UserGone.HeldResultAnnotation, gone.Annotation);
        Assert.Equal(4, _config.Accepted.Count);
    }

    [Fact]
    public async Task Handle_ScheduledWithReportChangesOnly_WritesOnlyWhatConfigDoesNotAlreadyHold()
    {
        SeedAccount();
        const string parameters = """{"ReportChangesOnly":"true"}""";
        var first = await Handle(ScheduledEvent(parameters));
        HoldWhatWasAccepted();
        var putsBefore = _config.Puts.Count;

        var second = await Handle(ScheduledEvent(parameters));

        Assert.Equal(3, first.Written);
        Assert.Equal(3, first.Reasons![nameof(ResultReason.NewToConfig)]);
        Assert.True(second.Succeeded);
        // alice (COMPLIANT) and erin (NOT_APPLICABLE) are unchanged; bob, NON_COMPLIANT, is stated again on every sweep.
        Assert.Equal(1, second.Written);
        Assert.Equal(2, second.Reasons![nameof(ResultReason.Unchanged)]);
        Assert.Equal(1, second.Reasons![nameof(ResultReason.NonCompliantRestated)]);
        Assert.Equal(3, second.Evaluations.Count);
        var put = Assert.Single(_config.Puts.Skip(putsBefore));
        Assert.Equal([(UserIdFor("bob"), ComplianceType.NonCompliant)], put.Evaluations.Select(e => (e.ResourceId, e.Compliance)));
    }

    [Fact]
    public async Task Handle_ScheduledWithReportChangesOnlyAndAUserThatCannotBeRead_WritesNothingForItAndFails()
    {
        SeedAccount();
        const string parameters = """{"ReportChangesOnly":"true"}""";
        await Handle(ScheduledEvent(parameters));
        HoldWhatWasAccepted();
        _iam.Fail("ListMFADevices", "ServiceFailure", userName: "bob");
        _iam.Fail("GetLoginProfile", "ServiceFailure", userName: "bob");
        var acceptedBefore = _config.Accepted.Count;

        var summary = await Handle(ScheduledEvent(parameters));

        Assert.False(summary.Succeeded);
        Assert.Contains("bob", summary.FailureMessage(), StringComparison.Ordinal);
        Assert.Equal(1, summary.Reasons![nameof(ResultReason.NoVerdict)]);
        Assert.DoesNotContain(_config.Accepted.Skip(acceptedBefore), e => e.ResourceId == UserIdFor("bob"));
    }

    private void HoldWhatWasAccepted()
    {
        _config.Held.Clear();
        _config.Held.AddRange(_config.Accepted.Select(e =>
            new EvaluationResultSummary(e.ResourceType, e.ResourceId, e.Compliance, e.OrderingTimestamp) { Annotation = e.Annotation, ResultRecordedTime = Now }));
    }

    [Fact]
    public async Task Handle_ScheduledAndResultsCannotBeListed_WarnsAndStillReports()
    {
        SeedAccount();
        _config.ComplianceDetailsError = "AccessDeniedException";

        var summary = await Handle(ScheduledEvent());

        Assert.True(summary.Succeeded);
        Assert.Equal(3, _config.Accepted.Count);
        Assert.Contains(summary.Warnings, w => w.StartsWith("results of deleted users were not cleaned up: AccessDeniedException", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Handle_ScheduledWithAThrottledUser_ReportsTheOthersAndFailsNamingTheUser()
    {
        SeedAccount();
        _iam.Fail(FakeIamClient.ListMFADevices, "Throttling", userName: "bob");

        var summary = await Handle(ScheduledEvent());

        Assert.False(summary.Succeeded);
        Assert.DoesNotContain(_config.Accepted, e => e.ResourceId == UserIdFor("bob"));
        Assert.Equal(2, _config.Accepted.Count);
        Assert.StartsWith("1 user(s) got no verdict: bob (iam ListMFADevices: Throttling: ", summary.FailureMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_ScheduledWithManyFailures_MessageNamesTenAndCountsTheRest()
    {
        for (var i = 0; i < 12; i++) _iam.AddUser($"user{i:00}", Now.AddDays(-30));
        _iam.TakeReport(Now.AddHours(-1));
        _iam.Fail(FakeIamClient.ListMFADevices, "Throttling");

        var summary = await Handle(ScheduledEvent());

        var message = summary.FailureMessage();
        Assert.StartsWith("12 user(s) got no verdict: user00 (", message, StringComparison.Ordinal);
        Assert.Contains("user09 (", message, StringComparison.Ordinal);
        Assert.DoesNotContain("user10 (", message, StringComparison.Ordinal);
        Assert.EndsWith("; and 2 more", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_ScheduledAndPutEvaluationsKeepsRefusing_FailsNamingTheResource()
    {
        SeedAccount();
        _config.Refuse(UserIdFor("alice"));

        var summary = await Handle(ScheduledEvent());

        Assert.False(summary.Succeeded);
        Assert.Equal($"1 evaluation(s) were refused by PutEvaluations after retries: {UserIdFor("alice")}", summary.FailureMessage());
    }

    [Fact]
    public async Task Handle_ScheduledInAnEmptyAccount_SendsOneEmptyPut()
    {
        _iam.TakeReport(Now.AddHours(-1));

        var summary = await Handle(ScheduledEvent());

        Assert.True(summary.Succeeded);
        Assert.Empty(Assert.Single(_config.Puts).Evaluations);
    }

    [Fact]
    public async Task Handle_ScheduledWithParameters_AppliesThem()
    {
        SeedAccount();

        await Handle(ScheduledEvent(ruleParameters: """{"ExemptUserNames":"bob","NoPasswordResult":"COMPLIANT"}"""));

        Assert.Equal(ComplianceType.NotApplicable, _config.Accepted.Single(e => e.ResourceId == UserIdFor("bob")).Compliance);
        Assert.Equal(ComplianceType.Compliant, _config.Accepted.Single(e => e.ResourceId == UserIdFor("erin")).Compliance);
    }

    [Fact]
    public async Task Handle_DeadlineReachedMidSweep_UnreadUsersGetNoVerdictButTheReadOnesAreReported()
    {
        for (var i = 0; i < 10; i++) _iam.AddUser($"user{i}", Now.AddDays(-30));
        _iam.TakeReport(Now.AddHours(-1));
        var reads = 0;
        _iam.OnCall = call =>
        {
            // The third user's read is slow: the clock passes the deadline (less the reserve for PutEvaluations).
            if (call.Operation == FakeIamClient.GetLoginProfile && ++reads == 3) _time.Advance(TimeSpan.FromSeconds(95));
        };

        var summary = await Handle(ScheduledEvent(), deadline: Now.AddSeconds(100), assessor: new AssessorOptions { Concurrency = 1 });

        Assert.False(summary.Succeeded);
        Assert.Equal(3, _config.Accepted.Count);
        Assert.Equal(7, summary.Failures.Count);
        Assert.All(summary.Failures, f => Assert.Equal("not read: the invocation deadline came first", f.Cause));
    }

    [Fact]
    public async Task Handle_DeadlineAlreadyWithinTheReserve_NoUserIsGuessed()
    {
        SeedAccount();

        var summary = await Handle(ScheduledEvent(), deadline: Now.AddSeconds(5));

        Assert.False(summary.Succeeded);
        Assert.Equal(3, summary.Failures.Count);
        Assert.Empty(_iam.PerUserCalls);
        Assert.Empty(Assert.Single(_config.Puts).Evaluations);
    }

    [Fact]
    public async Task Handle_DeadlineBeforeTheUsersAreListed_FailsSayingSoAndReportsNothing()
    {
        SeedAccount();
        // What the AWS transport does when the sweep's budget is already spent: the call is cancelled.
        _iam.OnCall = call =>
        {
            if (call.Operation == FakeIamClient.ListUsers) throw new TaskCanceledException();
        };

        var failure = await Assert.ThrowsAsync<SweepDeadlineException>(() => Handle(ScheduledEvent(), deadline: Now.AddSeconds(5)));

        Assert.Contains("ran out of time", failure.Message, StringComparison.Ordinal);
        Assert.Contains("10 s before the Lambda deadline", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_config.Puts);
    }

    [Fact]
    public async Task Handle_SixtySecondFunctionAndAReportThatNeverFinishes_EveryUserIsReadLiveAndReported()
    {
        SeedAccount();
        _iam.FailReportWith([.. Enumerable.Repeat("ReportInProgress", 1000)]);

        // The fixed 60 s wait outlived the sweep's 50 s budget: nobody was evaluated. The wait now leaves the live reads their time.
        var summary = await _time.Advancing(Handler().HandleAsync(ScheduledEvent(), Now.AddSeconds(60), CancellationToken.None), TimeSpan.FromSeconds(1));

        Assert.True(summary.Succeeded, string.Join("; ", summary.Failures.Select(f => $"{f.User.UserName}: {f.Cause}")));
        Assert.Equal("live", summary.Sweep!.Mode);
        Assert.Contains(summary.Warnings, w => w.Contains("not the configured 60 s", StringComparison.Ordinal));
        Assert.Equal(ComplianceType.NonCompliant, _config.Accepted.Single(e => e.ResourceId == UserIdFor("bob")).Compliance);
        Assert.Equal(ComplianceType.Compliant, _config.Accepted.Single(e => e.ResourceId == UserIdFor("alice")).Compliance);
        Assert.Equal(3, _config.Accepted.Count);
    }

    [Fact]
    public async Task Handle_DeadlineFarAway_EveryUserIsRead()
    {
        SeedAccount();

        var summary = await Handle(ScheduledEvent(), deadline: Now.AddMinutes(15));

        Assert.True(summary.Succeeded);
        Assert.Equal(3, _config.Accepted.Count);
    }

    [Fact]
    public async Task Handle_NoDeadline_EveryUserIsRead()
    {
        // The runtime hands over DateTimeOffset.MaxValue when Lambda sends no deadline header: no budget, not an overflow.
        SeedAccount();

        var summary = await Handle(ScheduledEvent(), deadline: DateTimeOffset.MaxValue);

        Assert.True(summary.Succeeded);
        Assert.Equal(3, _config.Accepted.Count);
    }

    [Fact]
    public async Task Handle_BadRuleParameters_FailsBeforeAnyCall()
    {
        SeedAccount();

        var error = await Assert.ThrowsAsync<RuleParametersException>(() => Handle(ScheduledEvent(ruleParameters: """{"ExemptUsernames":"bob"}""")));

        Assert.Contains("did you mean ExemptUserNames?", error.Message, StringComparison.Ordinal);
        Assert.Empty(_iam.Calls);
        Assert.Empty(_config.Puts);
    }

    [Fact]
    public async Task Handle_UnknownMessageType_FailsNamingTheExpectedOnes()
    {
        var json = ScheduledEvent().Replace("ScheduledNotification", "ConfigurationSnapshotDeliveryCompleted", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<ConfigEventException>(() => Handle(json));

        Assert.StartsWith("unknown messageType 'ConfigurationSnapshotDeliveryCompleted'; expected ScheduledNotification, ConfigurationItemChangeNotification or OversizedConfigurationItemChangeNotification", error.Message, StringComparison.Ordinal);
        Assert.Empty(_config.Puts);
    }

    // Change-triggered: one user, all live.

    [Fact]
    public async Task Handle_ChangeForAUserWhoseNameIsNowHeldByAnother_JudgesTheItemsUserNotTheNewHolder()
    {
        // Issue 7 case 7: a stale item for bob (no MFA), whose name alice (with MFA) now holds, got COMPLIANT from alice.
        var bob = GivenBobWithoutMfa();
        GivenAliceWithMfa();
        _iam.RenameUser("bob", "robert");
        _iam.RenameUser("alice", "bob");

        var summary = await Handle(ChangeEvent(bob));

        var evaluation = Assert.Single(Assert.Single(_config.Puts).Evaluations);
        Assert.Equal((bob.UserId, ComplianceType.NonCompliant), (evaluation.ResourceId, evaluation.Compliance));
        Assert.Equal("robert", summary.Users[bob.UserId].UserName);
        Assert.Contains(new IamCall(FakeIamClient.ListMFADevices, "robert"), _iam.Calls);
        Assert.DoesNotContain(new IamCall(FakeIamClient.ListMFADevices, "bob"), _iam.Calls);
    }

    [Fact]
    public async Task Handle_ChangeForAUserDeletedSinceTheItem_IsNotApplicable()
    {
        var bob = GivenBobWithoutMfa();
        _iam.DeleteUser("bob");

        await Handle(ChangeEvent(bob));

        var evaluation = Assert.Single(Assert.Single(_config.Puts).Evaluations);
        Assert.Equal((ComplianceType.NotApplicable, "The user no longer exists."), (evaluation.Compliance, evaluation.Annotation));
    }

    [Fact]
    public async Task Handle_ChangeWhereAssessingTheUserThrowsUnexpectedly_FailsThatEvaluationWithAMessage()
    {
        // Issue 7 case 5 on the change path: no crash, no verdict, the cause named for Config's rule error.
        var bob = GivenBobWithoutMfa();
        _iam.OnCall = call =>
        {
            if (call.Operation == FakeIamClient.ListMFADevices) throw new InvalidOperationException("poison");
        };

        var summary = await Handle(ChangeEvent(bob));

        Assert.False(summary.Succeeded);
        Assert.Empty(_config.Puts);
        Assert.Contains("bob (unexpected InvalidOperationException while assessing this user: poison)", summary.FailureMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_ChangeWithANeverExpiringExemptionTag_DoesNotCrash()
    {
        var bob = GivenBobWithoutMfa();

        var summary = await Handle(ChangeEvent(bob, tags: Tags(("mfa-exempt-until", "9999-12-31"))));

        Assert.True(summary.Succeeded || summary.Failures.Single().User.UserId == bob.UserId);
        Assert.DoesNotContain(summary.Evaluations, e => e.Compliance == ComplianceType.Compliant);
    }

    [Fact]
    public async Task Handle_ChangeForUserWithoutMfa_PutsOneNonCompliantVerdictAtTheNotificationTime()
    {
        var bob = GivenBobWithoutMfa();
        var captured = Now.AddMinutes(-7);

        var summary = await Handle(ChangeEvent(bob, captureTime: captured));

        var evaluation = Assert.Single(Assert.Single(_config.Puts).Evaluations);
        Assert.Equal(bob.UserId, evaluation.ResourceId);
        Assert.Equal(ComplianceType.NonCompliant, evaluation.Compliance);
        Assert.Equal(Now, evaluation.OrderingTimestamp);
        Assert.True(summary.Succeeded);
        Assert.Null(summary.Sweep);
        // GetUser checks the name still holds the item's user ID; tags come with the configuration item; the credential
        // report is not needed for one user.
        Assert.Equal([FakeIamClient.GetLoginProfile, FakeIamClient.GetUser, FakeIamClient.ListMFADevices], _iam.Calls.Select(c => c.Operation).Order(StringComparer.Ordinal));
    }

    // Issue 18: MFA changes create no configuration item, so a change notification Config replays (StartConfigRulesEvaluation)
    // carries the user's last item, weeks old. Its evaluation must still replace yesterday's sweep result under either
    // ordering rule Config might apply.
    [Theory]
    [InlineData(HeldOrdering.NewestOrderingTimestampWins)]
    [InlineData(HeldOrdering.LastWriteWins)]
    public async Task Handle_ReplayedChangeWithAnItemCapturedLongAgo_ReplacesYesterdaysCompliantResult(HeldOrdering ordering)
    {
        var alice = GivenAliceWithMfa();
        _config.Keeps = ordering;
        _config.Held.Add(new EvaluationResultSummary(Evaluation.UserResourceType, alice.UserId, ComplianceType.Compliant, Now.AddDays(-1))
        {
            Annotation = "MFA enabled (yesterday's sweep)",
            ResultRecordedTime = Now.AddDays(-1),
        });
        _iam.SetDevices("alice");  // MFA deactivated an hour ago; no configuration item records it

        var summary = await Handle(ChangeEvent(alice, captureTime: Now.AddDays(-60)));

        Assert.True(summary.Succeeded, string.Join("; ", summary.Failures.Select(f => f.Cause)));
        var held = Assert.Single(_config.Held, h => h.ResourceId == alice.UserId);
        Assert.Equal(ComplianceType.NonCompliant, held.Compliance);
        Assert.Equal(Now, held.OrderingTimestamp);
    }

    [Fact]
    public async Task Handle_ChangeWithoutNotificationTime_OrdersByTheInvocationsTimeNotTheItems()
    {
        var bob = GivenBobWithoutMfa();
        _time.Advance(TimeSpan.FromMinutes(3));
        var json = System.Text.Json.Nodes.JsonNode.Parse(ChangeEvent(bob, captureTime: Now.AddDays(-60)))!.AsObject();
        var invoking = System.Text.Json.Nodes.JsonNode.Parse(json["invokingEvent"]!.GetValue<string>())!.AsObject();
        invoking.Remove("notificationCreationTime");
        json["invokingEvent"] = invoking.ToJsonString();

        await Handle(json.ToJsonString());

        Assert.Equal(Now.AddMinutes(3), Assert.Single(_config.Accepted).OrderingTimestamp);
    }

    [Theory]
    [InlineData("ResourceDeleted", false)]
    [InlineData("OK", true)]
    public async Task Handle_ChangeNotApplicable_IsOrderedByTheNotificationTimeNotTheItems(string status, bool leftScope)
    {
        var bob = GivenBobWithoutMfa();

        await Handle(ChangeEvent(bob, status: status, eventLeftScope: leftScope, captureTime: Now.AddDays(-60)));

        var evaluation = Assert.Single(_config.Accepted);
        Assert.Equal(ComplianceType.NotApplicable, evaluation.Compliance);
        Assert.Equal(Now, evaluation.OrderingTimestamp);
    }

    [Fact]
    public async Task Handle_ChangeForUserWithMfa_IsCompliant()
    {
        var summary = await Handle(ChangeEvent(GivenAliceWithMfa()));

        Assert.Equal(ComplianceType.Compliant, Assert.Single(summary.Evaluations).Compliance);
    }

    [Fact]
    public async Task Handle_ChangeWithExemptionTagOnTheItem_IsNotApplicable()
    {
        var bob = GivenBobWithoutMfa();

        await Handle(ChangeEvent(bob, tags: Tags(("mfa-exempt-until", "2027-06-30"))));

        var evaluation = Assert.Single(_config.Accepted);
        Assert.Equal(ComplianceType.NotApplicable, evaluation.Compliance);
        Assert.StartsWith("Exempt through 2027-06-30 (tag mfa-exempt-until)", evaluation.Annotation, StringComparison.Ordinal);
        Assert.Equal(0, _iam.Count(FakeIamClient.ListUserTags));
    }

    [Fact]
    public async Task Handle_ChangeWithANeverEndingExemptionTag_IsNotApplicableWithNoEndDate()
    {
        // 9999-12-31, a natural "never expires", once overflowed the end-of-day arithmetic and crashed the change path.
        var bob = GivenBobWithoutMfa();

        var summary = await Handle(ChangeEvent(bob, tags: Tags(("mfa-exempt-until", "9999-12-31"))));

        Assert.True(summary.Succeeded);
        var evaluation = Assert.Single(_config.Accepted);
        Assert.Equal(ComplianceType.NotApplicable, evaluation.Compliance);
        Assert.Equal("Exempt with no end date (tag mfa-exempt-until); console password with no MFA device.", evaluation.Annotation);
    }

    [Fact]
    public async Task Handle_ScheduledWithANeverEndingExemptionTag_EveryUserGetsTheirVerdict()
    {
        SeedAccount();
        _iam.AddUser("carol", Now.AddDays(-30), tags: Tags(("mfa-exempt-until", "9999-12-31")));
        _iam.TakeReport(Now.AddHours(-1));

        var summary = await Handle(ScheduledEvent());

        Assert.True(summary.Succeeded, summary.FailureMessage());
        var byName = _config.Accepted.ToDictionary(e => summary.Users[e.ResourceId].UserName, StringComparer.Ordinal);
        Assert.Equal(["alice", "bob", "carol", "erin"], byName.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ComplianceType.NotApplicable, byName["carol"].Compliance);
        Assert.StartsWith("Exempt with no end date", byName["carol"].Annotation, StringComparison.Ordinal);
        Assert.Equal(ComplianceType.NonCompliant, byName["bob"].Compliance);
    }

    [Fact]
    public async Task Handle_RuleParametersAsAnObject_FailsNamingTheFieldBeforeAnyCall()
    {
        SeedAccount();
        var json = System.Text.Json.Nodes.JsonNode.Parse(ScheduledEvent())!.AsObject();
        json["ruleParameters"] = new System.Text.Json.Nodes.JsonObject { ["ExemptUserNames"] = "bob" };

        var error = await Assert.ThrowsAsync<ConfigEventException>(() => Handle(json.ToJsonString()));

        Assert.Contains("ruleParameters must be a JSON string", error.Message, StringComparison.Ordinal);
        Assert.Empty(_iam.Calls);
        Assert.Empty(_config.Puts);
    }

    [Fact]
    public async Task Handle_ChangeResourceDiscovered_IsEvaluated()
    {
        await Handle(ChangeEvent(GivenBobWithoutMfa(), status: "ResourceDiscovered"));

        Assert.Equal(ComplianceType.NonCompliant, Assert.Single(_config.Accepted).Compliance);
    }

    [Theory]
    [InlineData("ResourceDeleted")]
    [InlineData("ResourceDeletedNotRecorded")]
    [InlineData("ResourceNotRecorded")]
    public async Task Handle_ChangeForDeletedOrUnrecordedUser_IsNotApplicableWithoutIamCalls(string status)
    {
        var bob = Builders.User("bob");

        var summary = await Handle(ChangeEvent(bob, status: status));

        var evaluation = Assert.Single(_config.Accepted);
        Assert.Equal(ComplianceType.NotApplicable, evaluation.Compliance);
        Assert.Equal(bob.UserId, evaluation.ResourceId);
        Assert.Equal($"Configuration item status {status}: the user is deleted or not recorded.", evaluation.Annotation);
        Assert.Empty(_iam.Calls);
        Assert.True(summary.Succeeded);
    }

    [Fact]
    public async Task Handle_EventLeftScope_IsNotApplicableWithoutIamCalls()
    {
        await Handle(ChangeEvent(GivenBobWithoutMfa(), eventLeftScope: true));

        var evaluation = Assert.Single(_config.Accepted);
        Assert.Equal(ComplianceType.NotApplicable, evaluation.Compliance);
        Assert.Equal("The user left the rule's scope.", evaluation.Annotation);
        Assert.Empty(_iam.Calls);
    }

    [Fact]
    public async Task Handle_ChangeForAnotherResourceType_IsIgnored()
    {
        var summary = await Handle(ChangeEvent(GivenBobWithoutMfa(), resourceType: "AWS::IAM::Role"));

        Assert.Equal("ignored: resource type AWS::IAM::Role is not AWS::IAM::User", summary.Note);
        Assert.Empty(summary.Evaluations);
        Assert.Empty(_config.Puts);
        Assert.Empty(_iam.Calls);
        Assert.True(summary.Succeeded);
    }

    [Fact]
    public async Task Handle_ChangeForUserNoLongerInIam_IsNotApplicable()
    {
        await Handle(ChangeEvent(Builders.User("ghost")));

        var evaluation = Assert.Single(_config.Accepted);
        Assert.Equal(ComplianceType.NotApplicable, evaluation.Compliance);
        Assert.Equal("The user no longer exists.", evaluation.Annotation);
    }

    [Fact]
    public async Task Handle_ChangeInTestMode_PutsWithTestMode()
    {
        var summary = await Handle(ChangeEvent(GivenBobWithoutMfa(), resultToken: "TESTMODE"));

        Assert.True(summary.TestMode);
        Assert.True(Assert.Single(_config.Puts).TestMode);
    }

    [Fact]
    public async Task Handle_ChangeAndIamThrottles_FailsWithoutAVerdict()
    {
        var bob = GivenBobWithoutMfa();
        _iam.Fail(FakeIamClient.GetLoginProfile, "Throttling");

        await Assert.ThrowsAsync<AwsServiceException>(() => Handle(ChangeEvent(bob)));

        Assert.Empty(_config.Puts);
    }

    [Fact]
    public async Task Handle_ChangeAndPutEvaluationsRefuses_Fails()
    {
        var bob = GivenBobWithoutMfa();
        _config.Refuse(bob.UserId);

        var summary = await Handle(ChangeEvent(bob));

        Assert.False(summary.Succeeded);
        Assert.Single(summary.Unreported);
    }

    [Fact]
    public async Task Handle_OversizedChange_FetchesTheItemAndEvaluatesIt()
    {
        var bob = GivenBobWithoutMfa();
        var captured = Now.AddMinutes(-3);
        _config.AddItem(Item(bob, captureTime: captured));

        var summary = await Handle(OversizedEvent(bob, captureTime: captured));

        Assert.Equal(new ItemRequest("AWS::IAM::User", bob.UserId, captured), Assert.Single(_config.ItemRequests));
        var evaluation = Assert.Single(_config.Accepted);
        Assert.Equal(ComplianceType.NonCompliant, evaluation.Compliance);
        Assert.Equal(bob.UserId, evaluation.ResourceId);
        Assert.Equal(Now, evaluation.OrderingTimestamp);
        Assert.Equal(InvokingEvent.OversizedConfigurationItemChange, summary.MessageType);
    }

    [Fact]
    public async Task Handle_OversizedChangeWithExemptionTagOnTheFetchedItem_IsNotApplicable()
    {
        var bob = GivenBobWithoutMfa();
        _config.AddItem(Item(bob, tags: Tags(("mfa-exempt-until", "2027-01-01"))));

        await Handle(OversizedEvent(bob));

        Assert.Equal(ComplianceType.NotApplicable, Assert.Single(_config.Accepted).Compliance);
    }

    [Fact]
    public async Task Handle_OversizedChangeWhoseItemCannotBeFetched_Fails()
    {
        var bob = GivenBobWithoutMfa();

        var error = await Assert.ThrowsAsync<ConfigEventException>(() => Handle(OversizedEvent(bob)));

        Assert.StartsWith($"GetResourceConfigHistory has no item for AWS::IAM::User {bob.UserId}", error.Message, StringComparison.Ordinal);
        Assert.Empty(_config.Puts);
    }

    [Fact]
    public async Task Handle_OversizedChangeForDeletedUser_IsNotApplicableWithoutFetching()
    {
        await Handle(OversizedEvent(Builders.User("bob"), status: "ResourceDeleted"));

        Assert.Equal(ComplianceType.NotApplicable, Assert.Single(_config.Accepted).Compliance);
        Assert.Empty(_config.ItemRequests);
    }
}

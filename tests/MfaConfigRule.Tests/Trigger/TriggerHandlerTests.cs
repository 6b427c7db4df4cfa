using System.Text.Json.Nodes;
using MfaConfigRule.Config;
using MfaConfigRule.Json;
using MfaConfigRule.Tests.Fakes;
using MfaConfigRule.Trigger;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Trigger;

public sealed class TriggerHandlerTests
{
    private const string RuleName = "mfa-enabled-for-iam-console-users";
    private static readonly DateTimeOffset EventTime = Now.AddMinutes(-1);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeConfigClient _config;
    private readonly FakeCloudTrailClient _cloudTrail = new();
    private readonly FakeIamClient _iam;
    private readonly TriggerHandler _trigger;

    public TriggerHandlerTests()
    {
        _config = new FakeConfigClient(_time);
        _iam = new FakeIamClient(_time);
        _iam.AddUser("alice");
        _trigger = new TriggerHandler(_config, _cloudTrail, _iam, _time, new TriggerOptions(), RuleName);
    }

    private static string IamEvent(
        string eventName, string eventId = "evt-1", string? errorCode = null, string userName = "alice", JsonObject? responseElements = null,
        DateTimeOffset? eventTime = null, string? newUserName = null)
    {
        var request = new JsonObject { ["userName"] = userName };
        if (newUserName is not null) request["newUserName"] = newUserName;
        var detail = new JsonObject
        {
            ["eventTime"] = (eventTime ?? EventTime).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["eventSource"] = "iam.amazonaws.com",
            ["eventName"] = eventName,
            ["eventID"] = eventId,
            ["requestParameters"] = request,
            ["responseElements"] = responseElements,
        };
        if (errorCode is not null) detail["errorCode"] = errorCode;
        return new JsonObject
        {
            ["detail-type"] = "AWS API Call via CloudTrail",
            ["source"] = "aws.iam",
            ["detail"] = detail,
        }.ToJsonString();
    }

    private void RecordInCloudTrail(string eventName, string eventId, string userName = "alice") =>
        _cloudTrail.Add(TrailEvent(eventName, userName, EventTime) with { EventId = eventId });

    [Fact]
    public async Task Handle_EventTimeBefore1970_IsAnEventErrorNamingTheField()
    {
        var error = await Assert.ThrowsAsync<JsonMessageException>(() =>
            _trigger.HandleAsync(IamEvent("DeleteLoginProfile", eventTime: DateTimeOffset.MinValue), CancellationToken.None));

        Assert.Contains("detail.eventTime '0001-01-01T00:00:00Z' is before 1970", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_FailedIamCall_StartsNothing()
    {
        var outcome = await _trigger.HandleAsync(IamEvent("DeactivateMFADevice", errorCode: "AccessDenied"), CancellationToken.None);

        Assert.Empty(_config.StartedEvaluations);
        Assert.Empty(_cloudTrail.Calls);
        Assert.Contains("AccessDenied", outcome.Action, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_CallThatCannotChangeAVerdict_StartsNothing()
    {
        var outcome = await _trigger.HandleAsync(IamEvent("AttachUserPolicy"), CancellationToken.None);

        Assert.Empty(_config.StartedEvaluations);
        Assert.StartsWith("ignored", outcome.Action, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_TagChange_StartsAtOnceWithoutWaitingForCloudTrail()
    {
        var outcome = await _trigger.HandleAsync(IamEvent("TagUser"), CancellationToken.None);

        Assert.Equal([[RuleName]], _config.StartedEvaluations);
        Assert.Empty(_cloudTrail.Calls);
        Assert.Equal("started a re-evaluation", outcome.Action);
        // An accepted start needs no proof of coverage, so neither the user's ID nor its results are read.
        Assert.Empty(_iam.Calls);
        Assert.Empty(_config.EvaluationTimeQueries);
    }

    [Theory]
    [InlineData("CreateLoginProfile")]
    [InlineData("UpdateLoginProfile")]
    [InlineData("EnableMFADevice")]
    [InlineData("DeactivateMFADevice")]
    [InlineData("DeleteVirtualMFADevice")]
    [InlineData("CreateUser")]
    [InlineData("UpdateUser")]
    [InlineData("DeleteUser")]
    public async Task Handle_PasswordMfaOrUserChange_StartsAtOnceWithoutWaitingForCloudTrail(string eventName)
    {
        // The sweep reads live every user such a change could turn the dangerous way, so nothing is worth waiting for:
        // the trigger adds one StartConfigRulesEvaluation call and no time on the clock.
        var outcome = await _trigger.HandleAsync(IamEvent(eventName), CancellationToken.None);

        Assert.Equal("started a re-evaluation", outcome.Action);
        Assert.Equal([[RuleName]], _config.StartedEvaluations);
        Assert.Empty(_cloudTrail.Calls);
        Assert.Equal(Now, _time.GetUtcNow());
    }

    [Fact]
    public async Task Handle_EventOlderThanTheLastAcceptedStartByThePropagationMargin_IsCoveredWithoutAnyCall()
    {
        await _trigger.HandleAsync(IamEvent("EnableMFADevice", eventTime: Now.AddSeconds(-5)), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(20));

        // Delivered late, or queued behind the first event: it happened 35 s before the start Config accepted.
        var outcome = await _trigger.HandleAsync(IamEvent("DeactivateMFADevice", "evt-2", eventTime: Now.AddSeconds(-35)), CancellationToken.None);

        Assert.Equal($"covered by the re-evaluation this function started at {Now:O}", outcome.Action);
        Assert.Single(_config.StartedEvaluations);
        Assert.Empty(_iam.Calls);
        Assert.Empty(_config.EvaluationTimeQueries);
    }

    [Fact]
    public async Task Handle_EventInsideThePropagationMarginOfTheLastStart_AsksForAnotherStart()
    {
        await _trigger.HandleAsync(IamEvent("EnableMFADevice", eventTime: Now.AddSeconds(-5)), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(61));

        // 10 s before the last start: IAM may not have shown it to that run yet.
        var outcome = await _trigger.HandleAsync(IamEvent("DeactivateMFADevice", "evt-2", eventTime: Now.AddSeconds(-10)), CancellationToken.None);

        Assert.Equal("started a re-evaluation", outcome.Action);
        Assert.Equal(2, _config.StartedEvaluations.Count);
    }

    [Fact]
    public async Task Handle_RenameRefused_LooksTheUserUpUnderItsNewName()
    {
        _iam.AddUser(User("alicia", id: UserIdFor("alice")));
        _iam.DeleteUser("alice");
        _config.RefuseStarts = 1;
        _config.AddRun(Now.AddSeconds(10), Now.AddSeconds(40), [UserIdFor("alice")]);

        var outcome = await _time.Advancing(
            _trigger.HandleAsync(IamEvent("UpdateUser", userName: "alice", newUserName: "alicia"), CancellationToken.None), TimeSpan.FromSeconds(5));

        Assert.Equal("alicia", outcome.UserName);
        Assert.StartsWith("covered by the evaluation invoked at", outcome.Action, StringComparison.Ordinal);
        Assert.Equal([new IamCall(FakeIamClient.GetUser, "alicia")], _iam.Calls);
    }

    [Fact]
    public async Task Handle_PasswordDeleted_WaitsUntilCloudTrailShowsTheEventThenStarts()
    {
        // The one change the sweep learns from CloudTrail: the report still shows the password. Starting before the
        // event is in CloudTrail's history would keep the user COMPLIANT where the truth is NOT_APPLICABLE.
        _cloudTrail.BeforeLookup = lookups =>
        {
            Assert.Empty(_config.StartedEvaluations);
            if (lookups == 2) RecordInCloudTrail("DeleteLoginProfile", "evt-1");
        };

        var outcome = await _time.Advancing(_trigger.HandleAsync(IamEvent("DeleteLoginProfile"), CancellationToken.None), TimeSpan.FromSeconds(5));

        Assert.Equal(3, _cloudTrail.Calls.Count);
        Assert.All(_cloudTrail.Calls, c => Assert.Equal(("EventId", "evt-1"), (c.AttributeKey, c.AttributeValue)));
        Assert.Equal([[RuleName]], _config.StartedEvaluations);
        Assert.True(outcome.VisibleAt > Now);
    }

    [Fact]
    public async Task Handle_StartRefusedAndARunInvokedAfterTheChangeHoldsTheUsersResult_IsCoveredWithoutAnotherStart()
    {
        RecordInCloudTrail("CreateLoginProfile", "evt-1");
        _config.RefuseStarts = 1;
        // Someone else's re-run: invoked after the change was visible (Now), the user's result recorded 30 s later.
        _config.AddRun(Now.AddSeconds(10), Now.AddSeconds(40), [UserIdFor("alice")]);

        var outcome = await _time.Advancing(_trigger.HandleAsync(IamEvent("CreateLoginProfile"), CancellationToken.None), TimeSpan.FromSeconds(5));

        Assert.Empty(_config.StartedEvaluations);
        Assert.Equal($"covered by the evaluation invoked at {Now.AddSeconds(10):O}", outcome.Action);
        Assert.Equal([UserIdFor("alice")], _config.EvaluationTimeQueries);
        Assert.Equal([new IamCall(FakeIamClient.GetUser, "alice")], _iam.Calls);
    }

    [Fact]
    public async Task Handle_StartRefusedAndTheUsersResultIsFromARunInvokedBeforeTheChangeWasVisible_RetriesUntilStarted()
    {
        // The event shows in CloudTrail at the second lookup, 30 s in; a run invoked before that cannot have seen it.
        _cloudTrail.BeforeLookup = lookups =>
        {
            if (lookups == 1) RecordInCloudTrail("DeleteLoginProfile", "evt-1");
        };
        _config.AddRun(Now.AddSeconds(20), Now.AddSeconds(100), [UserIdFor("alice")]);

        var outcome = await _time.Advancing(_trigger.HandleAsync(IamEvent("DeleteLoginProfile"), CancellationToken.None), TimeSpan.FromSeconds(5));

        Assert.Equal([[RuleName]], _config.StartedEvaluations);
        Assert.Equal("started a re-evaluation", outcome.Action);
        Assert.NotEmpty(_config.EvaluationTimeQueries);
        Assert.True(outcome.VisibleAt > Now.AddSeconds(20));
    }

    [Fact]
    public async Task Handle_StartRefusedAndNoResultForTheUserYet_RetriesUntilStarted()
    {
        RecordInCloudTrail("CreateLoginProfile", "evt-1");
        _config.RefuseStarts = 2;

        var outcome = await _time.Advancing(_trigger.HandleAsync(IamEvent("CreateLoginProfile"), CancellationToken.None), TimeSpan.FromSeconds(10));

        Assert.Equal([[RuleName]], _config.StartedEvaluations);
        Assert.Equal(0, _config.RefuseStarts);
        Assert.Equal("started a re-evaluation", outcome.Action);
        // The user's ID is asked for once, however many times its results are.
        Assert.Equal(2, _config.EvaluationTimeQueries.Count);
        Assert.Equal(1, _iam.Count(FakeIamClient.GetUser));
    }

    [Fact]
    public async Task Handle_CreateUserRefused_TakesTheUserIdFromTheEventWithoutGetUser()
    {
        // A new user, in the event's response (and not yet in the fake's IAM: GetUser would answer NoSuchEntity).
        RecordInCloudTrail("CreateUser", "evt-1", "zoe");
        _config.RefuseStarts = 1;
        _config.AddRun(Now.AddSeconds(10), Now.AddSeconds(40), ["AIDAZOEFROMTHEEVENT1"]);
        var created = new JsonObject { ["user"] = new JsonObject { ["userName"] = "zoe", ["userId"] = "AIDAZOEFROMTHEEVENT1", ["path"] = "/" } };

        var outcome = await _time.Advancing(
            _trigger.HandleAsync(IamEvent("CreateUser", userName: "zoe", responseElements: created), CancellationToken.None), TimeSpan.FromSeconds(5));

        Assert.StartsWith("covered by the evaluation invoked at", outcome.Action, StringComparison.Ordinal);
        Assert.Equal(["AIDAZOEFROMTHEEVENT1"], _config.EvaluationTimeQueries);
        Assert.Empty(_iam.Calls);
    }

    [Theory]
    [InlineData("DeleteUser", "alice")]
    [InlineData("CreateLoginProfile", "gone")]
    public async Task Handle_UserThatCannotBeNamedById_RetriesTheStartWithNothingToCheck(string eventName, string userName)
    {
        // A deleted user (or one whose name no longer resolves) has no ID to look results up by.
        RecordInCloudTrail(eventName, "evt-1", userName);
        _config.RefuseStarts = 1;
        _config.AddRun(Now.AddSeconds(10), Now.AddSeconds(40), [UserIdFor(userName)]);

        var outcome = await _time.Advancing(_trigger.HandleAsync(IamEvent(eventName, userName: userName), CancellationToken.None), TimeSpan.FromSeconds(5));

        Assert.Equal("started a re-evaluation", outcome.Action);
        Assert.Equal([[RuleName]], _config.StartedEvaluations);
        Assert.Empty(_config.EvaluationTimeQueries);
        Assert.Equal(eventName == "DeleteUser" ? 0 : 1, _iam.Count(FakeIamClient.GetUser));
    }

    [Fact]
    public async Task Handle_BurstOfChangesToFiveUsersDuringAnEvaluation_EndsWithOneMoreStart()
    {
        // Five users change in quick succession while a sweep invoked before any of the changes is still running. That
        // sweep covers none of them; the first trigger to get a start in runs one that covers all five.
        string[] names = ["bob", "carol", "dave", "erin", "frank"];
        foreach (var name in names)
        {
            _iam.AddUser(name);
            RecordInCloudTrail("DeactivateMFADevice", $"evt-{name}", name);
        }
        var ids = names.Select(UserIdFor).ToList();
        _config.AddRun(Now.AddMinutes(-2), Now.AddSeconds(90), ids);
        _config.RunDuration = TimeSpan.FromSeconds(45);
        _config.RunEvaluates = ids;

        var triggers = new List<Task<TriggerOutcome>>();
        foreach (var name in names)
        {
            triggers.Add(_trigger.HandleAsync(IamEvent("DeactivateMFADevice", $"evt-{name}", userName: name), CancellationToken.None));
            _time.Advance(TimeSpan.FromSeconds(7));
        }
        var outcomes = await _time.Advancing(Task.WhenAll(triggers), TimeSpan.FromSeconds(5));

        Assert.Equal([[RuleName]], _config.StartedEvaluations);
        Assert.Single(outcomes, o => o.Action == "started a re-evaluation");
        // Covered by the run the first one started, whether this instance's memory of that start or that run's result says so.
        Assert.Equal(4, outcomes.Count(o => o.Action.StartsWith("covered by the", StringComparison.Ordinal)));
        Assert.Equal(5, _iam.Count(FakeIamClient.GetUser));
    }

    [Fact]
    public async Task Handle_DeadlineWhileWaitingForCloudTrail_FailsWithoutStarting()
    {
        using var deadline = new CancellationTokenSource();
        _cloudTrail.BeforeLookup = lookups =>
        {
            if (lookups == 1) deadline.Cancel();
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _time.Advancing(_trigger.HandleAsync(IamEvent("DeleteLoginProfile"), deadline.Token), TimeSpan.FromSeconds(5)));
        Assert.Empty(_config.StartedEvaluations);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"detail-type":"AWS API Call via CloudTrail"}""")]
    [InlineData("""{"detail":{"eventName":"EnableMFADevice","eventID":"e"}}""")]
    public async Task Handle_EventWithoutTheCloudTrailDetail_IsAClearError(string body)
    {
        var error = await Assert.ThrowsAsync<JsonMessageException>(() => _trigger.HandleAsync(body, CancellationToken.None));

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Empty(_config.StartedEvaluations);
    }

    [Fact]
    public void Parse_SampleEvent_ReadsNameUserAndSuccess()
    {
        var sample = File.ReadAllText(Path.Combine(Path.GetDirectoryName(SampleReportPath)!, "events", "iam-deactivate-mfa.json"));
        var parsed = IamApiCallEvent.Parse(sample);

        Assert.Equal(("DeactivateMFADevice", "alice"), (parsed.EventName, parsed.UserName));
        Assert.Null(parsed.ErrorCode);
    }
}

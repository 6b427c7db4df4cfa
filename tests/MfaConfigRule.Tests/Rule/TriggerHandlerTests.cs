using System.Text.Json.Nodes;
using MfaConfigRule.Config;
using MfaConfigRule.Rule;
using MfaConfigRule.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Rule;

public sealed class TriggerHandlerTests
{
    private const string RuleName = "mfa-enabled-for-iam-console-users";
    private static readonly DateTimeOffset EventTime = Now.AddMinutes(-1);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeConfigClient _config;
    private readonly FakeCloudTrailClient _cloudTrail = new();
    private readonly TriggerHandler _trigger;

    public TriggerHandlerTests()
    {
        _config = new FakeConfigClient(_time);
        _trigger = new TriggerHandler(_config, _cloudTrail, _time, new TriggerOptions(), RuleName);
    }

    private static string IamEvent(string eventName, string eventId = "evt-1", string? errorCode = null, string userName = "alice")
    {
        var detail = new JsonObject
        {
            ["eventTime"] = EventTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["eventSource"] = "iam.amazonaws.com",
            ["eventName"] = eventName,
            ["eventID"] = eventId,
            ["requestParameters"] = new JsonObject { ["userName"] = userName },
        };
        if (errorCode is not null) detail["errorCode"] = errorCode;
        return new JsonObject
        {
            ["detail-type"] = "AWS API Call via CloudTrail",
            ["source"] = "aws.iam",
            ["detail"] = detail,
        }.ToJsonString();
    }

    private void RecordInCloudTrail(string eventName, string eventId) =>
        _cloudTrail.Add(TrailEvent(eventName, "alice", EventTime) with { EventId = eventId });

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
    }

    [Fact]
    public async Task Handle_MfaDeactivated_WaitsUntilCloudTrailShowsTheEventThenStarts()
    {
        // The sweep learns of changes since the credential report from CloudTrail: starting it before the event is
        // in CloudTrail's history could let the stale report hide the change.
        _cloudTrail.BeforeLookup = lookups =>
        {
            Assert.Empty(_config.StartedEvaluations);
            if (lookups == 2) RecordInCloudTrail("DeactivateMFADevice", "evt-1");
        };

        var outcome = await _time.Advancing(_trigger.HandleAsync(IamEvent("DeactivateMFADevice"), CancellationToken.None), TimeSpan.FromSeconds(5));

        Assert.Equal(3, _cloudTrail.Calls.Count);
        Assert.All(_cloudTrail.Calls, c => Assert.Equal(("EventId", "evt-1"), (c.AttributeKey, c.AttributeValue)));
        Assert.Equal([[RuleName]], _config.StartedEvaluations);
        Assert.True(outcome.VisibleAt > Now);
    }

    [Fact]
    public async Task Handle_StartRefusedButALaterInvocationSucceeded_IsCoveredWithoutAnotherStart()
    {
        RecordInCloudTrail("CreateLoginProfile", "evt-1");
        _config.RefuseStarts = 1;
        _config.LastSuccessfulInvocation = Now.AddSeconds(5);

        var outcome = await _trigger.HandleAsync(IamEvent("CreateLoginProfile"), CancellationToken.None);

        Assert.Empty(_config.StartedEvaluations);
        Assert.StartsWith("covered by the evaluation invoked at", outcome.Action, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_StartRefusedAndLastInvocationIsOlder_RetriesUntilStarted()
    {
        RecordInCloudTrail("CreateLoginProfile", "evt-1");
        _config.RefuseStarts = 2;
        _config.LastSuccessfulInvocation = Now.AddMinutes(-10);

        var outcome = await _time.Advancing(_trigger.HandleAsync(IamEvent("CreateLoginProfile"), CancellationToken.None), TimeSpan.FromSeconds(10));

        Assert.Equal([[RuleName]], _config.StartedEvaluations);
        Assert.Equal(0, _config.RefuseStarts);
        Assert.Equal("started a re-evaluation", outcome.Action);
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
            _time.Advancing(_trigger.HandleAsync(IamEvent("EnableMFADevice"), deadline.Token), TimeSpan.FromSeconds(5)));
        Assert.Empty(_config.StartedEvaluations);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"detail-type":"AWS API Call via CloudTrail"}""")]
    [InlineData("""{"detail":{"eventName":"EnableMFADevice","eventID":"e"}}""")]
    public async Task Handle_EventWithoutTheCloudTrailDetail_IsAClearError(string body)
    {
        var error = await Assert.ThrowsAsync<ConfigEventException>(() => _trigger.HandleAsync(body, CancellationToken.None));

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

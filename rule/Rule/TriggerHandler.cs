using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Rule;

internal sealed record TriggerOptions
{
    /// <summary>How often to look for the event in CloudTrail's event history, which lags EventBridge by minutes.</summary>
    public TimeSpan VisibilityPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>StartConfigRulesEvaluation allows one call a minute per rule.</summary>
    public TimeSpan StartRetryInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long after an IAM call its effect is taken to be visible to IAM's reads everywhere (IAM is eventually
    /// consistent, usually within seconds): a change this much older than an accepted start is covered by that start.
    /// </summary>
    public TimeSpan PropagationMargin { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>What the trigger did with one IAM event.</summary>
internal sealed record TriggerOutcome(string EventName, string? UserName, string Action, DateTimeOffset? VisibleAt);

/// <summary>
/// The <c>trigger</c> entry: an IAM call that can change a verdict arrives from EventBridge, and this asks Config to
/// re-run the rule at once, so the change shows within a minute or two instead of at the next scheduled run.
///
/// Three things make that re-run see the change without starting one per event. First, the sweep reads live every
/// user whose verdict a change could turn the dangerous way, so the trigger starts at once; only for a deleted console
/// password, which the sweep learns from CloudTrail's lagging event history, does it wait until LookupEvents returns
/// this very event (without the wait the re-run would keep the user COMPLIANT, never hide a NON_COMPLIANT one). Second,
/// the function runs one event at a time (reserved concurrency 1) and remembers in this instance when Config last
/// accepted a start: an event older than that start by the propagation margin is already covered. Third, Config refuses a start while an
/// evaluation runs or within a minute of the last. A sweep evaluates every user, so a refused start is already
/// covered once the rule's result for the changed user comes from an invocation that began after the change became
/// visible; the trigger looks for that result (GetComplianceDetailsByResource) after each refusal, before it asks
/// again, so a burst of changes ends in one re-run, not one per change. DescribeConfigRuleEvaluationStatus cannot tell
/// this: it does not report custom Lambda rules. When the user cannot be named by ID (a deleted user) there is no
/// result to look for, and the trigger retries the start until Config accepts it.
/// </summary>
internal sealed class TriggerHandler(
    IConfigClient config, ICloudTrailClient cloudTrail, IIamClient iam, TimeProvider time, TriggerOptions options, string configRuleName)
{
    // Per instance, not static: one Lambda execution environment handles one event at a time, and a new one starts empty.
    private DateTimeOffset? _lastAcceptedStart;

    public async Task<TriggerOutcome> HandleAsync(string eventJson, CancellationToken cancellationToken)
    {
        var iamEvent = IamApiCallEvent.Parse(eventJson);
        if (iamEvent.ErrorCode is { } error)
            return new TriggerOutcome(iamEvent.EventName, iamEvent.UserName, $"ignored: the call failed with {error}, nothing changed", null);
        if (!IamEventNames.Reevaluating.Contains(iamEvent.EventName, StringComparer.Ordinal))
            return new TriggerOutcome(iamEvent.EventName, iamEvent.UserName, "ignored: this call cannot change a verdict", null);

        var visibleAt = time.GetUtcNow();
        if (IamEventNames.InvalidatingReport.Contains(iamEvent.EventName, StringComparer.Ordinal))
            visibleAt = await WaitUntilVisibleAsync(iamEvent, cancellationToken).ConfigureAwait(false);
        else if (_lastAcceptedStart is { } started && iamEvent.EventTime <= started - options.PropagationMargin)
            return new TriggerOutcome(iamEvent.EventName, iamEvent.UserName, $"covered by the re-evaluation this function started at {started:O}", visibleAt);

        var user = new ChangedUser(iamEvent, iam);
        while (true)
        {
            try
            {
                // The time before the call, not after: the run Config starts reads IAM no earlier than this.
                var asked = time.GetUtcNow();
                await config.StartConfigRulesEvaluationAsync([configRuleName], cancellationToken).ConfigureAwait(false);
                _lastAcceptedStart = asked;
                return new TriggerOutcome(iamEvent.EventName, iamEvent.UserName, "started a re-evaluation", visibleAt);
            }
            catch (AwsServiceException e) when (e.ErrorCode == "LimitExceededException")
            {
                // Refused: an evaluation runs, or one started within the minute. Wait, then look before asking again.
            }
            await Task.Delay(options.StartRetryInterval, time, cancellationToken).ConfigureAwait(false);
            // The run that refused this start may be someone else's re-run that has seen the change: starting one more
            // would only repeat it, at the cost of one evaluation per user.
            if (await CoveringInvocationAsync(user, visibleAt, cancellationToken).ConfigureAwait(false) is { } invoked)
                return new TriggerOutcome(iamEvent.EventName, iamEvent.UserName, $"covered by the evaluation invoked at {invoked:O}", visibleAt);
        }
    }

    /// <summary>When Config invoked the rule for the user's newest result, if that was after the change became visible.</summary>
    private async Task<DateTimeOffset?> CoveringInvocationAsync(ChangedUser user, DateTimeOffset visibleAt, CancellationToken cancellationToken)
    {
        if (await user.IdAsync(cancellationToken).ConfigureAwait(false) is not { } userId) return null;
        var invoked = await config.GetLastEvaluationTimeAsync(configRuleName, Evaluation.UserResourceType, userId, cancellationToken).ConfigureAwait(false);
        return invoked > visibleAt ? invoked : null;
    }

    private async Task<DateTimeOffset> WaitUntilVisibleAsync(IamApiCallEvent iamEvent, CancellationToken cancellationToken)
    {
        var from = iamEvent.EventTime - TimeSpan.FromMinutes(5);
        while (true)
        {
            var now = time.GetUtcNow();
            var found = await cloudTrail.LookupEventsAsync("EventId", iamEvent.EventId, from, now + TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
            if (found.Count > 0) return time.GetUtcNow();
            await Task.Delay(options.VisibilityPollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The changed user's ID, which Config's results are keyed by: from the event when it carries one (CreateUser's
    /// response), else from GetUser, asked once and only when a refused start makes it worth knowing. None for a
    /// deleted user or an event that names no user.
    /// </summary>
    private sealed class ChangedUser(IamApiCallEvent iamEvent, IIamClient iam)
    {
        private bool _resolved;
        private string? _userId;

        public async Task<string?> IdAsync(CancellationToken cancellationToken)
        {
            if (_resolved) return _userId;
            _userId = iamEvent.UserId;
            if (_userId is null && iamEvent.UserName is { Length: > 0 } userName && iamEvent.EventName != "DeleteUser")
                _userId = (await iam.GetUserAsync(userName, cancellationToken).ConfigureAwait(false))?.UserId;
            _resolved = true;
            return _userId;
        }
    }
}

/// <summary>The fields of an EventBridge "AWS API Call via CloudTrail" event for IAM that the trigger reads.</summary>
internal sealed record IamApiCallEvent(string EventId, string EventName, DateTimeOffset EventTime, string? UserName, string? ErrorCode)
{
    /// <summary>The user's ID when the event carries it: CreateUser's responseElements.user.userId.</summary>
    public string? UserId { get; init; }

    public static IamApiCallEvent Parse(string json)
    {
        using var document = ConfigEvent.ParseJson(json, "the EventBridge event");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.Object)
            throw new ConfigEventException("the EventBridge event has no detail object; the trigger expects 'AWS API Call via CloudTrail' events for IAM");
        var timeText = ConfigEvent.RequiredString(detail, "eventTime", "detail");
        if (!UtcTime.TryParse(timeText, out var eventTime))
            throw new ConfigEventException($"detail.eventTime '{timeText}' is not a time");
        // CloudTrail writes no such time, and the wait for DeleteLoginProfile looks minutes before it.
        if (eventTime < DateTimeOffset.UnixEpoch)
            throw new ConfigEventException($"detail.eventTime '{timeText}' is before 1970, not a time CloudTrail writes");
        string? userName = null;
        // UpdateUser names the user by its old name and, on a rename, the new one: the user is found under the new.
        if (detail.TryGetProperty("requestParameters", out var request) && request.ValueKind == JsonValueKind.Object)
            userName = ConfigEvent.OptionalString(request, "newUserName") ?? ConfigEvent.OptionalString(request, "userName");
        string? userId = null;
        if (detail.TryGetProperty("responseElements", out var response) && response.ValueKind == JsonValueKind.Object
            && response.TryGetProperty("user", out var created) && created.ValueKind == JsonValueKind.Object)
            userId = ConfigEvent.OptionalString(created, "userId");
        return new IamApiCallEvent(
            ConfigEvent.RequiredString(detail, "eventID", "detail"),
            ConfigEvent.RequiredString(detail, "eventName", "detail"),
            eventTime,
            userName,
            ConfigEvent.OptionalString(detail, "errorCode"))
        {
            UserId = string.IsNullOrEmpty(userId) ? null : userId,
        };
    }
}

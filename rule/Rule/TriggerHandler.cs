using System.Globalization;
using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.Config;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Rule;

internal sealed record TriggerOptions
{
    /// <summary>How often to look for the event in CloudTrail's event history, which lags EventBridge by minutes.</summary>
    public TimeSpan VisibilityPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>StartConfigRulesEvaluation allows one call a minute per rule.</summary>
    public TimeSpan StartRetryInterval { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>What the trigger did with one IAM event.</summary>
internal sealed record TriggerOutcome(string EventName, string? UserName, string Action, DateTimeOffset? VisibleAt);

/// <summary>
/// The <c>trigger</c> entry: an IAM call that can change a verdict arrives from EventBridge, and this asks Config to
/// re-run the rule so the change shows within minutes instead of at the next scheduled run.
///
/// Two things make that re-run see the change. First, the sweep decides which users to read live from CloudTrail's
/// event history, which lags the EventBridge event; so for events the sweep relies on CloudTrail for, the trigger
/// waits until LookupEvents returns this very event before starting. Second, Config refuses a start while an
/// evaluation runs or within a minute of the last; a refused start is retried unless an invocation that began after
/// the event became visible has already succeeded (it covered this change: bursts coalesce into one re-run).
/// </summary>
internal sealed class TriggerHandler(IConfigClient config, ICloudTrailClient cloudTrail, TimeProvider time, TriggerOptions options, string configRuleName)
{
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

        while (true)
        {
            try
            {
                await config.StartConfigRulesEvaluationAsync([configRuleName], cancellationToken).ConfigureAwait(false);
                return new TriggerOutcome(iamEvent.EventName, iamEvent.UserName, "started a re-evaluation", visibleAt);
            }
            catch (AwsServiceException e) when (e.ErrorCode == "LimitExceededException")
            {
                var last = await config.GetLastSuccessfulInvocationTimeAsync(configRuleName, cancellationToken).ConfigureAwait(false);
                if (last is { } invoked && invoked > visibleAt)
                    return new TriggerOutcome(iamEvent.EventName, iamEvent.UserName, $"covered by the evaluation invoked at {invoked:O}", visibleAt);
            }
            await Task.Delay(options.StartRetryInterval, time, cancellationToken).ConfigureAwait(false);
        }
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
}

/// <summary>The fields of an EventBridge "AWS API Call via CloudTrail" event for IAM that the trigger reads.</summary>
internal sealed record IamApiCallEvent(string EventId, string EventName, DateTimeOffset EventTime, string? UserName, string? ErrorCode)
{
    public static IamApiCallEvent Parse(string json)
    {
        using var document = ConfigEvent.ParseJson(json, "the EventBridge event");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.Object)
            throw new ConfigEventException("the EventBridge event has no detail object; the trigger expects 'AWS API Call via CloudTrail' events for IAM");
        var timeText = ConfigEvent.RequiredString(detail, "eventTime", "detail");
        if (!DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var eventTime))
            throw new ConfigEventException($"detail.eventTime '{timeText}' is not a time");
        string? userName = null;
        if (detail.TryGetProperty("requestParameters", out var request) && request.ValueKind == JsonValueKind.Object)
            userName = ConfigEvent.OptionalString(request, "userName");
        return new IamApiCallEvent(
            ConfigEvent.RequiredString(detail, "eventID", "detail"),
            ConfigEvent.RequiredString(detail, "eventName", "detail"),
            eventTime,
            userName,
            ConfigEvent.OptionalString(detail, "errorCode"));
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using MfaConfigRule.Compliance;
using MfaConfigRule.Rule;

namespace MfaConfigRule.Organization;

/// <summary>One record of the SQS event Lambda's poller hands the central trigger: its ID (for batchItemFailures) and body.</summary>
internal sealed record QueueRecord(string MessageId, string Body)
{
    /// <summary>
    /// The records of Lambda's SQS event (<c>{"Records":[{"messageId":…,"body":…,"eventSource":"aws:sqs",…}]}</c>). A
    /// record without a messageId cannot be reported as failed, so the whole event is refused.
    /// </summary>
    public static IReadOnlyList<QueueRecord> ParseBatch(string json)
    {
        using var document = ConfigEvent.ParseJson(json, "the SQS event");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Records", out var records) || records.ValueKind != JsonValueKind.Array)
            throw new ConfigEventException("the SQS event has no Records list; the Organization trigger reads its queue through an SQS event source mapping");
        var batch = new List<QueueRecord>(records.GetArrayLength());
        foreach (var record in records.EnumerateArray())
        {
            var id = ConfigEvent.RequiredString(record, "messageId", "an SQS record");
            batch.Add(new QueueRecord(id, ConfigEvent.OptionalString(record, "body") ?? string.Empty));
        }
        return batch;
    }
}

/// <summary>
/// What the central trigger's queue carries: an IAM event as EventBridge delivered it, the account it came from, and,
/// once the trigger has put it back for later, its <see cref="TriggerProgress"/>. The first delivery's body is the
/// EventBridge event itself; a message the trigger sends back wraps it: <c>{"mfaRuleTrigger":{…progress…},"event":{…}}</c>.
/// </summary>
internal sealed record ReevaluationMessage(string Account, string Region, IamApiCallEvent Event, string EventJson, TriggerProgress? Progress)
{
    private const string ProgressProperty = "mfaRuleTrigger";
    private const string EventProperty = "event";

    public static ReevaluationMessage Parse(string body)
    {
        using var document = ConfigEvent.ParseJson(body, "the queued message");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new ConfigEventException($"the queued message must be a JSON object, got {root.ValueKind}");
        TriggerProgress? progress = null;
        var eventElement = root;
        if (root.TryGetProperty(ProgressProperty, out var state))
        {
            if (!root.TryGetProperty(EventProperty, out eventElement) || eventElement.ValueKind != JsonValueKind.Object)
                throw new ConfigEventException("the queued message carries the trigger's progress but no event object");
            progress = ReadProgress(state);
        }
        var eventJson = eventElement.GetRawText();
        // EventBridge writes the account that put the event on a bus; the member forwards its own events, so this is
        // the member whose IAM changed. PutEvents has no field to set it.
        var account = ConfigEvent.RequiredString(eventElement, "account", "the EventBridge event");
        var region = ConfigEvent.OptionalString(eventElement, "region") ?? string.Empty;
        return new ReevaluationMessage(account, region, IamApiCallEvent.Parse(eventJson), eventJson, progress);
    }

    /// <summary>The body that brings the event back with what was learnt about it.</summary>
    public string Resend(TriggerProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(ProgressProperty);
            if (progress.VisibleAt is { } visibleAt) writer.WriteString("visibleAt", visibleAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            writer.WriteBoolean("startRefused", progress.StartRefused);
            writer.WriteBoolean("userResolved", progress.UserResolved);
            if (progress.UserId is { } userId) writer.WriteString("userId", userId);
            writer.WriteEndObject();
            writer.WritePropertyName(EventProperty);
            writer.WriteRawValue(EventJson);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static TriggerProgress ReadProgress(JsonElement state)
    {
        if (state.ValueKind != JsonValueKind.Object) throw new ConfigEventException($"{ProgressProperty} must be an object");
        DateTimeOffset? visibleAt = null;
        if (ConfigEvent.OptionalString(state, "visibleAt") is { } text)
            visibleAt = UtcTime.TryParse(text, out var parsed) ? parsed : throw new ConfigEventException($"{ProgressProperty}.visibleAt '{text}' is not a time");
        return new TriggerProgress(visibleAt, Flag(state, "startRefused"), Flag(state, "userResolved"), ConfigEvent.OptionalString(state, "userId"));
    }

    private static bool Flag(JsonElement state, string name) =>
        state.TryGetProperty(name, out var value) && value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ConfigEventException(string.Create(CultureInfo.InvariantCulture, $"{ProgressProperty}.{name} must be true or false")),
        };
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using MfaConfigRule.Compliance;
using MfaConfigRule.Json;
using MfaConfigRule.Trigger;

namespace MfaConfigRule.Organization;

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
        using var document = JsonMessage.Parse(body, "the queued message");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new JsonMessageException($"the queued message must be a JSON object, got {root.ValueKind}");
        TriggerProgress? progress = null;
        var eventElement = root;
        if (root.TryGetProperty(ProgressProperty, out var state))
        {
            if (!root.TryGetProperty(EventProperty, out eventElement) || eventElement.ValueKind != JsonValueKind.Object)
                throw new JsonMessageException("the queued message carries the trigger's progress but no event object");
            progress = ReadProgress(state);
        }
        var eventJson = eventElement.GetRawText();
        // EventBridge writes the account that put the event on a bus; the member forwards its own events, so this is
        // the member whose IAM changed. PutEvents has no field to set it.
        var account = JsonMessage.RequiredString(eventElement, "account", "the EventBridge event");
        var region = JsonMessage.OptionalString(eventElement, "region") ?? string.Empty;
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
        if (state.ValueKind != JsonValueKind.Object) throw new JsonMessageException($"{ProgressProperty} must be an object");
        DateTimeOffset? visibleAt = null;
        if (JsonMessage.OptionalString(state, "visibleAt") is { } text)
            visibleAt = UtcTime.TryParse(text, out var parsed) ? parsed : throw new JsonMessageException($"{ProgressProperty}.visibleAt '{text}' is not a time");
        return new TriggerProgress(visibleAt, Flag(state, "startRefused"), Flag(state, "userResolved"), JsonMessage.OptionalString(state, "userId"));
    }

    private static bool Flag(JsonElement state, string name) =>
        state.TryGetProperty(name, out var value) && value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new JsonMessageException(string.Create(CultureInfo.InvariantCulture, $"{ProgressProperty}.{name} must be true or false")),
        };
}

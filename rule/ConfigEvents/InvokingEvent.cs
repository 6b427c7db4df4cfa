using System.Text.Json;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;

namespace MfaConfigRule.ConfigEvents;

/// <summary>The parsed <c>invokingEvent</c>: a message type and, for change notifications, the item or its summary.</summary>
internal sealed record InvokingEvent(string MessageType, DateTimeOffset? NotificationCreationTime, ConfigurationItem? Item)
{
    public const string ConfigurationItemChange = "ConfigurationItemChangeNotification";
    public const string OversizedConfigurationItemChange = "OversizedConfigurationItemChangeNotification";
    public const string Scheduled = "ScheduledNotification";

    public static InvokingEvent Parse(string json)
    {
        using var document = ConfigEvent.ParseJson(json, "invokingEvent");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new ConfigEventException($"invokingEvent must be a JSON object, got {root.ValueKind}");
        var messageType = ConfigEvent.RequiredString(root, "messageType", "invokingEvent");
        var created = ConfigEvent.OptionalString(root, "notificationCreationTime") is { } text ? ParseTime(text, "notificationCreationTime") : (DateTimeOffset?)null;
        ConfigurationItem? item = messageType switch
        {
            ConfigurationItemChange => ParseItem(Required(root, "configurationItem"), "configurationItem"),
            OversizedConfigurationItemChange => ParseItem(Required(root, "configurationItemSummary"), "configurationItemSummary"),
            _ => null,
        };
        return new InvokingEvent(messageType, created, item);
    }

    /// <summary>An item as the invoking event writes it (configuration as an object, tags as a map).</summary>
    internal static ConfigurationItem ParseItem(JsonElement item, string where)
    {
        if (item.ValueKind != JsonValueKind.Object) throw new ConfigEventException($"{where} must be a JSON object");
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (item.TryGetProperty("tags", out var tagMap) && tagMap.ValueKind == JsonValueKind.Object)
            foreach (var tag in tagMap.EnumerateObject())
                if (tag.Value.ValueKind == JsonValueKind.String) tags[TagKey(tag)] = ConfigEvent.Text(tag.Value, $"tags.{TagKey(tag)}");
        string? configuration = null;
        if (item.TryGetProperty("configuration", out var config) && config.ValueKind == JsonValueKind.Object)
        {
            configuration = config.GetRawText();
            // Newer items also carry tags inside configuration as [{key, value}].
            if (config.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var tag in list.EnumerateArray())
                    if (ConfigEvent.OptionalString(tag, "key") is { } key && ConfigEvent.OptionalString(tag, "value") is { } value)
                        tags.TryAdd(key, value);
        }
        var resourceId = ConfigEvent.RequiredString(item, "resourceId", where);
        if (resourceId.Length > Evaluation.MaxResourceIdLength)
        {
            throw new ConfigEventException(
                $"{where} resourceId is {resourceId.Length} characters; Config's limit for a resource id (ComplianceResourceId) is {Evaluation.MaxResourceIdLength}");
        }
        return new ConfigurationItem(
            ConfigEvent.RequiredString(item, "resourceType", where),
            resourceId,
            ConfigEvent.OptionalString(item, "resourceName"),
            ConfigEvent.OptionalString(item, "ARN"),
            ConfigEvent.RequiredString(item, "configurationItemStatus", where),
            ParseTime(ConfigEvent.RequiredString(item, "configurationItemCaptureTime", where), "configurationItemCaptureTime"),
            configuration,
            tags);
    }

    private static string TagKey(JsonProperty tag)
    {
        try
        {
            return tag.Name;
        }
        catch (InvalidOperationException)
        {
            throw new ConfigEventException("a tag key is not valid Unicode text (it holds an unpaired surrogate such as \\ud800)");
        }
    }

    private static JsonElement Required(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new ConfigEventException($"invokingEvent of this message type lacks the object {name}");

    private static DateTimeOffset ParseTime(string text, string name)
    {
        if (!UtcTime.TryParse(text, out var time)) throw new ConfigEventException($"{name} '{text}' is not a time");
        // These times become the evaluations' OrderingTimestamp; Config writes nothing before the Unix epoch, and the
        // year-1 date a blank serialiser writes would be no ordering at all.
        if (time < DateTimeOffset.UnixEpoch) throw new ConfigEventException($"{name} '{text}' is before 1970, not a time Config writes");
        return time;
    }
}

using System.Text.Json;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;

namespace MfaConfigRule.Rule;

/// <summary>The event Config invokes a custom rule with. <c>invokingEvent</c> and <c>ruleParameters</c> are JSON strings inside it.</summary>
internal sealed record ConfigEvent(
    InvokingEvent Invoking,
    string? RuleParametersJson,
    string ResultToken,
    bool EventLeftScope,
    string? ExecutionRoleArn,
    string? ConfigRuleArn,
    string ConfigRuleName,
    string? AccountId)
{
    public const string TestModeToken = "TESTMODE";

    public bool IsTestMode => ResultToken == TestModeToken;

    public static ConfigEvent Parse(string json)
    {
        using var document = ParseJson(json, "the Config event");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new ConfigEventException($"the Config event must be a JSON object, got {root.ValueKind}");
        var invokingJson = RequiredString(root, "invokingEvent", "the Config event");
        return new ConfigEvent(
            InvokingEvent.Parse(invokingJson),
            OptionalString(root, "ruleParameters"),
            RequiredString(root, "resultToken", "the Config event"),
            root.TryGetProperty("eventLeftScope", out var left) && left.ValueKind == JsonValueKind.True,
            OptionalString(root, "executionRoleArn"),
            OptionalString(root, "configRuleArn"),
            RequiredString(root, "configRuleName", "the Config event"),
            OptionalString(root, "accountId"));
    }

    internal static JsonDocument ParseJson(string json, string what)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ConfigEventException($"{what} is not valid JSON: {e.Message}");
        }
    }

    internal static string RequiredString(JsonElement element, string name, string where) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new ConfigEventException($"{where} lacks the string field {name}");

    internal static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

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
                if (tag.Value.ValueKind == JsonValueKind.String) tags[tag.Name] = tag.Value.GetString()!;
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
        return new ConfigurationItem(
            ConfigEvent.RequiredString(item, "resourceType", where),
            ConfigEvent.RequiredString(item, "resourceId", where),
            ConfigEvent.OptionalString(item, "resourceName"),
            ConfigEvent.OptionalString(item, "ARN"),
            ConfigEvent.RequiredString(item, "configurationItemStatus", where),
            ParseTime(ConfigEvent.RequiredString(item, "configurationItemCaptureTime", where), "configurationItemCaptureTime"),
            configuration,
            tags);
    }

    private static JsonElement Required(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new ConfigEventException($"invokingEvent of this message type lacks the object {name}");

    private static DateTimeOffset ParseTime(string text, string name) =>
        UtcTime.TryParse(text, out var time)
            ? time
            : throw new ConfigEventException($"{name} '{text}' is not a time");
}

/// <summary>The IAM user a configuration item describes.</summary>
internal static class ConfigurationItemUser
{
    /// <summary>User ID and name from the item; path, ARN and create date from its configuration when present.</summary>
    public static IamUser ToUser(this ConfigurationItem item)
    {
        string? name = item.ResourceName, arn = item.Arn, path = null;
        DateTimeOffset? created = null;
        if (item.ConfigurationJson is { } json)
        {
            using var document = ConfigEvent.ParseJson(json, "configuration");
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                name = ConfigEvent.OptionalString(root, "userName") ?? name;
                arn = ConfigEvent.OptionalString(root, "arn") ?? arn;
                path = ConfigEvent.OptionalString(root, "path");
                if (ConfigEvent.OptionalString(root, "createDate") is { } text
                    && UtcTime.TryParse(text, out var time))
                    created = time;
            }
        }
        if (string.IsNullOrEmpty(name)) throw new ConfigEventException($"configuration item {item.ResourceId} names no IAM user (no resourceName or configuration.userName)");
        arn ??= string.Empty;
        return new IamUser(item.ResourceId, name, arn, path ?? IamUser.PathFromArn(arn, name), created);
    }
}

/// <summary>The event cannot be read: the message says which field is wrong. Nothing is reported for it.</summary>
internal sealed class ConfigEventException(string message) : Exception(message);

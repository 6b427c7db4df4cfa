using System.Text.Json;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Json;

namespace MfaConfigRule.ConfigEvents;

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
            NullableString(root, "ruleParameters", "a JSON string (the InputParameters object written as text)"),
            RequiredString(root, "resultToken", "the Config event"),
            ParseEventLeftScope(root),
            OptionalString(root, "executionRoleArn"),
            OptionalString(root, "configRuleArn"),
            RequiredString(root, "configRuleName", "the Config event"),
            OptionalString(root, "accountId"));
    }

    // The JSON helpers, with their errors as Config event errors: nothing is reported for an event that cannot be read.
    internal static JsonDocument ParseJson(string json, string what) => AsEventError(() => JsonMessage.Parse(json, what));

    internal static string RequiredString(JsonElement element, string name, string where) =>
        AsEventError(() => JsonMessage.RequiredString(element, name, where));

    internal static string? OptionalString(JsonElement element, string name) => AsEventError(() => JsonMessage.OptionalString(element, name));

    internal static string Text(JsonElement value, string name) => AsEventError(() => JsonMessage.Text(value, name));

    private static T AsEventError<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (JsonMessageException e)
        {
            // The JSON error already names the field and what was wrong.
            throw new ConfigEventException(e.Message);
        }
    }

    /// <summary>A string field that may also be absent or null (both: none); any other JSON type is an error naming what it got.</summary>
    private static string? NullableString(JsonElement root, string name, string expected)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String
            ? Text(value, name)
            : throw new ConfigEventException($"the Config event's {name} must be {expected}, got a JSON {JsonMessage.Describe(value.ValueKind)}");
    }

    private static bool ParseEventLeftScope(JsonElement root)
    {
        if (!root.TryGetProperty("eventLeftScope", out var value)) return false;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw new ConfigEventException($"the Config event's eventLeftScope must be true or false, got a JSON {JsonMessage.Describe(value.ValueKind)}"),
        };
    }
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
        if (string.IsNullOrWhiteSpace(name)) throw new ConfigEventException($"configuration item {item.ResourceId} names no IAM user (no resourceName or configuration.userName)");
        arn ??= string.Empty;
        return new IamUser(item.ResourceId, name, arn, path ?? IamUser.PathFromArn(arn, name), created);
    }
}

/// <summary>The event cannot be read: the message says which field is wrong. Nothing is reported for it.</summary>
internal sealed class ConfigEventException(string message) : Exception(message);

using System.Text.Json;
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

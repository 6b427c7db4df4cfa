using System.Text.Json;

namespace MfaConfigRule.Json;

/// <summary>
/// Reading the JSON messages the functions are handed (SQS records, EventBridge events, queued messages): parse, and
/// take a string field, with an error that names the field and what was wrong. Every failure is a
/// <see cref="JsonMessageException"/>.
/// </summary>
internal static class JsonMessage
{
    public static JsonDocument Parse(string json, string what)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new JsonMessageException($"{what} is not valid JSON: {e.Message}");
        }
        catch (ArgumentException e)
        {
            // A .NET string with an unpaired surrogate cannot be read as UTF-8 JSON at all.
            throw new JsonMessageException($"{what} is not valid JSON: {e.Message}");
        }
    }

    public static string RequiredString(JsonElement element, string name, string where) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && Text(value, name) is { } text && !string.IsNullOrWhiteSpace(text)
            ? text
            : throw new JsonMessageException($"{where} lacks the string field {name}");

    public static string? OptionalString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? Text(value, name)
            : null;

    /// <summary>
    /// The text of a JSON string. An escaped unpaired surrogate (<c>"\ud800"</c>) is valid JSON but no text, and
    /// System.Text.Json refuses it with an InvalidOperationException; here it is a message error naming the field.
    /// </summary>
    public static string Text(JsonElement value, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new JsonMessageException($"field {name} is not valid Unicode text (it holds an unpaired surrogate such as \\ud800)");
        }
    }

    /// <summary>A JSON value kind as an error message names it.</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };
}

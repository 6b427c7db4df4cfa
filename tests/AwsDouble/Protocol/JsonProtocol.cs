using System.Text.Json;
using System.Text.Json.Nodes;

namespace AwsDouble.Protocol;

/// <summary>The JSON body of one JSON 1.1 request (Config, CloudTrail), read as strictly as the services read it.</summary>
internal sealed class JsonRequest(JsonObject body)
{
    public static JsonRequest Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return new JsonRequest([]);
        try
        {
            return JsonNode.Parse(body) is JsonObject o ? new JsonRequest(o) : throw JsonErrors.Serialization("Start of structure or map expected");
        }
        catch (JsonException e)
        {
            throw JsonErrors.Serialization($"Could not parse request body into json: {e.Message}");
        }
    }

    public JsonObject Body { get; } = body;

    public JsonNode? Node(string name) => Body[name];

    public string? OptionalString(string name) => Node(name) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var other => throw JsonErrors.Serialization($"Expected a string for {name}, got {other.GetValueKind()}"),
    };

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw JsonErrors.Validation(
            $"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must not be null");

    public int? OptionalInt(string name) => Node(name) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        var other => throw JsonErrors.Serialization($"Expected an integer for {name}, got {other.GetValueKind()}"),
    };

    public bool? OptionalBool(string name) => Node(name) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        var other => throw JsonErrors.Serialization($"Expected a boolean for {name}, got {other.GetValueKind()}"),
    };

    public IReadOnlyList<string>? OptionalStringList(string name) => Node(name) switch
    {
        null => null,
        JsonArray array => array.Select(item => item is JsonValue v && v.TryGetValue<string>(out var s)
            ? s
            : throw JsonErrors.Serialization($"Expected strings in {name}")).ToList(),
        var other => throw JsonErrors.Serialization($"Expected a list for {name}, got {other.GetValueKind()}"),
    };

    /// <summary>A timestamp member: JSON 1.1 sends epoch seconds as a number (fractions allowed).</summary>
    public DateTimeOffset? OptionalTime(string name) => ReadTime(Node(name), name);

    public static DateTimeOffset? ReadTime(JsonNode? node, string name) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var seconds) =>
            DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)),
        _ => throw JsonErrors.Serialization(
            $"Expected epoch seconds (a number) for timestamp {name}, got {node.GetValueKind()}: {node.ToJsonString()}"),
    };
}

/// <summary>Writes JSON 1.1 bodies.</summary>
internal static class JsonBody
{
    public const string ContentType = "application/x-amz-json-1.1";

    /// <summary>JSON 1.1 timestamps go out as epoch seconds with milliseconds, as AWS sends them.</summary>
    public static JsonValue Time(DateTimeOffset time) => JsonValue.Create(Math.Round(time.ToUnixTimeMilliseconds() / 1000.0, 3));

    public static string Error(AwsErrorException error) =>
        new JsonObject { ["__type"] = error.Code, ["message"] = error.Message }.ToJsonString();
}

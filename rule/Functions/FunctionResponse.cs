using System.Text;
using System.Text.Json;

namespace MfaConfigRule.Functions;

/// <summary>The response bodies the functions return: one JSON object each, written with <see cref="Utf8JsonWriter"/>.</summary>
internal static class FunctionResponse
{
    public static string Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

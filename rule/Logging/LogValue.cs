using System.Globalization;
using System.Text.Json;

namespace MfaConfigRule.Logging;

/// <summary>
/// One typed field value of a log line. The implicit conversions let callers write <c>["users"] = 12</c> or
/// <c>["counts"] = countsByVerdict</c>; the value is written with <see cref="Utf8JsonWriter"/>, so nothing is
/// serialized by reflection.
/// </summary>
internal readonly struct LogValue
{
    private readonly Kind _kind;
    private readonly long _integer;
    private readonly double _number;
    private readonly object? _reference;

    private LogValue(Kind kind, long integer = 0, double number = 0, object? reference = null)
    {
        _kind = kind;
        _integer = integer;
        _number = number;
        _reference = reference;
    }

    private enum Kind
    {
        Null,
        String,
        Integer,
        Number,
        Boolean,
        Timestamp,
        Counts,
        Strings,
        Embedded,
    }

    public static implicit operator LogValue(string? value) => value is null ? default : new(Kind.String, reference: value);

    public static implicit operator LogValue(int value) => new(Kind.Integer, integer: value);

    public static implicit operator LogValue(long value) => new(Kind.Integer, integer: value);

    public static implicit operator LogValue(double value) => new(Kind.Number, number: value);

    public static implicit operator LogValue(bool value) => new(Kind.Boolean, integer: value ? 1 : 0);

    public static implicit operator LogValue(DateTimeOffset value) => new(Kind.Timestamp, integer: value.UtcTicks);

    public static implicit operator LogValue(Dictionary<string, int>? value) => Counts(value);

    public static implicit operator LogValue(SortedDictionary<string, int>? value) => Counts(value);

    public static implicit operator LogValue(string[]? value) => Strings(value);

    public static implicit operator LogValue(List<string>? value) => Strings(value);

    /// <summary>A name-to-count map (evaluations by verdict, API calls by operation), written as a JSON object.</summary>
    public static LogValue Counts(IReadOnlyDictionary<string, int>? counts) => counts is null ? default : new(Kind.Counts, reference: counts);

    /// <summary>A list of strings, written as a JSON array.</summary>
    public static LogValue Strings(IReadOnlyList<string>? values) => values is null ? default : new(Kind.Strings, reference: values);

    /// <summary>The <c>_aws</c> member of a line that carries CloudWatch embedded metrics.</summary>
    public static LogValue Embedded(EmbeddedMetrics metrics) => new(Kind.Embedded, reference: metrics ?? throw new ArgumentNullException(nameof(metrics)));

    internal void WriteTo(Utf8JsonWriter json, string name)
    {
        json.WritePropertyName(name);
        switch (_kind)
        {
            case Kind.String:
                json.WriteStringValue((string)_reference!);
                break;
            case Kind.Integer:
                json.WriteNumberValue(_integer);
                break;
            case Kind.Number when double.IsFinite(_number):
                json.WriteNumberValue(_number);
                break;
            case Kind.Number:
                // JSON has no NaN or Infinity; a string keeps the line valid and the value visible.
                json.WriteStringValue(_number.ToString(CultureInfo.InvariantCulture));
                break;
            case Kind.Boolean:
                json.WriteBooleanValue(_integer != 0);
                break;
            case Kind.Timestamp:
                WriteTimestampValue(json, new DateTimeOffset(_integer, TimeSpan.Zero));
                break;
            case Kind.Counts:
                json.WriteStartObject();
                foreach (var (key, count) in (IReadOnlyDictionary<string, int>)_reference!)
                {
                    json.WriteNumber(key, count);
                }

                json.WriteEndObject();
                break;
            case Kind.Strings:
                json.WriteStartArray();
                foreach (var item in (IReadOnlyList<string>)_reference!)
                {
                    json.WriteStringValue(item);
                }

                json.WriteEndArray();
                break;
            case Kind.Embedded:
                ((EmbeddedMetrics)_reference!).WriteDirective(json);
                break;
            default:
                json.WriteNullValue();
                break;
        }
    }

    /// <summary>ISO 8601 in UTC with milliseconds, formatted on the stack.</summary>
    internal static void WriteTimestampValue(Utf8JsonWriter json, DateTimeOffset value)
    {
        Span<char> text = stackalloc char[32];
        value.UtcDateTime.TryFormat(text, out var written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);
        json.WriteStringValue(text[..written]);
    }
}

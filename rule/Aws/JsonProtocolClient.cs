using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace MfaConfigRule.Aws;

/// <summary>
/// The AWS JSON 1.1 protocol (Config, CloudTrail): a POST of a JSON document with <c>X-Amz-Target: {prefix}.{Operation}</c>
/// and <c>Content-Type: application/x-amz-json-1.1</c>; JSON 1.0 (SQS) is the same with <c>application/x-amz-json-1.0</c>.
/// Errors name their code in the <c>x-amzn-ErrorType</c> header or the body's <c>code</c> or <c>__type</c>
/// (<c>com.amazonaws.config#NoSuchConfigRuleException</c>: the part after '#', before any ':'), with the text in <c>message</c> or <c>Message</c>. (De)serialization goes through source-generated
/// <see cref="JsonTypeInfo{T}"/> only, so it stays Native-AOT safe.
/// </summary>
internal sealed class JsonProtocolClient
{
    public const string ContentType = "application/x-amz-json-1.1";
    public const string ContentType10 = "application/x-amz-json-1.0";

    private readonly AwsTransport _transport;
    private readonly string _targetPrefix;
    private readonly string _contentType;

    public JsonProtocolClient(AwsTransport transport, AwsService service, AwsEndpoint endpoint, string targetPrefix, string contentType = ContentType)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetPrefix);
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        _transport = transport;
        Service = service;
        Endpoint = endpoint;
        _targetPrefix = targetPrefix;
        _contentType = contentType;
    }

    public AwsService Service { get; }
    public AwsEndpoint Endpoint { get; }

    public async Task<TResponse> InvokeAsync<TRequest, TResponse>(
        string operation,
        TRequest request,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        ArgumentNullException.ThrowIfNull(requestType);
        ArgumentNullException.ThrowIfNull(responseType);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        var response = await _transport.SendAsync(
            new AwsRequest(Service, Endpoint, operation, body, _contentType, $"{_targetPrefix}.{operation}"), ReadError, cancellationToken);
        try
        {
            // Operations without output may answer with an empty body; that reads as an empty object.
            return JsonSerializer.Deserialize(response.Length == 0 ? "{}"u8 : response, responseType)
                ?? throw new JsonException("the response is null");
        }
        catch (JsonException e)
        {
            throw new AwsServiceException(Service.SigningName, operation, AwsTransport.MalformedResponseCode, 200, e.Message, inner: e);
        }
    }

    /// <summary>The error for an answer that parsed but does not say what the operation promises.</summary>
    public AwsServiceException MalformedResponse(string operation, string message) =>
        new(Service.SigningName, operation, AwsTransport.MalformedResponseCode, 200, message);

    /// <summary>
    /// The token for the next page, or null at the end. A page that hands back the token it was given would loop
    /// forever, so it is an error.
    /// </summary>
    public string? NextPageToken(string operation, string? given, string? next)
    {
        if (string.IsNullOrEmpty(next)) return null;
        if (next == given) throw MalformedResponse(operation, "a page returned the token it was given");
        return next;
    }

    internal static AwsError ReadError(HttpResponseMessage response, byte[] body)
    {
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
        var headerCode = response.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.FirstOrDefault() : null;
        string? bodyCode = null;
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                bodyCode = StringProperty(document.RootElement, "code") ?? StringProperty(document.RootElement, "__type");
                message = StringProperty(document.RootElement, "message") ?? StringProperty(document.RootElement, "Message");
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page): the status code names the error below.
        }
        var code = SanitizeErrorCode(headerCode) ?? SanitizeErrorCode(bodyCode) ?? $"Http{(int)response.StatusCode}";
        return new AwsError(code, message ?? Snippet(body), requestId);
    }

    /// <summary><c>aws.namespace#Code:http://internal…</c> → <c>Code</c>; null when nothing is left.</summary>
    internal static string? SanitizeErrorCode(string? raw)
    {
        if (raw is null) return null;
        var colon = raw.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0) raw = raw[..colon];
        var hash = raw.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0) raw = raw[(hash + 1)..];
        raw = raw.Trim();
        return raw.Length == 0 ? null : raw;
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Snippet(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200)).Trim();
        return text.Length == 0 ? "(empty body)" : text;
    }
}

/// <summary>
/// A timestamp as the JSON 1.1 protocol writes it: seconds since the Unix epoch as a JSON number, with a fraction for
/// milliseconds (<c>1414708529.922</c>; Config also writes <c>1.474565312911E9</c>). Kept to millisecond precision.
/// </summary>
internal sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
            throw new JsonException($"expected epoch seconds as a number, got {reader.TokenType}");
        var seconds = reader.GetDouble();
        var milliseconds = Math.Round(seconds * 1000, MidpointRounding.AwayFromZero);
        if (double.IsNaN(milliseconds) || milliseconds < -62_135_596_800_000d || milliseconds > 253_402_300_799_999d)
            throw new JsonException($"{seconds} is not a timestamp");
        return DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.ToUnixTimeMilliseconds() / 1000m);
}

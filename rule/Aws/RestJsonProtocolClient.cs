using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MfaConfigRule.Aws;

/// <summary>
/// The AWS REST-JSON protocol (Security Hub): the operation is the HTTP method and path (<c>POST /findings/import</c>),
/// the body a JSON document with <c>Content-Type: application/json</c>, and no <c>X-Amz-Target</c>. Errors name their
/// code in the <c>x-amzn-ErrorType</c> header or the body's <c>Code</c>/<c>code</c>/<c>__type</c>, the text in
/// <c>Message</c>/<c>message</c>. Same signed transport, retries and call counter as the other protocols.
/// </summary>
internal sealed class RestJsonProtocolClient
{
    public const string ContentType = "application/json";

    private readonly AwsTransport _transport;

    public RestJsonProtocolClient(AwsTransport transport, AwsService service, AwsEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(endpoint);
        _transport = transport;
        Service = service;
        Endpoint = endpoint;
    }

    public AwsService Service { get; }
    public AwsEndpoint Endpoint { get; }

    /// <summary>POSTs <paramref name="request"/> to <paramref name="path"/> (absolute, e.g. <c>/findings/import</c>) under the endpoint.</summary>
    public async Task<TResponse> PostAsync<TRequest, TResponse>(
        string operation,
        string path,
        TRequest request,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        return await PostRawAsync(operation, path, body, responseType, cancellationToken);
    }

    /// <summary>As <see cref="PostAsync{TRequest,TResponse}"/> with a body already serialized (a caller that measured its size).</summary>
    public async Task<TResponse> PostRawAsync<TResponse>(string operation, string path, byte[] body, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(responseType);
        var response = await _transport.SendAsync(
            new AwsRequest(Service, new AwsEndpoint(Under(Endpoint.Url, path), Endpoint.SigningRegion), operation, body, ContentType), ReadError, cancellationToken);
        try
        {
            return JsonSerializer.Deserialize(response.Length == 0 ? "{}"u8 : response, responseType)
                ?? throw new JsonException("the response is null");
        }
        catch (JsonException e)
        {
            throw new AwsServiceException(Service.SigningName, operation, AwsTransport.MalformedResponseCode, 200, e.Message, inner: e);
        }
    }

    /// <summary>The path appended to the endpoint's own (an override such as <c>http://127.0.0.1:4599/</c> keeps its base).</summary>
    internal static Uri Under(Uri endpoint, string path)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (string.IsNullOrEmpty(path) || path[0] != '/') throw new ArgumentException($"'{path}' is not an absolute request path", nameof(path));
        var builder = new UriBuilder(endpoint) { Path = endpoint.AbsolutePath.TrimEnd('/') + path, Query = string.Empty };
        return builder.Uri;
    }

    /// <summary>The header wins (AWS always sends it on REST-JSON errors); the body's code names it when a proxy dropped it.</summary>
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
                bodyCode = StringProperty(document.RootElement, "Code") ?? StringProperty(document.RootElement, "code") ?? StringProperty(document.RootElement, "__type");
                message = StringProperty(document.RootElement, "Message") ?? StringProperty(document.RootElement, "message");
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page): the status code names the error below.
        }
        var code = JsonProtocolClient.SanitizeErrorCode(headerCode) ?? JsonProtocolClient.SanitizeErrorCode(bodyCode) ?? $"Http{(int)response.StatusCode}";
        return new AwsError(code, message ?? $"(status {(int)response.StatusCode})", requestId);
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MfaConfigRule.Contract;

namespace MfaConfigRule.LambdaRuntime;

/// <summary>
/// HTTP client of the Lambda Runtime API at <c>http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01</c>.
/// </summary>
internal sealed class RuntimeApiClient : IRuntimeApiClient
{
    public const string HostEnvironmentVariable = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>The Runtime API's limit for an error body; larger reports are replaced by <see cref="OversizedErrorBody"/>.</summary>
    public const int MaxErrorBodyBytes = 256 * 1024;

    public const string OversizedErrorBody =
        "{\"errorMessage\":\"The error report exceeded the 256 KB limit of the Lambda Runtime API; the full exception is in the function's log.\",\"errorType\":\"Runtime.ErrorReportTooLarge\",\"stackTrace\":[]}";

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly MediaTypeHeaderValue ErrorContentType = new(RuntimeApiPaths.ErrorContentType);

    private readonly HttpClient _http;
    private readonly Uri _baseUri;

    /// <param name="http">
    /// A client without a timeout (<see cref="CreateHttpClient"/>): Lambda freezes the process while it waits for the
    /// next event, so a timeout would fire on the first event after a long idle.
    /// </param>
    /// <param name="environment">Where <c>AWS_LAMBDA_RUNTIME_API</c> (host and port) comes from.</param>
    public RuntimeApiClient(HttpClient http, IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(environment);
        var host = environment.Get(HostEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(host) || !Uri.TryCreate("http://" + host.Trim(), UriKind.Absolute, out var baseUri))
        {
            throw new InvalidOperationException(
                $"{HostEnvironmentVariable} is not set to a host:port ('{host}'): this process is not running in a Lambda execution environment or a Runtime API emulator.");
        }

        _http = http;
        _baseUri = baseUri;
    }

    /// <summary>
    /// An <see cref="HttpClient"/> for the Runtime API: no timeout (see the constructor), and no proxy, because the API
    /// is always local and an <c>HTTPS_PROXY</c> set for the function's own calls must not capture it.
    /// </summary>
    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public async Task<InvocationRequest> GetNextInvocationAsync(CancellationToken cancellationToken)
    {
        const string Operation = "next invocation";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUri, RuntimeApiPaths.NextInvocation));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK) await ThrowRefusalAsync(response, Operation, cancellationToken).ConfigureAwait(false);

        var requestId = Header(response, RuntimeApiHeaders.AwsRequestId);
        if (string.IsNullOrEmpty(requestId))
        {
            throw new RuntimeApiClientException(Operation, $"the event has no {RuntimeApiHeaders.AwsRequestId} header");
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new InvocationRequest(
            requestId,
            ParseDeadline(Header(response, RuntimeApiHeaders.DeadlineMs)),
            Header(response, RuntimeApiHeaders.InvokedFunctionArn),
            Header(response, RuntimeApiHeaders.TraceId),
            Encoding.UTF8.GetString(body));
    }

    public async Task SendResponseAsync(string requestId, string body, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        ArgumentNullException.ThrowIfNull(body);
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = JsonContentType;
        await PostAsync(RuntimeApiPaths.InvocationResponse(requestId), content, "invocation response", cancellationToken).ConfigureAwait(false);
    }

    public Task ReportInvocationErrorAsync(string requestId, LambdaError error, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        return PostErrorAsync(RuntimeApiPaths.InvocationError(requestId), error, "invocation error", cancellationToken);
    }

    public Task ReportInitializationErrorAsync(LambdaError error, CancellationToken cancellationToken) =>
        PostErrorAsync(RuntimeApiPaths.InitializationError, error, "initialization error", cancellationToken);

    /// <summary>The error body as Lambda documents it, or the fixed fallback when it would exceed 256 KB.</summary>
    internal static byte[] ErrorBody(LambdaError error)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        // Relaxed escaping: the body is read by people in the Lambda console; quotes and control characters are still escaped.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("errorMessage", error.ErrorMessage);
            json.WriteString("errorType", error.ErrorType);
            json.WriteStartArray("stackTrace");
            foreach (var line in error.StackTrace)
            {
                json.WriteStringValue(line);
                // Stop early: a runaway stack trace must not grow the buffer far past the limit.
                if (json.BytesPending + json.BytesCommitted > MaxErrorBodyBytes) break;
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenCount <= MaxErrorBodyBytes ? buffer.WrittenSpan.ToArray() : Encoding.UTF8.GetBytes(OversizedErrorBody);
    }

    private async Task PostErrorAsync(string path, LambdaError error, string operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        using var content = new ByteArrayContent(ErrorBody(error));
        content.Headers.ContentType = ErrorContentType;
        await PostAsync(path, content, operation, cancellationToken, error.ErrorType).ConfigureAwait(false);
    }

    private async Task PostAsync(string path, HttpContent content, string operation, CancellationToken cancellationToken, string? errorType = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUri, path)) { Content = content };
        if (errorType is not null) request.Headers.TryAddWithoutValidation(RuntimeApiHeaders.FunctionErrorType, errorType);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        // The spec answers 202 Accepted; other 2xx are taken as success too, as the reference runtime does.
        if (!response.IsSuccessStatusCode) await ThrowRefusalAsync(response, operation, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ThrowRefusalAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.InternalServerError) throw new RuntimeApiContainerException(operation, body);
        throw new RuntimeApiClientException(operation, (int)response.StatusCode, body);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static DateTimeOffset ParseDeadline(string? milliseconds) =>
        long.TryParse(milliseconds, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.MaxValue;
}

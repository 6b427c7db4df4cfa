using Amazon;
using Amazon.Runtime.Signing;

namespace MfaConfigRule.Aws;

/// <summary>One request to one AWS operation: a signed POST of <see cref="Body"/> to the endpoint.</summary>
internal sealed record AwsRequest(AwsService Service, AwsEndpoint Endpoint, string Operation, byte[] Body, string ContentType, string? Target = null);

/// <summary>What a protocol reads from an error response: the service's error code, its message, the request id.</summary>
internal sealed record AwsError(string Code, string Message, string? RequestId);

/// <summary>
/// Sends signed requests and retries what is worth retrying. Shared by every client of one set of credentials; the
/// protocols (Query, JSON 1.1) sit on top and only build bodies and read answers.
/// </summary>
/// <remarks>
/// Each attempt is signed afresh (the signature covers the time), counted in <see cref="ApiCallCounter"/>, and bounded
/// by <see cref="AttemptTimeout"/>. Waits between attempts go through the <see cref="TimeProvider"/> and end at once
/// when the caller's token fires: a cancelled call throws <see cref="OperationCanceledException"/>, an exhausted one
/// throws <see cref="AwsServiceException"/> with the last error code (<c>ConnectionFailure</c> or
/// <c>RequestTimeout</c> when no answer came).
/// </remarks>
internal sealed class AwsTransport : IDisposable
{
    public const string ConnectionFailureCode = "ConnectionFailure";
    public const string RequestTimeoutCode = "RequestTimeout";
    public const string MalformedResponseCode = "MalformedResponse";

    /// <summary>Sent with every request so that CloudTrail shows which calls this rule made.</summary>
    public const string UserAgent = "mfa-config-rule";
    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(20);

    // One connection pool per process: Lambda keeps the process warm between invocations, so TLS sessions to IAM and
    // Config are reused; the pooled-connection lifetime lets DNS changes through. The handler holds no project state.
    private static readonly Lazy<HttpMessageHandler> SharedHandler = new(() => new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    });

    private readonly HttpClient _http;
    private readonly AwsCredentialSource _credentials;
    private readonly TimeProvider _time;
    private readonly Func<double> _jitter;
    private readonly Action<AwsRetryNotice>? _onRetry;

    public AwsTransport(
        AwsCredentialSource credentials,
        TimeProvider time,
        AwsRetryPolicy retry,
        ApiCallCounter counter,
        TimeSpan? attemptTimeout = null,
        Func<double>? jitter = null,
        HttpMessageHandler? handler = null,
        Action<AwsRetryNotice>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(retry);
        ArgumentNullException.ThrowIfNull(counter);
        _credentials = credentials;
        _time = time;
        Retry = retry;
        Counter = counter;
        AttemptTimeout = attemptTimeout ?? DefaultAttemptTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AttemptTimeout, TimeSpan.Zero, nameof(attemptTimeout));
        _jitter = jitter ?? Random.Shared.NextDouble;
        _onRetry = onRetry;
        // The per-attempt timeout below replaces HttpClient's own, which would ignore the TimeProvider.
        _http = new HttpClient(handler ?? SharedHandler.Value, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public AwsRetryPolicy Retry { get; }
    public ApiCallCounter Counter { get; }
    public TimeSpan AttemptTimeout { get; }

    /// <summary>Sends the request until it succeeds, fails for good, or attempts run out; returns the response body.</summary>
    public async Task<byte[]> SendAsync(AwsRequest request, Func<HttpResponseMessage, byte[], AwsError> readError, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(readError);
        var credentials = await _credentials.GetAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Counter.Increment(request.Service.SigningName, request.Operation);
            AwsServiceException failure;
            try
            {
                using var timeout = new CancellationTokenSource(AttemptTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                using var message = await BuildSignedMessageAsync(request, credentials, linked.Token);
                using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, linked.Token);
                var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
                if (response.IsSuccessStatusCode) return body;

                var status = (int)response.StatusCode;
                var error = readError(response, body);
                failure = new AwsServiceException(request.Service.SigningName, request.Operation, error.Code, status, error.Message, error.RequestId);
                if (!AwsRetryPolicy.IsRetryable(status, error.Code)) throw failure;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                failure = new AwsServiceException(request.Service.SigningName, request.Operation, ConnectionFailureCode, 0, e.Message, inner: e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new AwsServiceException(request.Service.SigningName, request.Operation, RequestTimeoutCode, 0,
                    $"no response within {AttemptTimeout.TotalSeconds:0.#} s", inner: e);
            }

            if (attempt >= Retry.MaxAttempts) throw failure;
            var delay = Retry.DelayAfter(attempt, _jitter());
            _onRetry?.Invoke(new AwsRetryNotice(request.Service.SigningName, request.Operation, failure.ErrorCode, attempt, Retry.MaxAttempts, delay));
            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    private async Task<HttpRequestMessage> BuildSignedMessageAsync(AwsRequest request, Amazon.Runtime.AWSCredentials credentials, CancellationToken cancellationToken)
    {
        var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = request.Endpoint.Url, Content = request.Body };
        signing.Headers["Content-Type"] = request.ContentType;
        if (request.Target is not null) signing.Headers["X-Amz-Target"] = request.Target;
        var signed = await AWSSigV4Signer.SignAsync(signing, new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = RegionEndpoint.GetBySystemName(request.Endpoint.SigningRegion),
            Service = request.Service.SigningName,
            SignedAt = _time.GetUtcNow().UtcDateTime,
        }, cancellationToken);

        var content = new ByteArrayContent(request.Body);
        // Added without validation so the header goes out byte for byte as it was signed.
        content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        var message = new HttpRequestMessage(HttpMethod.Post, request.Endpoint.Url) { Content = content };
        if (request.Target is not null) message.Headers.TryAddWithoutValidation("X-Amz-Target", request.Target);
        message.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        foreach (var (name, value) in signed.Headers) message.Headers.TryAddWithoutValidation(name, value);
        return message;
    }

    /// <summary>Releases the client and the credential source, which the transport owns.</summary>
    public void Dispose()
    {
        _http.Dispose();
        _credentials.Dispose();
    }
}

/// <summary>A failed attempt about to be retried after <see cref="Delay"/>: for a person watching a slow run.</summary>
internal sealed record AwsRetryNotice(string Service, string Operation, string ErrorCode, int Attempt, int MaxAttempts, TimeSpan Delay);

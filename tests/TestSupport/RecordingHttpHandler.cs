using System.Net;
using System.Text;
using System.Text.Json;
using Xunit;

namespace MfaConfigRule.TestSupport;

/// <summary>
/// Stands in for the network under an <see cref="HttpClient"/>: plays back queued answers and records every request it
/// was sent (its body read out, since the client disposes it), so a test can assert on the wire: method, URL, headers
/// (request and content), body.
/// </summary>
public sealed class RecordingHttpHandler : HttpMessageHandler
{
    private readonly Queue<Func<CapturedRequest, CancellationToken, Task<HttpResponseMessage>>> _answers = new();
    private readonly List<CapturedRequest> _requests = [];
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<CapturedRequest> Requests
    {
        get { lock (_gate) return _requests.ToList(); }
    }

    public CapturedRequest SingleRequest => Assert.Single(Requests);

    public RecordingHttpHandler Respond(HttpStatusCode status, string body, string contentType = "text/xml", params (string Name, string Value)[] headers) =>
        Then((_, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8) };
            response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
            return Task.FromResult(response);
        });

    public RecordingHttpHandler RespondXml(string body, HttpStatusCode status = HttpStatusCode.OK) => Respond(status, body, "text/xml");

    public RecordingHttpHandler RespondJson(string body, HttpStatusCode status = HttpStatusCode.OK, params (string Name, string Value)[] headers) =>
        Respond(status, body, "application/x-amz-json-1.1", headers);

    /// <summary>The connection fails before any answer, as when the endpoint is unreachable.</summary>
    public RecordingHttpHandler FailConnection() =>
        Then((_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException("Connection refused (127.0.0.1:9)")));

    /// <summary>No answer until the request is cancelled (the per-attempt timeout, or the caller).</summary>
    public RecordingHttpHandler Hang() =>
        Then(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });

    public RecordingHttpHandler Then(Func<CapturedRequest, CancellationToken, Task<HttpResponseMessage>> answer)
    {
        lock (_gate) _answers.Enqueue(answer);
        return this;
    }

    /// <summary>Completes once <paramref name="count"/> requests have arrived.</summary>
    public Task WaitForRequestsAsync(int count)
    {
        lock (_gate)
        {
            if (_requests.Count >= count) return Task.CompletedTask;
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task;
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers) headers[name] = string.Join(",", values);
        if (request.Content is not null)
            foreach (var (name, values) in request.Content.Headers) headers[name] = string.Join(",", values);
        var captured = new CapturedRequest(request.Method, request.RequestUri!, headers, request.Content?.Headers.ContentType?.MediaType, body);

        Func<CapturedRequest, CancellationToken, Task<HttpResponseMessage>> answer;
        lock (_gate)
        {
            _requests.Add(captured);
            foreach (var waiter in _waiters.Where(w => w.Count <= _requests.Count).ToList())
            {
                waiter.Signal.TrySetResult();
                _waiters.Remove(waiter);
            }
            if (!_answers.TryDequeue(out answer!))
                throw new InvalidOperationException($"no answer queued for request {_requests.Count}: {captured.BodyText}");
        }
        return await answer(captured, cancellationToken);
    }
}

/// <summary>A request as the recording handler saw it; <paramref name="ContentType"/> is the media type alone, without parameters.</summary>
public sealed record CapturedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? ContentType, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The form-encoded body of a Query request, decoded (order kept).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> FormPairs =>
        BodyText.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(parts => new KeyValuePair<string, string>(Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts.Length > 1 ? parts[1] : string.Empty)))
            .ToList();

    public IReadOnlyDictionary<string, string> Form => FormPairs.ToDictionary(p => p.Key, p => p.Value);

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
}

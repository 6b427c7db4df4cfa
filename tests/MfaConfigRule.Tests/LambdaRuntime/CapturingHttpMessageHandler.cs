using System.Net;

namespace MfaConfigRule.Tests.LambdaRuntime;

/// <summary>
/// Stands in for the network: records each request (with its body read out, since the client disposes it) and
/// answers with the response the test queued.
/// </summary>
internal sealed class CapturingHttpMessageHandler : HttpMessageHandler
{
    private readonly Queue<HttpResponseMessage> _responses = new();

    public List<CapturedRequest> Requests { get; } = [];

    public CapturedRequest Single => Assert.Single(Requests);

    public CapturingHttpMessageHandler Answer(HttpStatusCode status, string body = "", params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body) };
        foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
        _responses.Enqueue(response);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        Requests.Add(new CapturedRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
            request.Content?.Headers.ContentType?.MediaType,
            body));
        return _responses.Count > 0 ? _responses.Dequeue() : throw new InvalidOperationException("the test queued no answer for " + request.RequestUri);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var response in _responses) response.Dispose();
        }

        base.Dispose(disposing);
    }
}

internal sealed record CapturedRequest(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string? ContentType, byte[]? Body)
{
    public string BodyText => Body is null ? string.Empty : System.Text.Encoding.UTF8.GetString(Body);
}

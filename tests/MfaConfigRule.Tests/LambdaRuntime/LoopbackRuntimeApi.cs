using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MfaConfigRule.LambdaRuntime;

namespace MfaConfigRule.Tests.LambdaRuntime;

/// <summary>
/// A Lambda Runtime API on 127.0.0.1 that serves queued events and records what the runtime posts back, so the real
/// <see cref="RuntimeApiClient"/> and loop can be run end to end over HTTP. When asked for an event after the queue is
/// empty it completes <see cref="Drained"/> and leaves that request open, as Lambda does while no event comes.
/// </summary>
internal sealed class LoopbackRuntimeApi : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentQueue<QueuedEvent> _events;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _serving;

    private LoopbackRuntimeApi(HttpListener listener, string hostAndPort, IEnumerable<QueuedEvent> events)
    {
        _listener = listener;
        HostAndPort = hostAndPort;
        _events = new ConcurrentQueue<QueuedEvent>(events);
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>The value for <c>AWS_LAMBDA_RUNTIME_API</c>.</summary>
    public string HostAndPort { get; }

    public Task Drained => _drained.Task;

    public ConcurrentQueue<Posted> Posts { get; } = new();

    public static LoopbackRuntimeApi Start(params QueuedEvent[] events)
    {
        // HttpListener cannot bind port 0; take a free port from the OS and retry in the rare case it is taken meanwhile.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new LoopbackRuntimeApi(listener, $"127.0.0.1:{port}", events);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Close();
        try
        {
            await _serving;
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            await AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        if (request.HttpMethod == "GET" && path == RuntimeApiPaths.NextInvocation)
        {
            if (!_events.TryDequeue(out var next))
            {
                _drained.TrySetResult();
                return;
            }

            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.Headers[RuntimeApiHeaders.AwsRequestId] = next.RequestId;
            response.Headers[RuntimeApiHeaders.DeadlineMs] = next.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            response.Headers[RuntimeApiHeaders.InvokedFunctionArn] = "arn:aws:lambda:us-east-1:123456789012:function:mfa-rule";
            if (next.TraceId is not null) response.Headers[RuntimeApiHeaders.TraceId] = next.TraceId;
            await WriteAndCloseAsync(response, next.Body);
            return;
        }

        if (request.HttpMethod == "POST")
        {
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            Posts.Enqueue(new Posted(path, request.ContentType, request.Headers[RuntimeApiHeaders.FunctionErrorType], body));
            context.Response.StatusCode = 202;
            await WriteAndCloseAsync(context.Response, """{"status":"OK"}""");
            return;
        }

        context.Response.StatusCode = 404;
        await WriteAndCloseAsync(context.Response, """{"errorMessage":"not found","errorType":"InvalidRequest"}""");
    }

    private static async Task WriteAndCloseAsync(HttpListenerResponse response, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    internal sealed record QueuedEvent(string RequestId, string Body, DateTimeOffset Deadline, string? TraceId = null);

    internal sealed record Posted(string Path, string? ContentType, string? ErrorType, string Body);
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MfaConfigRule.TestSupport;

/// <summary>What the runtime posted back for one event: <c>/response</c> or <c>/error</c>.</summary>
public sealed record InvocationOutcome(string RequestId, bool Succeeded, string Body, string? ErrorTypeHeader)
{
    public JsonObject Json => JsonNode.Parse(Body) as JsonObject ?? throw new InvalidOperationException($"the {(Succeeded ? "response" : "error")} body is not a JSON object: {Body}");

    public string ErrorType => Json["errorType"]?.GetValue<string>() ?? throw new InvalidOperationException($"no errorType in {Body}");

    public string ErrorMessage => Json["errorMessage"]?.GetValue<string>() ?? throw new InvalidOperationException($"no errorMessage in {Body}");

    public override string ToString() => $"{(Succeeded ? "response" : "error")} {RequestId}: {Body}";
}

/// <summary>What the runtime posted to the Runtime API, in arrival order: its path, content type, error type header and body.</summary>
public sealed record RuntimeApiPost(string Path, string? ContentType, string? ErrorType, string Body);

/// <summary>
/// The Lambda Runtime API (2018-06-01) on 127.0.0.1, as Lambda serves it to a custom runtime: <c>next</c> is held
/// open until the test queues an event, which goes out with the request ID, deadline, function ARN and trace headers;
/// the runtime's <c>response</c>, <c>error</c> and <c>init/error</c> posts are captured for the test to await, and
/// kept in <see cref="Posts"/>. Used by the unit tests of the Runtime API client and loop and by the end-to-end tests
/// of the binary, so both speak to the same server.
/// </summary>
public sealed class LoopbackRuntimeApi : IAsyncDisposable
{
    private const string Prefix = "/2018-06-01/runtime/";
    public const string FunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:mfa-config-rule";

    private readonly WebApplication _app;
    private readonly Channel<QueuedEvent> _events = Channel.CreateUnbounded<QueuedEvent>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationOutcome>> _outcomes = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<InvocationOutcome> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextRequests;

    private LoopbackRuntimeApi(WebApplication app, string hostAndPort)
    {
        _app = app;
        HostAndPort = hostAndPort;
    }

    /// <summary>The value for <c>AWS_LAMBDA_RUNTIME_API</c>.</summary>
    public string HostAndPort { get; private set; }

    /// <summary>How many times the runtime has asked for its next event: one more than it has finished, while it is alive.</summary>
    public int NextRequests => Volatile.Read(ref _nextRequests);

    /// <summary>Completes when the runtime reports an initialization error.</summary>
    public Task<InvocationOutcome> InitializationError => _initError.Task;

    /// <summary>Completes the first time the runtime asks for an event when none is queued (the request stays open).</summary>
    public Task Drained => _drained.Task;

    /// <summary>Every post the runtime made, in arrival order.</summary>
    public ConcurrentQueue<RuntimeApiPost> Posts { get; } = new();

    public static async Task<LoopbackRuntimeApi> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var api = new LoopbackRuntimeApi(app, string.Empty);
        app.Run(api.HandleAsync);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        api.HostAndPort = $"127.0.0.1:{address.Port}";
        return api;
    }

    /// <summary>
    /// Queues an event, under a new request ID and trace ID unless given; the task completes when the runtime posts
    /// its outcome.
    /// </summary>
    public (string RequestId, Task<InvocationOutcome> Outcome) Enqueue(string body, DateTimeOffset deadline, string? requestId = null, string? traceId = null)
    {
        requestId ??= Guid.NewGuid().ToString();
        var outcome = new TaskCompletionSource<InvocationOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_outcomes.TryAdd(requestId, outcome)) throw new InvalidOperationException($"request ID {requestId} is already queued");
        var queued = new QueuedEvent(requestId, body, deadline, traceId ?? $"Root=1-{Guid.NewGuid():N}");
        if (!_events.Writer.TryWrite(queued)) throw new InvalidOperationException("the Runtime API is stopped");
        return (requestId, outcome.Task);
    }

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? string.Empty;
        if (HttpMethods.IsGet(request.Method) && path == Prefix + "invocation/next")
        {
            Interlocked.Increment(ref _nextRequests);
            QueuedEvent next;
            try
            {
                if (!_events.Reader.TryRead(out next!))
                {
                    _drained.TrySetResult();
                    next = await _events.Reader.ReadAsync(context.RequestAborted);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                // The runtime went away, or the test is over; Lambda would freeze or end the environment here.
                context.Response.StatusCode = 500;
                return;
            }
            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.Headers["Lambda-Runtime-Aws-Request-Id"] = next.RequestId;
            response.Headers["Lambda-Runtime-Deadline-Ms"] = next.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = FunctionArn;
            response.Headers["Lambda-Runtime-Trace-Id"] = next.TraceId;
            await response.WriteAsync(next.Body, Encoding.UTF8);
            return;
        }

        if (HttpMethods.IsPost(request.Method) && path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var errorType = request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault();
            Posts.Enqueue(new RuntimeApiPost(path, request.ContentType, errorType, body));
            var parts = path[Prefix.Length..].Split('/');
            if (parts is ["init", "error"])
            {
                _initError.TrySetResult(new InvocationOutcome(string.Empty, false, body, errorType));
                await AcceptedAsync(context);
                return;
            }
            if (parts is ["invocation", var requestId, "response" or "error"] && _outcomes.TryGetValue(requestId, out var outcome))
            {
                var succeeded = parts[2] == "response";
                // A second outcome for the same event is a runtime bug; Lambda refuses it, and so does this.
                if (!outcome.TrySetResult(new InvocationOutcome(requestId, succeeded, body, errorType)))
                {
                    context.Response.StatusCode = 400;
                    return;
                }
                await AcceptedAsync(context);
                return;
            }
        }

        context.Response.StatusCode = 404;
        await context.Response.WriteAsync("""{"errorMessage":"unknown path or request ID","errorType":"InvalidRequestID"}""");
    }

    private static async Task AcceptedAsync(HttpContext context)
    {
        context.Response.StatusCode = 202;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"status":"OK"}""");
    }

    private sealed record QueuedEvent(string RequestId, string Body, DateTimeOffset Deadline, string TraceId);
}

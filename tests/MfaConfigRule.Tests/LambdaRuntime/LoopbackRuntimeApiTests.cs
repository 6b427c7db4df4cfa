using System.Text.Json;
using MfaConfigRule.Functions;
using MfaConfigRule.LambdaRuntime;
using MfaConfigRule.Logging;
using MfaConfigRule.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace MfaConfigRule.Tests.LambdaRuntime;

/// <summary>The real Runtime API client and loop, wired by <see cref="LambdaHost"/>, over HTTP on 127.0.0.1.</summary>
public sealed class LoopbackRuntimeApiTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly StringWriter _logOutput = new();

    [Fact]
    public async Task RunAsync_TwoQueuedEvents_RespondsToTheFirstAndReportsTheSecondsFailure()
    {
        await using var api = await LoopbackRuntimeApi.StartAsync();
        api.Enqueue("""{"user":"zoë"}""", Now.AddMinutes(5), "req-1", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700");
        api.Enqueue("""{"fail":true}""", Now.AddMinutes(5), "req-2");
        var environment = LambdaEnvironment(api, handler: "echo");
        var log = new JsonLog(_logOutput, _time);
        string? traceSeen = null;
        var handlers = new HandlerRegistry().Add("echo", () => (request, _) =>
        {
            traceSeen ??= environment.Get(LambdaBootstrap.TraceIdEnvironmentVariable);
            log.Info("handling");
            return request.Body.Contains("fail", StringComparison.Ordinal)
                ? throw new LambdaFunctionException("EvaluationIncomplete", "1 user could not be read")
                : Task.FromResult($$"""{"echo":{{request.Body}}}""");
        });
        using var stopping = new CancellationTokenSource();

        var run = LambdaHost.RunAsync(handlers.Create, log, environment, _time, stopping.Token);
        await api.Drained;
        await stopping.CancelAsync();
        var exit = await run;

        Assert.Equal(LambdaBootstrap.ExitSuccess, exit);
        var posts = api.Posts.ToArray();
        Assert.Equal(["/2018-06-01/runtime/invocation/req-1/response", "/2018-06-01/runtime/invocation/req-2/error"], posts.Select(p => p.Path));
        Assert.Equal("""{"echo":{"user":"zoë"}}""", posts[0].Body);
        Assert.Equal("application/vnd.aws.lambda.error+json", posts[1].ContentType);
        Assert.Equal("EvaluationIncomplete", posts[1].ErrorType);
        using var error = JsonDocument.Parse(posts[1].Body);
        Assert.Equal("1 user could not be read", error.RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal("EvaluationIncomplete", error.RootElement.GetProperty("errorType").GetString());
        Assert.Equal(JsonValueKind.Array, error.RootElement.GetProperty("stackTrace").ValueKind);
        Assert.Equal("Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700", traceSeen);
        var handling = LogLines().Where(l => l.GetProperty("message").GetString() == "handling").Select(l => l.GetProperty("requestId").GetString());
        Assert.Equal(["req-1", "req-2"], handling);
    }

    [Fact]
    public async Task RunAsync_RunOnceSet_HandlesOneEventAndReturnsWithoutDraining()
    {
        await using var api = await LoopbackRuntimeApi.StartAsync();
        api.Enqueue("{}", Now.AddMinutes(5), "req-1");
        api.Enqueue("{}", Now.AddMinutes(5), "req-2");
        var environment = LambdaEnvironment(api, handler: "echo");
        environment.Set(LambdaBootstrapOptions.RunOnceEnvironmentVariable, "true");
        var handlers = new HandlerRegistry().Add("echo", () => (_, _) => Task.FromResult("""{"ok":true}"""));

        var exit = await LambdaHost.RunAsync(handlers.Create, new JsonLog(_logOutput, _time), environment, _time, CancellationToken.None);

        Assert.Equal(LambdaBootstrap.ExitSuccess, exit);
        Assert.Equal(["/2018-06-01/runtime/invocation/req-1/response"], api.Posts.Select(p => p.Path));
        Assert.False(api.Drained.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_UnknownHandler_PostsInitErrorAndExitsNonZero()
    {
        await using var api = await LoopbackRuntimeApi.StartAsync();
        api.Enqueue("{}", Now.AddMinutes(5), "req-1");
        var handlers = new HandlerRegistry().Add("evaluate", () => (_, _) => Task.FromResult("{}")).Add("trigger", () => (_, _) => Task.FromResult("{}"));

        var exit = await LambdaHost.RunAsync(handlers.Create, new JsonLog(_logOutput, _time), LambdaEnvironment(api, handler: "index.handler"), _time, CancellationToken.None);

        Assert.Equal(LambdaBootstrap.ExitInitializationFailed, exit);
        var post = Assert.Single(api.Posts);
        Assert.Equal("/2018-06-01/runtime/init/error", post.Path);
        Assert.Equal(HandlerRegistry.HandlerNotFoundErrorType, post.ErrorType);
        using var error = JsonDocument.Parse(post.Body);
        Assert.Contains("Valid handlers: evaluate, trigger.", error.RootElement.GetProperty("errorMessage").GetString());
    }

    private static FakeEnvironmentVariables LambdaEnvironment(LoopbackRuntimeApi api, string handler) =>
        new((RuntimeApiClient.HostEnvironmentVariable, api.HostAndPort), (LambdaHost.HandlerEnvironmentVariable, handler));

    private List<JsonElement> LogLines() =>
        [.. _logOutput.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];
}

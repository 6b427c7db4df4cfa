using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.LambdaRuntime;
using MfaConfigRule.Logging;
using MfaConfigRule.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace MfaConfigRule.Tests.LambdaRuntime;

public sealed class LambdaBootstrapTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeEnvironmentVariables _environment = new();
    private readonly StringWriter _logOutput = new();
    private readonly JsonLog _log;

    public LambdaBootstrapTests() => _log = new JsonLog(_logOutput, _time, LogLevel.Debug);

    [Fact]
    public async Task RunAsync_HandlerSucceeds_SendsItsResponseForTheRequest()
    {
        var client = new RecordingRuntimeApiClient(Event("req-1", body: """{"ping":1}"""));

        var exit = await CreateBootstrap(client, () => (request, _) => Task.FromResult($$"""{"echo":{{request.Body}}}"""), runOnce: true)
            .RunAsync(CancellationToken.None);

        Assert.Equal(LambdaBootstrap.ExitSuccess, exit);
        Assert.Equal([("req-1", """{"echo":{"ping":1}}""")], client.Responses);
        Assert.Empty(client.InvocationErrors);
    }

    [Fact]
    public async Task RunAsync_HandlerThrows_ReportsInvocationErrorAndServesTheNextEvent()
    {
        using var stopping = new CancellationTokenSource();
        var client = new RecordingRuntimeApiClient(Event("req-1", body: "fail"), Event("req-2", body: "ok")) { OnDrained = stopping.Cancel };
        LambdaHandler handler = (request, _) => request.Body == "fail"
            ? throw new InvalidOperationException("credential report is not ready")
            : Task.FromResult("{}");

        var exit = await CreateBootstrap(client, () => handler).RunAsync(stopping.Token);

        Assert.Equal(LambdaBootstrap.ExitSuccess, exit);
        Assert.Equal(["next", "error req-1", "next", "response req-2", "next"], client.Calls);
        var (requestId, error) = Assert.Single(client.InvocationErrors);
        Assert.Equal("req-1", requestId);
        Assert.Equal("InvalidOperationException", error.ErrorType);
        Assert.Equal("credential report is not ready", error.ErrorMessage);
        Assert.NotEmpty(error.StackTrace);
    }

    [Fact]
    public async Task RunAsync_HandlerThrowsAsynchronously_ReportsInvocationError()
    {
        var client = new RecordingRuntimeApiClient(Event("req-1"));

        await CreateBootstrap(client, () => async (_, _) =>
        {
            await Task.Yield();
            throw new TimeoutException("slow");
        }, runOnce: true).RunAsync(CancellationToken.None);

        Assert.Equal("TimeoutException", Assert.Single(client.InvocationErrors).Error.ErrorType);
    }

    [Fact]
    public async Task RunAsync_HandlerThrowsExceptionWithCode_ReportsTheCodeAsErrorType()
    {
        using var stopping = new CancellationTokenSource();
        var client = new RecordingRuntimeApiClient(Event("req-1", body: "function"), Event("req-2", body: "aws")) { OnDrained = stopping.Cancel };
        LambdaHandler handler = (request, _) => request.Body == "function"
            ? throw new LambdaFunctionException("EvaluationIncomplete", "2 users could not be read")
            : throw new AwsServiceException("IAM", "GetLoginProfile", "ServiceFailure", 500, "internal error");

        await CreateBootstrap(client, () => handler).RunAsync(stopping.Token);

        Assert.Equal(["EvaluationIncomplete", "ServiceFailure"], client.InvocationErrors.Select(e => e.Error.ErrorType));
    }

    [Fact]
    public async Task RunAsync_InitializationThrows_ReportsInitErrorAndExitsWithoutTakingEvents()
    {
        var client = new RecordingRuntimeApiClient(Event("req-1"));

        var exit = await CreateBootstrap(client, () => throw new LambdaFunctionException("Runtime.HandlerNotFound", "no handler 'x'"))
            .RunAsync(CancellationToken.None);

        Assert.Equal(LambdaBootstrap.ExitInitializationFailed, exit);
        Assert.Equal(["init error"], client.Calls);
        var error = Assert.Single(client.InitializationErrors);
        Assert.Equal("Runtime.HandlerNotFound", error.ErrorType);
        Assert.Equal("no handler 'x'", error.ErrorMessage);
        Assert.Contains(LogLines(), line => line.GetProperty("level").GetString() == "ERROR" && line.GetProperty("message").GetString() == "initialization failed");
    }

    [Fact]
    public async Task RunAsync_InitializationThrowsAndReportIsRefused_StillExitsWithInitFailure()
    {
        var client = new RecordingRuntimeApiClient { PostFailure = new RuntimeApiContainerException("initialization error", null) };

        var exit = await CreateBootstrap(client, () => throw new InvalidOperationException("bad config")).RunAsync(CancellationToken.None);

        Assert.Equal(LambdaBootstrap.ExitInitializationFailed, exit);
    }

    [Fact]
    public async Task RunAsync_HandlerStillRunningAtDeadlineMinusMargin_ReportsStoppedBeforeDeadline()
    {
        var client = new RecordingRuntimeApiClient(Event("req-1", deadline: Now.AddSeconds(60)));
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = CreateBootstrap(client, () => async (_, token) =>
        {
            started.SetResult(token);
            await Task.Delay(Timeout.Infinite, token);
            return "{}";
        }, runOnce: true, margin: TimeSpan.FromSeconds(5)).RunAsync(CancellationToken.None);
        var handlerToken = await started.Task;

        _time.Advance(TimeSpan.FromSeconds(55) - TimeSpan.FromMilliseconds(1));
        Assert.False(handlerToken.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(handlerToken.IsCancellationRequested);
        var exit = await run;

        Assert.Equal(LambdaBootstrap.ExitSuccess, exit);
        Assert.Empty(client.Responses);
        var error = Assert.Single(client.InvocationErrors).Error;
        Assert.Equal(LambdaBootstrap.StoppedBeforeDeadlineErrorType, error.ErrorType);
        Assert.StartsWith("The handler was stopped 5 s before the Lambda deadline;", error.ErrorMessage);
    }

    [Fact]
    public async Task RunAsync_DeadlineAlreadyInsideMargin_HandlerGetsCancelledToken()
    {
        var client = new RecordingRuntimeApiClient(Event("req-1", deadline: Now.AddSeconds(2)));
        var tokenWasCancelled = false;

        await CreateBootstrap(client, () => (_, token) =>
        {
            tokenWasCancelled = token.IsCancellationRequested;
            token.ThrowIfCancellationRequested();
            return Task.FromResult("{}");
        }, runOnce: true).RunAsync(CancellationToken.None);

        Assert.True(tokenWasCancelled);
        Assert.Equal(LambdaBootstrap.StoppedBeforeDeadlineErrorType, Assert.Single(client.InvocationErrors).Error.ErrorType);
    }

    [Fact]
    public async Task RunAsync_DeadlineCancellationArrivesWrapped_StillReportsStoppedBeforeDeadline()
    {
        var client = new RecordingRuntimeApiClient(Event("req-1", deadline: Now));

        await CreateBootstrap(client, () => (_, token) =>
            throw new AwsServiceException("Config", "PutEvaluations", "RequestCanceled", 0, "the call was cancelled", inner: new TaskCanceledException(null, null, token)),
            runOnce: true).RunAsync(CancellationToken.None);

        Assert.Equal(LambdaBootstrap.StoppedBeforeDeadlineErrorType, Assert.Single(client.InvocationErrors).Error.ErrorType);
    }

    [Fact]
    public async Task RunAsync_HandlerCancelledByItsOwnTimeoutBeforeDeadline_ReportsTheExceptionItself()
    {
        var client = new RecordingRuntimeApiClient(Event("req-1", deadline: Now.AddMinutes(5)));

        await CreateBootstrap(client, () => (_, _) => throw new TaskCanceledException("HTTP request timed out"), runOnce: true)
            .RunAsync(CancellationToken.None);

        var error = Assert.Single(client.InvocationErrors).Error;
        Assert.Equal("TaskCanceledException", error.ErrorType);
        Assert.Equal("HTTP request timed out", error.ErrorMessage);
    }

    [Fact]
    public async Task RunAsync_EventWithTraceHeader_SetsTraceEnvironmentVariableForTheHandler()
    {
        var client = new RecordingRuntimeApiClient(Event("req-1", trace: "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1"));
        string? seenByHandler = null;

        await CreateBootstrap(client, () => (_, _) =>
        {
            seenByHandler = _environment.Get(LambdaBootstrap.TraceIdEnvironmentVariable);
            return Task.FromResult("{}");
        }, runOnce: true).RunAsync(CancellationToken.None);

        Assert.Equal("Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=1", seenByHandler);
    }

    [Fact]
    public async Task RunAsync_EventWithoutTraceHeader_ClearsThePreviousTrace()
    {
        _environment.Set(LambdaBootstrap.TraceIdEnvironmentVariable, "Root=1-previous");
        var client = new RecordingRuntimeApiClient(Event("req-2"));

        await CreateBootstrap(client, () => (_, _) => Task.FromResult("{}"), runOnce: true).RunAsync(CancellationToken.None);

        Assert.Null(_environment.Get(LambdaBootstrap.TraceIdEnvironmentVariable));
    }

    [Fact]
    public async Task RunAsync_RunOnce_HandlesOneEventAndReturns()
    {
        var client = new RecordingRuntimeApiClient(Event("req-1"), Event("req-2"));

        var exit = await CreateBootstrap(client, () => (_, _) => Task.FromResult("{}"), runOnce: true).RunAsync(CancellationToken.None);

        Assert.Equal(LambdaBootstrap.ExitSuccess, exit);
        Assert.Equal(["next", "response req-1"], client.Calls);
    }

    [Fact]
    public async Task RunAsync_StoppedWhileWaitingForNextEvent_ReturnsSuccess()
    {
        using var stopping = new CancellationTokenSource();
        var client = new RecordingRuntimeApiClient { OnDrained = stopping.Cancel };

        var exit = await CreateBootstrap(client, () => (_, _) => Task.FromResult("{}")).RunAsync(stopping.Token);

        Assert.Equal(LambdaBootstrap.ExitSuccess, exit);
        Assert.Equal(["next"], client.Calls);
    }

    [Fact]
    public async Task RunAsync_StoppedWhileHandlerRuns_ReportsShuttingDownAndReturns()
    {
        using var stopping = new CancellationTokenSource();
        var client = new RecordingRuntimeApiClient(Event("req-1", deadline: Now.AddMinutes(5)), Event("req-2"));

        var exit = await CreateBootstrap(client, () => (_, token) =>
        {
            stopping.Cancel();
            token.ThrowIfCancellationRequested();
            return Task.FromResult("{}");
        }).RunAsync(stopping.Token);

        Assert.Equal(LambdaBootstrap.ExitSuccess, exit);
        Assert.Equal(["next", "error req-1"], client.Calls);
        Assert.Equal(LambdaBootstrap.ShuttingDownErrorType, Assert.Single(client.InvocationErrors).Error.ErrorType);
    }

    [Fact]
    public async Task RunAsync_NextAnswers500_ExitsWithRuntimeApiFailure()
    {
        var client = new RecordingRuntimeApiClient { NextFailure = new RuntimeApiContainerException("next invocation", null) };

        var exit = await CreateBootstrap(client, () => (_, _) => Task.FromResult("{}")).RunAsync(CancellationToken.None);

        Assert.Equal(LambdaBootstrap.ExitRuntimeApiFailed, exit);
        Assert.Contains(LogLines(), line => line.GetProperty("level").GetString() == "ERROR" && line.GetProperty("exception").GetString()!.Contains("Container error"));
    }

    [Fact]
    public async Task RunAsync_ResponseRefused_LogsAndServesTheNextEvent()
    {
        using var stopping = new CancellationTokenSource();
        var client = new RecordingRuntimeApiClient(Event("req-1"), Event("req-2"))
        {
            OnDrained = stopping.Cancel,
            PostFailure = new RuntimeApiClientException("invocation response", 413, "payload too large"),
        };

        var exit = await CreateBootstrap(client, () => (_, _) => Task.FromResult("{}")).RunAsync(stopping.Token);

        Assert.Equal(LambdaBootstrap.ExitSuccess, exit);
        Assert.Equal(["next", "response req-1", "next", "response req-2", "next"], client.Calls);
        Assert.Contains(LogLines(), line => line.TryGetProperty("statusCode", out var status) && status.GetInt32() == 413);
    }

    [Fact]
    public async Task RunAsync_ResponseAnswers500_ExitsWithRuntimeApiFailure()
    {
        var client = new RecordingRuntimeApiClient(Event("req-1"), Event("req-2")) { PostFailure = new RuntimeApiContainerException("invocation response", null) };

        var exit = await CreateBootstrap(client, () => (_, _) => Task.FromResult("{}")).RunAsync(CancellationToken.None);

        Assert.Equal(LambdaBootstrap.ExitRuntimeApiFailed, exit);
        Assert.Equal(["next", "response req-1"], client.Calls);
    }

    [Fact]
    public async Task RunAsync_HandlerLogs_LinesCarryTheRequestIdOnlyDuringTheInvocation()
    {
        var client = new RecordingRuntimeApiClient(Event("req-42"));

        await CreateBootstrap(client, () => (_, _) =>
        {
            _log.Info("evaluating");
            return Task.FromResult("{}");
        }, runOnce: true).RunAsync(CancellationToken.None);
        _log.Info("after");

        var lines = LogLines();
        Assert.Equal("req-42", lines.Single(l => l.GetProperty("message").GetString() == "evaluating").GetProperty("requestId").GetString());
        Assert.False(lines.Single(l => l.GetProperty("message").GetString() == "after").TryGetProperty("requestId", out _));
    }

    [Fact]
    public void Options_FromEnvironment_RunOnceOnlyWhenTrue()
    {
        Assert.True(LambdaBootstrapOptions.FromEnvironment(new FakeEnvironmentVariables((LambdaBootstrapOptions.RunOnceEnvironmentVariable, "true"))).RunOnce);
        Assert.True(LambdaBootstrapOptions.FromEnvironment(new FakeEnvironmentVariables((LambdaBootstrapOptions.RunOnceEnvironmentVariable, "True"))).RunOnce);
        Assert.False(LambdaBootstrapOptions.FromEnvironment(new FakeEnvironmentVariables((LambdaBootstrapOptions.RunOnceEnvironmentVariable, "1"))).RunOnce);
        Assert.False(LambdaBootstrapOptions.FromEnvironment(new FakeEnvironmentVariables()).RunOnce);
        Assert.Equal(TimeSpan.FromSeconds(3), LambdaBootstrapOptions.FromEnvironment(new FakeEnvironmentVariables()).DeadlineSafetyMargin);
    }

    private static InvocationRequest Event(string requestId, DateTimeOffset? deadline = null, string? trace = null, string body = "{}") =>
        new(requestId, deadline ?? Now.AddMinutes(15), "arn:aws:lambda:us-east-1:123456789012:function:mfa-rule", trace, body);

    private LambdaBootstrap CreateBootstrap(RecordingRuntimeApiClient client, Func<LambdaHandler> createHandler, bool runOnce = false, TimeSpan? margin = null) =>
        new(
            client,
            createHandler,
            new LambdaBootstrapOptions { RunOnce = runOnce, DeadlineSafetyMargin = margin ?? LambdaBootstrapOptions.DefaultDeadlineSafetyMargin },
            _environment,
            _time,
            _log);

    private List<JsonElement> LogLines() =>
        [.. _logOutput.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];
}

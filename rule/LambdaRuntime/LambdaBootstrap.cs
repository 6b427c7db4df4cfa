using System.Globalization;
using MfaConfigRule.Contract;
using MfaConfigRule.Logging;

namespace MfaConfigRule.LambdaRuntime;

/// <summary>
/// The custom runtime's loop: build the handler once, then take events one by one from the Runtime API. An init
/// failure is reported and ends the process; a handler failure is reported and the loop takes the next event; a
/// Runtime API failure ends the process so Lambda replaces the execution environment.
/// </summary>
internal sealed class LambdaBootstrap
{
    public const int ExitSuccess = 0;
    public const int ExitInitializationFailed = 1;
    public const int ExitRuntimeApiFailed = 2;

    /// <summary>Where the AWS SDK and X-Ray look for the current invocation's trace header.</summary>
    public const string TraceIdEnvironmentVariable = "_X_AMZN_TRACE_ID";

    public const string StoppedBeforeDeadlineErrorType = "Runtime.StoppedBeforeDeadline";
    public const string ShuttingDownErrorType = "Runtime.ShuttingDown";

    // A timer cannot wait longer than this; a deadline further out is treated as none.
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly IRuntimeApiClient _client;
    private readonly Func<LambdaHandler> _createHandler;
    private readonly LambdaBootstrapOptions _options;
    private readonly IEnvironmentVariables _environment;
    private readonly TimeProvider _time;
    private readonly JsonLog _log;

    public LambdaBootstrap(
        IRuntimeApiClient client,
        Func<LambdaHandler> createHandler,
        LambdaBootstrapOptions options,
        IEnvironmentVariables environment,
        TimeProvider time,
        JsonLog log)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(createHandler);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(log);
        if (options.DeadlineSafetyMargin < TimeSpan.Zero) throw new ArgumentException("the deadline safety margin cannot be negative", nameof(options));
        _client = client;
        _createHandler = createHandler;
        _options = options;
        _environment = environment;
        _time = time;
        _log = log;
    }

    /// <summary>
    /// Runs until <paramref name="stopping"/> is cancelled (or after one event with
    /// <see cref="LambdaBootstrapOptions.RunOnce"/>) and returns the process exit code.
    /// </summary>
    public async Task<int> RunAsync(CancellationToken stopping)
    {
        var handler = await InitializeAsync().ConfigureAwait(false);
        if (handler is null) return ExitInitializationFailed;

        try
        {
            while (!stopping.IsCancellationRequested)
            {
                InvocationRequest invocation;
                try
                {
                    invocation = await _client.GetNextInvocationAsync(stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }

                await InvokeOnceAsync(handler, invocation, stopping).ConfigureAwait(false);
                if (_options.RunOnce) break;
            }

            return ExitSuccess;
        }
        catch (Exception exception) when (exception is RuntimeApiContainerException or RuntimeApiClientException or HttpRequestException)
        {
            _log.Error("the Lambda Runtime API failed; the runtime exits so Lambda replaces the execution environment", exception: exception);
            return ExitRuntimeApiFailed;
        }
    }

    private async Task<LambdaHandler?> InitializeAsync()
    {
        try
        {
            return _createHandler();
        }
        catch (Exception exception)
        {
            var error = LambdaError.FromException(exception);
            _log.Error("initialization failed", new LogFields { ["errorType"] = error.ErrorType }, exception);
            try
            {
                await _client.ReportInitializationErrorAsync(error, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception reportFailure) when (reportFailure is RuntimeApiContainerException or RuntimeApiClientException or HttpRequestException)
            {
                _log.Error("could not report the initialization error to the Lambda Runtime API", exception: reportFailure);
            }

            return null;
        }
    }

    private async Task InvokeOnceAsync(LambdaHandler handler, InvocationRequest invocation, CancellationToken stopping)
    {
        using var requestScope = _log.BeginScope("requestId", invocation.RequestId);
        // Set on every event, cleared when absent, so an invocation never carries the previous one's trace.
        _environment.Set(TraceIdEnvironmentVariable, invocation.TraceId);

        using var deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        var untilStop = TimeUntilStop(invocation.Deadline);
        if (untilStop <= TimeSpan.Zero) deadline.Cancel();
        else if (untilStop != Timeout.InfiniteTimeSpan) deadline.CancelAfter(untilStop);
        using var handlerToken = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stopping);

        string? response = null;
        LambdaError? error = null;
        try
        {
            response = await handler(invocation, handlerToken.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (deadline.IsCancellationRequested && IsCancellation(exception))
        {
            error = new LambdaError(StoppedBeforeDeadlineErrorType, StoppedBeforeDeadlineMessage());
            _log.Error("invocation stopped before the Lambda deadline", new LogFields { ["errorType"] = error.ErrorType }, exception);
        }
        catch (Exception exception) when (stopping.IsCancellationRequested && IsCancellation(exception))
        {
            error = new LambdaError(ShuttingDownErrorType, "The runtime is shutting down; the invocation was stopped before it finished.");
            _log.Warn("invocation stopped because the runtime is shutting down", new LogFields { ["errorType"] = error.ErrorType }, exception);
        }
        catch (Exception exception)
        {
            error = LambdaError.FromException(exception);
            _log.Error("invocation failed", new LogFields { ["errorType"] = error.ErrorType }, exception);
        }

        try
        {
            // Not cancellable by `stopping`: the outcome of an invocation that ran is always delivered.
            if (error is null) await _client.SendResponseAsync(invocation.RequestId, response!, CancellationToken.None).ConfigureAwait(false);
            else await _client.ReportInvocationErrorAsync(invocation.RequestId, error, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RuntimeApiClientException refused)
        {
            // 400/403/413 concern this invocation only (a response over the payload limit, a request ID Lambda has
            // already closed); the next event can still be served.
            _log.Error("the Lambda Runtime API refused the invocation's outcome", new LogFields { ["statusCode"] = refused.StatusCode }, refused);
        }
    }

    private TimeSpan TimeUntilStop(DateTimeOffset lambdaDeadline)
    {
        if (lambdaDeadline == DateTimeOffset.MaxValue) return Timeout.InfiniteTimeSpan;
        var untilStop = lambdaDeadline - _options.DeadlineSafetyMargin - _time.GetUtcNow();
        return untilStop > MaxTimerDelay ? Timeout.InfiniteTimeSpan : untilStop;
    }

    private string StoppedBeforeDeadlineMessage() => string.Create(
        CultureInfo.InvariantCulture,
        $"The handler was stopped {_options.DeadlineSafetyMargin.TotalSeconds:0.###} s before the Lambda deadline; its work did not finish in time and may be partly done. Raise the function's timeout or give it less work per invocation.");

    // Cancellation often arrives wrapped (an SDK or HTTP error around a TaskCanceledException).
    private static bool IsCancellation(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OperationCanceledException) return true;
        }

        return false;
    }
}

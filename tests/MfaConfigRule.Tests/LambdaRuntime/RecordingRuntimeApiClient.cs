using MfaConfigRule.LambdaRuntime;

namespace MfaConfigRule.Tests.LambdaRuntime;

/// <summary>
/// A Runtime API in memory: serves the queued events in order, records every call, and once the queue is empty
/// waits for the caller's token, the way the real <c>next</c> call blocks until an event comes.
/// </summary>
internal sealed class RecordingRuntimeApiClient : IRuntimeApiClient
{
    private readonly Queue<InvocationRequest> _events;

    public RecordingRuntimeApiClient(params InvocationRequest[] events) => _events = new Queue<InvocationRequest>(events);

    /// <summary>Called when <c>next</c> is asked for an event and none is left: tests stop the loop here.</summary>
    public Action? OnDrained { get; init; }

    /// <summary>Thrown by <c>next</c> instead of serving an event.</summary>
    public Exception? NextFailure { get; init; }

    /// <summary>Thrown by the response, invocation-error and init-error calls.</summary>
    public Exception? PostFailure { get; init; }

    public List<string> Calls { get; } = [];
    public List<(string RequestId, string Body)> Responses { get; } = [];
    public List<(string RequestId, LambdaError Error)> InvocationErrors { get; } = [];
    public List<LambdaError> InitializationErrors { get; } = [];

    public async Task<InvocationRequest> GetNextInvocationAsync(CancellationToken cancellationToken)
    {
        Calls.Add("next");
        if (NextFailure is not null) throw NextFailure;
        if (_events.TryDequeue(out var invocation)) return invocation;
        OnDrained?.Invoke();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable: the delay only ends by cancellation");
    }

    public Task SendResponseAsync(string requestId, string body, CancellationToken cancellationToken)
    {
        Calls.Add($"response {requestId}");
        Responses.Add((requestId, body));
        return PostFailure is null ? Task.CompletedTask : Task.FromException(PostFailure);
    }

    public Task ReportInvocationErrorAsync(string requestId, LambdaError error, CancellationToken cancellationToken)
    {
        Calls.Add($"error {requestId}");
        InvocationErrors.Add((requestId, error));
        return PostFailure is null ? Task.CompletedTask : Task.FromException(PostFailure);
    }

    public Task ReportInitializationErrorAsync(LambdaError error, CancellationToken cancellationToken)
    {
        Calls.Add("init error");
        InitializationErrors.Add(error);
        return PostFailure is null ? Task.CompletedTask : Task.FromException(PostFailure);
    }
}

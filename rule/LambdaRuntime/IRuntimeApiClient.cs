namespace MfaConfigRule.LambdaRuntime;

/// <summary>
/// The Lambda Runtime API, operation for operation. Status handling is the same for all: a 500 throws
/// <see cref="RuntimeApiContainerException"/> (the runtime must exit), any other refusal throws
/// <see cref="RuntimeApiClientException"/>.
/// </summary>
internal interface IRuntimeApiClient
{
    /// <summary><c>GET /runtime/invocation/next</c>: waits, without a time limit, for the next event.</summary>
    Task<InvocationRequest> GetNextInvocationAsync(CancellationToken cancellationToken);

    /// <summary><c>POST /runtime/invocation/{requestId}/response</c> with the handler's result.</summary>
    Task SendResponseAsync(string requestId, string body, CancellationToken cancellationToken);

    /// <summary><c>POST /runtime/invocation/{requestId}/error</c>: the invocation failed; the runtime goes on.</summary>
    Task ReportInvocationErrorAsync(string requestId, LambdaError error, CancellationToken cancellationToken);

    /// <summary><c>POST /runtime/init/error</c>: the runtime could not start; it exits after this.</summary>
    Task ReportInitializationErrorAsync(LambdaError error, CancellationToken cancellationToken);
}

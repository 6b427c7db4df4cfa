namespace MfaConfigRule.LambdaRuntime;

/// <summary>
/// Handles one event and returns the response body (JSON). The token fires a safety margin before the Lambda
/// deadline, or when the runtime shuts down; a handler that throws fails only this invocation.
/// </summary>
internal delegate Task<string> LambdaHandler(InvocationRequest request, CancellationToken cancellationToken);

namespace MfaConfigRule.LambdaRuntime;

/// <summary>One event from <c>GET /runtime/invocation/next</c>.</summary>
/// <param name="RequestId">The AWS request ID (<c>Lambda-Runtime-Aws-Request-Id</c>).</param>
/// <param name="Deadline">
/// When Lambda stops the invocation (<c>Lambda-Runtime-Deadline-Ms</c>); <see cref="DateTimeOffset.MaxValue"/> when the
/// Runtime API sent none (only emulators do that).
/// </param>
/// <param name="InvokedFunctionArn">The ARN the caller invoked, possibly with a version or alias.</param>
/// <param name="TraceId">The X-Ray tracing header, when tracing is on.</param>
/// <param name="Body">The event, decoded as UTF-8.</param>
internal sealed record InvocationRequest(string RequestId, DateTimeOffset Deadline, string? InvokedFunctionArn, string? TraceId, string Body);

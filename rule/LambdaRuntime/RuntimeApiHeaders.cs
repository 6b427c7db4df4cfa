namespace MfaConfigRule.LambdaRuntime;

/// <summary>
/// Header names of the Lambda Runtime API (OpenAPI spec 2018-06-01). HTTP header names are case-insensitive and
/// <see cref="System.Net.Http.Headers.HttpHeaders"/> looks them up that way, so a Runtime API that sends
/// <c>lambda-runtime-aws-request-id</c> is read the same as one that sends the documented spelling.
/// </summary>
internal static class RuntimeApiHeaders
{
    /// <summary>Required on every event: identifies the invocation in the response and error paths.</summary>
    public const string AwsRequestId = "Lambda-Runtime-Aws-Request-Id";

    /// <summary>When the invocation times out, in milliseconds since the Unix epoch.</summary>
    public const string DeadlineMs = "Lambda-Runtime-Deadline-Ms";

    public const string InvokedFunctionArn = "Lambda-Runtime-Invoked-Function-Arn";

    /// <summary>The X-Ray tracing header; the runtime exposes it to the AWS SDK as <c>_X_AMZN_TRACE_ID</c>.</summary>
    public const string TraceId = "Lambda-Runtime-Trace-Id";

    /// <summary>Sent with an error report; Lambda uses it when the error body cannot be read.</summary>
    public const string FunctionErrorType = "Lambda-Runtime-Function-Error-Type";
}

/// <summary>Paths of the Lambda Runtime API, relative to <c>http://${AWS_LAMBDA_RUNTIME_API}</c>.</summary>
internal static class RuntimeApiPaths
{
    public const string Version = "2018-06-01";
    public const string NextInvocation = "/" + Version + "/runtime/invocation/next";
    public const string InitializationError = "/" + Version + "/runtime/init/error";

    /// <summary>The content type Lambda expects for <c>{errorMessage, errorType, stackTrace}</c> bodies.</summary>
    public const string ErrorContentType = "application/vnd.aws.lambda.error+json";

    public static string InvocationResponse(string requestId) => "/" + Version + "/runtime/invocation/" + Uri.EscapeDataString(requestId) + "/response";

    public static string InvocationError(string requestId) => "/" + Version + "/runtime/invocation/" + Uri.EscapeDataString(requestId) + "/error";
}

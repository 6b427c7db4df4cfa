namespace MfaConfigRule.LambdaRuntime;

/// <summary>
/// The Runtime API refused one request (400 Bad Request, 403 Forbidden, 413 Payload Too Large, or anything else it does
/// not document). The runtime can go on with the next event.
/// </summary>
internal sealed class RuntimeApiClientException : Exception
{
    public RuntimeApiClientException(string operation, int statusCode, string? responseBody)
        : base($"Lambda Runtime API {operation} answered {statusCode}: {Shorten(responseBody)}")
    {
        Operation = operation;
        StatusCode = statusCode;
        ResponseBody = responseBody;
    }

    public RuntimeApiClientException(string operation, string message)
        : base($"Lambda Runtime API {operation}: {message}")
    {
        Operation = operation;
    }

    public string Operation { get; } = string.Empty;

    /// <summary>The HTTP status, or 0 when the answer was unusable rather than refused.</summary>
    public int StatusCode { get; }

    public string? ResponseBody { get; }

    internal static string Shorten(string? body) =>
        string.IsNullOrEmpty(body) ? "(no body)" : body.Length <= 1024 ? body : string.Concat(body.AsSpan(0, 1024), "…");
}

/// <summary>
/// The Runtime API answered 500: "Container error. Non-recoverable state. Runtime should exit promptly." The runtime
/// stops so Lambda can replace the execution environment.
/// </summary>
internal sealed class RuntimeApiContainerException(string operation, string? responseBody)
    : Exception($"Lambda Runtime API {operation} answered 500: Container error. Non-recoverable state; the runtime exits. {RuntimeApiClientException.Shorten(responseBody)}")
{
    public string Operation { get; } = operation;
    public string? ResponseBody { get; } = responseBody;
}

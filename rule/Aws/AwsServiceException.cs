namespace MfaConfigRule.Aws;

/// <summary>
/// An error an AWS service answered with (or the transport failed with, after retries). <see cref="ErrorCode"/> is the
/// service's own code (<c>NoSuchEntity</c>, <c>ThrottlingException</c>, <c>ReportInProgress</c>…), so callers switch
/// on the vocabulary the AWS documentation uses.
/// </summary>
internal sealed class AwsServiceException : Exception
{
    public AwsServiceException(string service, string operation, string errorCode, int statusCode, string message, string? requestId = null, Exception? inner = null)
        : base($"{service} {operation} failed: {errorCode} ({statusCode}): {message}", inner)
    {
        Service = service;
        Operation = operation;
        ErrorCode = errorCode;
        StatusCode = statusCode;
        ServiceMessage = message;
        RequestId = requestId;
    }

    public string Service { get; }
    public string Operation { get; }
    public string ErrorCode { get; }

    /// <summary>The HTTP status, or 0 when no response came (connection failure, timeout).</summary>
    public int StatusCode { get; }
    public string ServiceMessage { get; }
    public string? RequestId { get; }
}

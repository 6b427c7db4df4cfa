using System.Text;
using MfaConfigRule.Aws;

namespace MfaConfigRule.LambdaRuntime;

/// <summary>
/// An error as the Runtime API takes it: <c>{errorMessage, errorType, stackTrace[]}</c>. The error type also travels
/// in the <c>Lambda-Runtime-Function-Error-Type</c> header, so it is kept to visible ASCII and a bounded length.
/// </summary>
internal sealed record LambdaError
{
    public const string UnhandledErrorType = "Unhandled";
    private const int MaxErrorTypeLength = 128;
    private const int MaxCauses = 5;

    public LambdaError(string errorType, string errorMessage, IReadOnlyList<string>? stackTrace = null)
    {
        ErrorType = Sanitize(errorType);
        ErrorMessage = errorMessage ?? string.Empty;
        StackTrace = stackTrace ?? [];
    }

    public string ErrorType { get; }
    public string ErrorMessage { get; }
    public IReadOnlyList<string> StackTrace { get; }

    /// <summary>
    /// The error type is the code the exception carries (<see cref="LambdaFunctionException.ErrorType"/>, an AWS
    /// service's error code), else the exception's type name. The message names the inner causes too, because the
    /// Lambda console and the caller only see this message, not the log.
    /// </summary>
    public static LambdaError FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var errorType = exception switch
        {
            LambdaFunctionException function => function.ErrorType,
            AwsServiceException aws => aws.ErrorCode,
            _ => exception.GetType().Name,
        };
        return new LambdaError(errorType, DescribeWithCauses(exception), StackLines(exception.StackTrace));
    }

    private static string DescribeWithCauses(Exception exception)
    {
        if (exception.InnerException is null) return exception.Message;
        var message = new StringBuilder(exception.Message);
        var depth = 0;
        var previous = exception.Message;
        for (var cause = exception.InnerException; cause is not null && depth < MaxCauses; cause = cause.InnerException, depth++)
        {
            // A wrapper that carries its cause's own message (an error type put on a domain exception) says it once.
            if (cause.Message != previous) message.Append(" (caused by ").Append(cause.GetType().Name).Append(": ").Append(cause.Message).Append(')');
            previous = cause.Message;
        }

        return message.ToString();
    }

    private static string[] StackLines(string? stackTrace) =>
        stackTrace is null ? [] : stackTrace.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string Sanitize(string? errorType)
    {
        if (string.IsNullOrWhiteSpace(errorType)) return UnhandledErrorType;
        var visible = new StringBuilder(Math.Min(errorType.Length, MaxErrorTypeLength));
        foreach (var c in errorType)
        {
            if (visible.Length == MaxErrorTypeLength) break;
            if (c is > ' ' and <= '~') visible.Append(c);
        }

        return visible.Length == 0 ? UnhandledErrorType : visible.ToString();
    }
}

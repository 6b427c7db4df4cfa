namespace MfaConfigRule.LambdaRuntime;

/// <summary>
/// An invocation failure with an error type of the function's choosing (for example <c>EvaluationIncomplete</c>),
/// which Lambda shows as <c>errorType</c> instead of the .NET type name.
/// </summary>
internal sealed class LambdaFunctionException : Exception
{
    public LambdaFunctionException(string errorType, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(errorType);
        ErrorType = errorType;
    }

    public string ErrorType { get; }
}

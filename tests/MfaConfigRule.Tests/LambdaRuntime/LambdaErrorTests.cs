using MfaConfigRule.Aws;
using MfaConfigRule.LambdaRuntime;

namespace MfaConfigRule.Tests.LambdaRuntime;

public sealed class LambdaErrorTests
{
    [Fact]
    public void FromException_PlainException_UsesTypeNameMessageAndStackLines()
    {
        var exception = Thrown(() => throw new InvalidOperationException("report not ready"));

        var error = LambdaError.FromException(exception);

        Assert.Equal("InvalidOperationException", error.ErrorType);
        Assert.Equal("report not ready", error.ErrorMessage);
        Assert.NotEmpty(error.StackTrace);
        Assert.All(error.StackTrace, line => Assert.Equal(line.Trim(), line));
        Assert.Contains(error.StackTrace, line => line.Contains(nameof(Thrown)));
    }

    [Fact]
    public void FromException_AwsServiceException_UsesTheServiceErrorCode()
    {
        var error = LambdaError.FromException(new AwsServiceException("IAM", "GenerateCredentialReport", "LimitExceeded", 409, "slow down"));

        Assert.Equal("LimitExceeded", error.ErrorType);
    }

    [Fact]
    public void FromException_WithInnerExceptions_MessageNamesTheCauses()
    {
        var exception = new LambdaFunctionException("EvaluationIncomplete", "1 user could not be read", new InvalidOperationException("IAM failed", new TimeoutException("no answer")));

        var error = LambdaError.FromException(exception);

        Assert.Equal("EvaluationIncomplete", error.ErrorType);
        Assert.Equal("1 user could not be read (caused by InvalidOperationException: IAM failed) (caused by TimeoutException: no answer)", error.ErrorMessage);
    }

    [Fact]
    public void FromException_WrapperRepeatingItsCausesMessage_SaysItOnce()
    {
        var exception = new LambdaFunctionException("InvalidEvent", "invokingEvent lacks messageType", new FormatException("invokingEvent lacks messageType"));

        var error = LambdaError.FromException(exception);

        Assert.Equal("invokingEvent lacks messageType", error.ErrorMessage);
    }

    [Theory]
    [InlineData("", LambdaError.UnhandledErrorType)]
    [InlineData("Bad\r\nType", "BadType")]
    [InlineData("\u00e9\u00e9", LambdaError.UnhandledErrorType)]
    [InlineData("Runtime.HandlerNotFound", "Runtime.HandlerNotFound")]
    public void Constructor_ErrorType_IsKeptSafeForAnHttpHeader(string errorType, string expected)
    {
        Assert.Equal(expected, new LambdaError(errorType, "m").ErrorType);
    }

    [Fact]
    public void Constructor_VeryLongErrorType_IsCut()
    {
        Assert.Equal(128, new LambdaError(new string('E', 1000), "m").ErrorType.Length);
    }

    private static Exception Thrown(Action action)
    {
        try
        {
            action();
        }
        catch (Exception exception)
        {
            return exception;
        }

        throw new InvalidOperationException("the action did not throw");
    }
}

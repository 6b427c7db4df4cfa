using MfaConfigRule.Compliance;
using MfaConfigRule.Contract;
using MfaConfigRule.Functions;
using MfaConfigRule.LambdaRuntime;
using MfaConfigRule.Organization;
using MfaConfigRule.Remediation;
using MfaConfigRule.ConfigEvents;
using MfaConfigRule.Json;

namespace MfaConfigRule.Tests.Functions;

public sealed class FunctionFailuresTests
{
    public static TheoryData<Exception, string> Unreadable => new()
    {
        { new ConfigEventException("invokingEvent lacks messageType"), "InvalidEvent" },
        { new JsonMessageException("the SQS event's Records is not an array"), "InvalidEvent" },
        { new RemediationRequestException("IAMResourceId is missing"), "InvalidEvent" },
        { new RuleParametersException("maxCredentialAgeDays must be a number"), "InvalidParameterValueException" },
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public void Of_UnreadableInput_NamesItsKindAndSaysTheMessageOnce(Exception failure, string errorType)
    {
        var error = LambdaError.FromException(FunctionFailures.Of(failure));

        Assert.Equal(errorType, error.ErrorType);
        Assert.Equal(failure.Message, error.ErrorMessage);
    }

    [Fact]
    public void Of_SweepDeadline_IsEvaluationIncompleteWithoutTheTimeoutBehindIt()
    {
        var failure = new SweepDeadlineException("the deadline came before the users were listed", new OperationCanceledException("canceled"));

        var error = FunctionFailures.Of(failure);

        Assert.Equal("EvaluationIncomplete", error.ErrorType);
        Assert.Equal(failure.Message, error.Message);
        Assert.Null(error.InnerException);
    }

    [Fact]
    public void Of_MemberAccountsUnavailable_KeepsItsOwnMessageOnly()
    {
        var failure = new MemberAccountsUnavailableException("cannot tell whether account 111111111111 belongs", new InvalidOperationException("throttled"));

        var error = FunctionFailures.Of(failure);

        Assert.Equal("MemberAccountsUnavailable", error.ErrorType);
        Assert.Equal(failure.Message, LambdaError.FromException(error).ErrorMessage);
    }

    [Fact]
    public void Of_AFailureItDoesNotName_IsACallersMistake() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FunctionFailures.Of(new InvalidOperationException("unexpected")));

    [Fact]
    public void Configured_InvalidSetting_FailsStartUpNamingIt()
    {
        var error = Assert.Throws<LambdaFunctionException>(() =>
            FunctionFailures.Configured<int, OrganizationSettingsException>(() => throw new OrganizationSettingsException("MEMBER_ROLE_NAME is not a role name")));

        Assert.Equal("Runtime.InvalidConfiguration", error.ErrorType);
        Assert.Equal("MEMBER_ROLE_NAME is not a role name", LambdaError.FromException(error).ErrorMessage);
    }

    [Fact]
    public void Configured_OtherFailure_PassesThroughUnchanged() =>
        Assert.Throws<InvalidOperationException>(() =>
            FunctionFailures.Configured<int, OrganizationSettingsException>(() => throw new InvalidOperationException("not a setting")));
}

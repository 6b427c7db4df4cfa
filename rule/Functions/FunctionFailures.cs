using MfaConfigRule.Compliance;
using MfaConfigRule.LambdaRuntime;
using MfaConfigRule.Organization;
using MfaConfigRule.Remediation;
using MfaConfigRule.ConfigEvents;
using MfaConfigRule.Json;

namespace MfaConfigRule.Functions;

/// <summary>
/// The one mapping from the failures the functions expect to the invocation errors Lambda shows (<c>errorType</c> and
/// message). A failure not named here reaches the bootstrap as it is, reported by its AWS error code or .NET type name.
/// A failure whose own cause would only repeat or blur the message it already gives is not carried as the cause.
/// </summary>
internal static class FunctionFailures
{
    public const string InvalidConfiguration = "Runtime.InvalidConfiguration";
    public const string InvalidEvent = "InvalidEvent";
    public const string InvalidParameterValue = "InvalidParameterValueException";
    public const string EvaluationIncomplete = "EvaluationIncomplete";
    public const string LiftIncomplete = "LiftIncomplete";
    public const string EventRefused = "EventRefused";
    public const string MemberRoleUnavailable = "MemberRoleUnavailable";
    public const string MemberAccountsUnavailable = "MemberAccountsUnavailable";

    /// <summary>The invocation error for a failure of a kind the functions name; anything else is a mistake in the caller.</summary>
    public static LambdaFunctionException Of(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure switch
        {
            ConfigEventException or JsonMessageException or RemediationRequestException => new LambdaFunctionException(InvalidEvent, failure.Message, failure),
            RuleParametersException => new LambdaFunctionException(InvalidParameterValue, failure.Message, failure),
            SweepDeadlineException => new LambdaFunctionException(EvaluationIncomplete, failure.Message),
            MemberEventRefusedException => new LambdaFunctionException(EventRefused, failure.Message),
            MemberRoleUnavailableException => new LambdaFunctionException(MemberRoleUnavailable, failure.Message),
            MemberAccountsUnavailableException => new LambdaFunctionException(MemberAccountsUnavailable, failure.Message),
            _ => throw new ArgumentOutOfRangeException(nameof(failure), failure.GetType().Name, "not a failure the functions map to an invocation error"),
        };
    }

    /// <summary>The rule ran but could not finish: verdicts that could be read were reported, the rest were not.</summary>
    public static LambdaFunctionException Incomplete(string message) => new(EvaluationIncomplete, message);

    /// <summary>The lift sweep did not reach every user or account; the next hourly run starts over.</summary>
    public static LambdaFunctionException LiftFailed(string message, Exception? cause = null) => new(LiftIncomplete, message, cause);

    /// <summary>The function's configuration is missing a value it needs; its start-up fails naming it.</summary>
    public static LambdaFunctionException Misconfigured(string message) => new(InvalidConfiguration, message);

    /// <summary>
    /// A setting read from the function's environment; a bad value (a <typeparamref name="TInvalid"/>) fails the
    /// function's start-up naming it.
    /// </summary>
    public static T Configured<T, TInvalid>(Func<T> read)
        where TInvalid : Exception
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return read();
        }
        catch (TInvalid e)
        {
            throw new LambdaFunctionException(InvalidConfiguration, e.Message, e);
        }
    }
}

namespace MfaConfigRule.ConfigEvents;

/// <summary>The invocation's time ran out before the sweep could list the users: nothing was reported.</summary>
internal sealed class SweepDeadlineException(string message, Exception inner) : Exception(message, inner);

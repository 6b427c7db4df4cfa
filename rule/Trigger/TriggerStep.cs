namespace MfaConfigRule.Trigger;

/// <summary>The trigger's next move for one event.</summary>
internal abstract record TriggerStep
{
    private TriggerStep()
    {
    }

    /// <summary>Nothing more to do; <see cref="Action"/> says why, for the log line.</summary>
    public sealed record Finished(string Action) : TriggerStep;

    /// <summary>Ask CloudTrail's event history whether it shows the event yet.</summary>
    public sealed record LookForEvent : TriggerStep;

    /// <summary>Ask Config whether the user's newest result comes from an invocation after the change became visible.</summary>
    public sealed record LookForCoveringResult : TriggerStep;

    /// <summary>Call StartConfigRulesEvaluation.</summary>
    public sealed record Start : TriggerStep;

    /// <summary>Nothing can usefully happen before <see cref="At"/>: take the event up again then, with <see cref="Progress"/>.</summary>
    public sealed record ComeBackAt(DateTimeOffset At, TriggerProgress Progress, string Reason) : TriggerStep;
}

namespace MfaConfigRule.Trigger;

/// <summary>How one pass over an event ended: finished, or to be taken up again later.</summary>
internal abstract record TriggerPass
{
    private TriggerPass()
    {
    }

    public sealed record Done(TriggerOutcome Outcome) : TriggerPass;

    public sealed record Later(TriggerStep.ComeBackAt Step) : TriggerPass;
}

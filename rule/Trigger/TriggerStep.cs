using MfaConfigRule.Iam;

namespace MfaConfigRule.Trigger;

/// <summary>
/// What one IAM event's trigger has learnt so far, carried from one pass to the next: when the change became visible to
/// the rule's reads (for a deleted password, when CloudTrail's history first showed it; for any other change, when the
/// trigger received it), whether Config refused a start for it, and the changed user's ID once looked up.
/// </summary>
internal sealed record TriggerProgress(DateTimeOffset? VisibleAt, bool StartRefused, bool UserResolved, string? UserId)
{
    /// <summary>A fresh event: visible at once unless it is one the sweep learns from CloudTrail.</summary>
    public static TriggerProgress Received(IamApiCallEvent iamEvent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(iamEvent);
        var waitsForCloudTrail = IamEventNames.InvalidatingReport.Contains(iamEvent.EventName, StringComparer.Ordinal);
        return new TriggerProgress(waitsForCloudTrail ? null : now, StartRefused: false, UserResolved: iamEvent.UserId is not null, iamEvent.UserId);
    }
}

/// <summary>What one function instance knows about one rule's starts (per account in Organization mode).</summary>
internal sealed record StartHistory(DateTimeOffset? LastAccepted, DateTimeOffset? LastRefused)
{
    public static StartHistory None { get; } = new(null, null);
}

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

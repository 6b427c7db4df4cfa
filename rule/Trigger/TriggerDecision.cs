using MfaConfigRule.Contract;

namespace MfaConfigRule.Trigger;

/// <summary>
/// The trigger's decision, pure: from the event, what was learnt about it, what this instance knows of the rule's
/// starts, and the time, the next move. The single-account function carries the moves out in process (it waits for a
/// <see cref="TriggerStep.ComeBackAt"/>); the central Organization function hands the event back to its queue with a
/// delay instead, so one member's waits never hold another member's events. Both obey the same promise: an event is
/// finished as started or covered only by a start asked at or after the change became visible (and its propagation
/// margin past the call), or by an invocation of the rule that began after it became visible.
/// </summary>
internal static class TriggerDecision
{
    public static TriggerStep Next(IamApiCallEvent iamEvent, TriggerProgress progress, StartHistory starts, DateTimeOffset now, TriggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(iamEvent);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(options);
        if (iamEvent.ErrorCode is { } error) return new TriggerStep.Finished($"ignored: the call failed with {error}, nothing changed");
        if (!IamEventNames.Reevaluating.Contains(iamEvent.EventName, StringComparer.Ordinal))
            return new TriggerStep.Finished("ignored: this call cannot change a verdict");
        if (progress.VisibleAt is not { } visibleAt) return new TriggerStep.LookForEvent();
        if (starts.LastAccepted is { } started && Covers(started, iamEvent, visibleAt, options))
            return new TriggerStep.Finished($"covered by the re-evaluation this function started at {started:O}");
        if (progress.StartRefused) return new TriggerStep.LookForCoveringResult();
        // Config would refuse: it allows one start a minute and refuses while an evaluation runs. Asking anyway costs a
        // call per event of a burst for nothing; the event comes back when the next start can be accepted.
        if (Busy(starts, now, options) is { } until)
            return new TriggerStep.ComeBackAt(until, progress with { StartRefused = true }, "Config refuses starts until then");
        return new TriggerStep.Start();
    }

    /// <summary>The step after a start Config refused with LimitExceededException at <paramref name="now"/>.</summary>
    public static TriggerStep.ComeBackAt Refused(TriggerProgress progress, DateTimeOffset now, TriggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(options);
        return new TriggerStep.ComeBackAt(now + options.StartRetryInterval, progress with { StartRefused = true }, "Config refused the start");
    }

    /// <summary>The step after CloudTrail's history did not show the event yet at <paramref name="now"/>.</summary>
    public static TriggerStep.ComeBackAt NotYetVisible(TriggerProgress progress, DateTimeOffset now, TriggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(options);
        return new TriggerStep.ComeBackAt(now + options.VisibilityPollInterval, progress, "CloudTrail's event history does not show the event yet");
    }

    /// <summary>
    /// Whether a start asked at <paramref name="started"/> reads the change: IAM has had the propagation margin since the
    /// call, and a change the sweep learns from CloudTrail was already in its history.
    /// </summary>
    public static bool Covers(DateTimeOffset started, IamApiCallEvent iamEvent, DateTimeOffset visibleAt, TriggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(iamEvent);
        ArgumentNullException.ThrowIfNull(options);
        if (iamEvent.EventTime > started - options.PropagationMargin) return false;
        return !IamEventNames.InvalidatingReport.Contains(iamEvent.EventName, StringComparer.Ordinal) || started >= visibleAt;
    }

    private static DateTimeOffset? Busy(StartHistory starts, DateTimeOffset now, TriggerOptions options)
    {
        DateTimeOffset? until = null;
        if (starts.LastRefused is { } refused && now < refused + options.StartRetryInterval) until = refused + options.StartRetryInterval;
        if (starts.LastAccepted is { } accepted && now < accepted + options.StartRetryInterval
            && (until is null || accepted + options.StartRetryInterval > until)) until = accepted + options.StartRetryInterval;
        return until;
    }
}

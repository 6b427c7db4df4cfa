using MfaConfigRule.Contract;
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

using MfaConfigRule.Compliance;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Remediation;

/// <summary>The IAM change a decision calls for.</summary>
internal enum RemediationStep
{
    /// <summary>Change nothing.</summary>
    None,

    /// <summary>Apply the action: attach the enforcement policy, or delete the login profile.</summary>
    Apply,

    /// <summary>Detach the enforcement policy: the user no longer needs remediating.</summary>
    Lift,
}

/// <summary>What was decided for one user, and why, before any IAM change.</summary>
internal sealed record RemediationDecision(RemediationStep Step, RemediationOutcome Outcome, string Why);

/// <summary>
/// Pure: the live assessment of one user and whether the enforcement policy is attached now → what to do. The one place
/// that says which users remediation may touch: only a user whose NON_COMPLIANT verdict rests on live state read in
/// this run, who is neither exempt nor inside the grace period; and the enforcement policy comes off any user who is no
/// longer NON_COMPLIANT. A verdict that is missing or not final changes nothing.
/// </summary>
internal static class RemediationDecider
{
    public static RemediationDecision Decide(Assessment assessment, RemediationAction action, bool enforcementAttached)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        if (!assessment.IsFinal || assessment.Missing != MissingEvidence.None)
            return new(RemediationStep.None, RemediationOutcome.CannotConfirm,
                $"The verdict could not be confirmed from live state ({assessment.Annotation}); nothing was changed.");

        if (assessment.Compliance == ComplianceType.NonCompliant)
        {
            if (assessment.GraceEndsAt is { } graceEnds)
                return new(RemediationStep.None, RemediationOutcome.InGracePeriod,
                    $"NON_COMPLIANT, but inside the grace period for a new password (ends {graceEnds.ToUniversalTime():yyyy-MM-dd HH:mm}Z); nothing was changed.");
            if (action == RemediationAction.EnforceMfa && enforcementAttached)
                return new(RemediationStep.None, RemediationOutcome.AlreadyRemediated,
                    "NON_COMPLIANT and the enforcement policy is already attached; nothing was changed.");
            return new(RemediationStep.Apply, RemediationOutcome.Remediated, action == RemediationAction.EnforceMfa
                ? "NON_COMPLIANT (console password without an allowed MFA device), confirmed live: the enforcement policy is attached."
                : "NON_COMPLIANT (console password without an allowed MFA device), confirmed live: the console password is removed.");
        }

        // COMPLIANT or NOT_APPLICABLE (no password, exempt): remediation has nothing to do, and a restriction it left
        // behind comes off.
        var verdict = assessment.Compliance!.Value.ToWire();
        if (enforcementAttached)
            return new(RemediationStep.Lift, RemediationOutcome.Lifted,
                $"{verdict} now ({assessment.Annotation}): the enforcement policy is detached.");
        return new(RemediationStep.None, RemediationOutcome.NotNeeded,
            $"{verdict} ({assessment.Annotation}): nothing to remediate; nothing was changed.");
    }
}

namespace MfaConfigRule.Remediation;

/// <summary>How one remediation ended. The SSM document's assert step fails the automation on every outcome that is not <see cref="RemediationOutcomes.IsOk"/>.</summary>
internal enum RemediationOutcome
{
    /// <summary>The action was applied.</summary>
    Remediated,

    /// <summary>Nothing to do: the user was already remediated.</summary>
    AlreadyRemediated,

    /// <summary>Nothing to do: COMPLIANT or NOT_APPLICABLE (MFA on, no password, exempt).</summary>
    NotNeeded,

    /// <summary>NON_COMPLIANT but inside the grace period: left alone until it ends.</summary>
    InGracePeriod,

    /// <summary>The enforcement policy was detached from a user who no longer needs it.</summary>
    Lifted,

    /// <summary>No IAM user has the ID (deleted, or never existed); nothing was changed.</summary>
    UserNotFound,

    /// <summary>The user's name now belongs to another user ID (deleted and re-created, or renamed mid-run); nothing was changed.</summary>
    UserChanged,

    /// <summary>AttachUserPolicy answered LimitExceeded: the user is at IAM's managed-policy quota; nothing was changed.</summary>
    PolicyQuotaReached,

    /// <summary>The verdict could not be re-confirmed live (throttling, an IAM error, missing evidence); nothing was changed.</summary>
    CannotConfirm,

    /// <summary>The request named an action this deployment does not enable, or the deployment lacks what the action needs.</summary>
    ActionNotEnabled,

    /// <summary>Organization mode: no automation of this deployment's runbook, running now in the named account, asked for this user; nothing was changed there.</summary>
    Refused,
}

internal static class RemediationOutcomes
{
    /// <summary>Whether the automation succeeds: the user is in the state remediation wants, or rightly left alone.</summary>
    public static bool IsOk(this RemediationOutcome outcome) => outcome is RemediationOutcome.Remediated or RemediationOutcome.AlreadyRemediated
        or RemediationOutcome.NotNeeded or RemediationOutcome.InGracePeriod or RemediationOutcome.Lifted;

    public static string ToWire(this RemediationOutcome outcome) => outcome.ToString();
}

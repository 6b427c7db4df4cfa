using MfaConfigRule.Compliance;

namespace MfaConfigRule.Iam;

/// <summary>
/// The account-wide evidence a sweep's plan (<see cref="ReportTrust"/>) rests on: the credential report, the users
/// CloudTrail shows a password deleted for since it, and the assigned virtual MFA devices. A null part could not be
/// read; the warnings say why.
/// </summary>
internal sealed record ReportEvidence(
    CredentialReport? Report,
    IReadOnlySet<string>? PasswordsDeleted,
    IReadOnlyList<VirtualMfaAssignment>? VirtualDevices,
    IReadOnlyList<string> Warnings)
{
    public static readonly ReportEvidence None = new(null, null, null, []);
}

using MfaConfigRule.Aws;

namespace MfaConfigRule.Enrollment;

/// <summary>The IAM and STS writes an enrolment makes; the reads (GetUser, ListMFADevices) are the rule's own IAM client's.</summary>
internal interface IEnrollmentClient
{
    /// <summary>sts:GetCallerIdentity: who the credentials belong to.</summary>
    Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken);

    /// <summary>iam:CreateVirtualMFADevice: a new, unassigned device and its secret.</summary>
    Task<VirtualMfaDeviceSecret> CreateVirtualMfaDeviceAsync(string deviceName, CancellationToken cancellationToken);

    /// <summary>iam:EnableMFADevice with two consecutive codes from the device.</summary>
    Task EnableMfaDeviceAsync(string userName, string serialNumber, string code1, string code2, CancellationToken cancellationToken);

    /// <summary>iam:DeleteVirtualMFADevice (only an unassigned device can be deleted).</summary>
    Task DeleteVirtualMfaDeviceAsync(string serialNumber, CancellationToken cancellationToken);
}

/// <summary>
/// A device just created: its serial (an ARN) and its Base32 secret. The secret is the device itself: whoever holds it
/// can produce codes, so it is kept in memory only and <see cref="ToString"/> never shows it.
/// </summary>
internal sealed record VirtualMfaDeviceSecret(string SerialNumber, string Base32Seed)
{
    public override string ToString() => $"VirtualMfaDeviceSecret {{ SerialNumber = {SerialNumber} }}";
}

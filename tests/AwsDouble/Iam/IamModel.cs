namespace AwsDouble.Iam;

/// <summary>How an MFA device proves itself; the serial number shows it (see <see cref="MfaSerials"/>).</summary>
public enum MfaDeviceKind
{
    /// <summary>An authenticator app; serial <c>arn:aws:iam::ACCOUNT:mfa/NAME</c>.</summary>
    Virtual,

    /// <summary>A hardware TOTP token; serial like <c>GAHT12345678</c>.</summary>
    Hardware,

    /// <summary>A FIDO security key or passkey; serial <c>arn:aws:iam::ACCOUNT:u2f/user/NAME/KEY-ID</c>.</summary>
    Fido,
}

/// <summary>An IAM user as the double holds it, for tests to read.</summary>
public sealed record IamUserSnapshot(
    string UserName,
    string UserId,
    string Arn,
    string Path,
    DateTimeOffset CreateDate,
    IReadOnlyList<KeyValuePair<string, string>> Tags,
    LoginProfileSnapshot? LoginProfile,
    IReadOnlyList<MfaDeviceSnapshot> MfaDevices,
    DateTimeOffset? PasswordLastUsed,
    string? PermissionsBoundaryArn)
{
    /// <summary>The managed policies attached to the user, in the order they were attached.</summary>
    public IReadOnlyList<string> AttachedPolicyArns { get; init; } = [];
}

/// <summary>A customer managed policy the double holds.</summary>
public sealed record ManagedPolicySnapshot(string PolicyName, string PolicyId, string Arn, string Path, string Document, DateTimeOffset CreateDate, int AttachmentCount);

/// <summary>A console password: when it was created and last changed.</summary>
public sealed record LoginProfileSnapshot(DateTimeOffset CreateDate, DateTimeOffset PasswordLastChanged, bool PasswordResetRequired);

/// <summary>An MFA device enabled for a user.</summary>
public sealed record MfaDeviceSnapshot(string SerialNumber, MfaDeviceKind Kind, DateTimeOffset EnableDate);

/// <summary>A virtual MFA device, assigned or not; <see cref="Base32Seed"/> lets a test compute its codes.</summary>
public sealed record VirtualMfaDeviceSnapshot(string SerialNumber, string? UserName, DateTimeOffset? EnableDate, string Base32Seed);

/// <summary>A user to put into the double directly, without API calls or CloudTrail events (the account's past).</summary>
public sealed record UserSeed(string UserName)
{
    public string Path { get; init; } = "/";

    /// <summary>Null: the double's clock now.</summary>
    public DateTimeOffset? CreateDate { get; init; }

    /// <summary>Null: a fresh AIDA… ID from the double's seeded generator.</summary>
    public string? UserId { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];
    public LoginProfileSeed? LoginProfile { get; init; }
    public IReadOnlyList<MfaDeviceSeed> MfaDevices { get; init; } = [];
    public DateTimeOffset? PasswordLastUsed { get; init; }

    /// <summary>
    /// A virtual MFA device created for the user (serial <c>mfa/USERNAME-pending</c>) but never enabled: it shows in
    /// ListVirtualMFADevices as Unassigned and protects nothing, as when someone abandons enrolment halfway.
    /// </summary>
    public bool AbandonedVirtualMfaDevice { get; init; }

    /// <summary>Managed policies attached to the user; each must exist (an AWS managed ARN, or one made with CreateManagedPolicy).</summary>
    public IReadOnlyList<string> AttachedPolicyArns { get; init; } = [];
}

/// <summary>A console password to seed; <see cref="PasswordLastChanged"/> defaults to the create date.</summary>
public sealed record LoginProfileSeed(DateTimeOffset CreateDate, DateTimeOffset? PasswordLastChanged = null, bool PasswordResetRequired = false);

/// <summary>An enabled MFA device to seed; the serial is made up from the kind when not given.</summary>
public sealed record MfaDeviceSeed(MfaDeviceKind Kind, DateTimeOffset EnableDate, string? SerialNumber = null);

/// <summary>The serial number forms IAM uses for each kind of MFA device.</summary>
public static class MfaSerials
{
    public static string Virtual(string accountId, string path, string name) => $"arn:aws:iam::{accountId}:mfa{path}{name}";

    public static string Fido(string accountId, string userName, string keyId) => $"arn:aws:iam::{accountId}:u2f/user/{userName}/{keyId}";

    public static MfaDeviceKind KindOf(string serialNumber)
    {
        if (!serialNumber.StartsWith("arn:", StringComparison.Ordinal)) return MfaDeviceKind.Hardware;
        var resource = serialNumber.Split(':', 6) is { Length: 6 } parts ? parts[5] : string.Empty;
        if (resource.StartsWith("mfa/", StringComparison.Ordinal)) return MfaDeviceKind.Virtual;
        if (resource.StartsWith("u2f/", StringComparison.Ordinal)) return MfaDeviceKind.Fido;
        return MfaDeviceKind.Hardware;
    }
}

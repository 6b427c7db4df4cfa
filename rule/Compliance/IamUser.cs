namespace MfaConfigRule.Compliance;

/// <summary>An IAM user as ListUsers or a configuration item names it. <c>UserId</c> (AIDA…) is Config's resource id.</summary>
internal sealed record IamUser(string UserId, string UserName, string Arn, string Path, DateTimeOffset? CreateDate)
{
    /// <summary>When the user last signed in to the console with a password, as ListUsers reports it (null: never, or unknown).</summary>
    public DateTimeOffset? PasswordLastUsed { get; init; }

    /// <summary>The path from a user ARN (<c>arn:aws:iam::1:user/ops/alice</c> → <c>/ops/</c>), for sources such as the credential report that carry no path.</summary>
    public static string PathFromArn(string arn, string userName)
    {
        const string marker = ":user";
        var at = arn.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) return "/";
        var rest = arn[(at + marker.Length)..];
        // The name is the ARN's last segment: "/ops/xalice" is not alice under "/ops/x".
        if (!rest.EndsWith("/" + userName, StringComparison.Ordinal)) return "/";
        return rest[..^userName.Length];
    }
}

/// <summary>An MFA device assigned to a user.</summary>
internal sealed record MfaDevice(string SerialNumber, DateTimeOffset? EnableDate)
{
    public MfaKinds Kind => MfaKindNames.KindOfSerial(SerialNumber);
}

/// <summary>Where a piece of credential state came from; a NON_COMPLIANT verdict must rest on <see cref="Live"/>.</summary>
internal enum EvidenceSource
{
    /// <summary>Read from IAM in this run (GetLoginProfile, ListMFADevices, ListVirtualMFADevices).</summary>
    Live,

    /// <summary>From the IAM credential report, which can be up to four hours old.</summary>
    CredentialReport,
}

/// <summary>Whether the user has a console password (a login profile), and since when.</summary>
internal sealed record PasswordEvidence(bool Enabled, DateTimeOffset? SetAt, EvidenceSource Source)
{
    public static PasswordEvidence None(EvidenceSource source) => new(false, null, source);
}

/// <summary>
/// What is known of the user's MFA devices. Live reads give the devices themselves; the credential report only says
/// whether any device is active (<see cref="ActiveKindsUnknown"/>), which cannot answer an <c>AllowedMfaTypes</c> policy.
/// </summary>
internal sealed record MfaEvidence(IReadOnlyList<MfaDevice> Devices, bool ActiveKindsUnknown, EvidenceSource Source)
{
    public static MfaEvidence Live(IReadOnlyList<MfaDevice> devices) => new(devices, false, EvidenceSource.Live);

    public static MfaEvidence FromReport(bool mfaActive) => new([], mfaActive, EvidenceSource.CredentialReport);

    public bool AnyActive => Devices.Count > 0 || ActiveKindsUnknown;

    public MfaKinds Kinds => Devices.Aggregate(MfaKinds.None, (kinds, device) => kinds | device.Kind);
}

/// <summary>
/// Everything the evaluator needs about one user. <c>Tags</c> is null when they were not read: tags only matter for a
/// user who would otherwise be NON_COMPLIANT, so sweeps read them only then.
/// </summary>
internal sealed record UserCredentialState(
    IamUser User,
    PasswordEvidence Password,
    MfaEvidence Mfa,
    IReadOnlyDictionary<string, string>? Tags);

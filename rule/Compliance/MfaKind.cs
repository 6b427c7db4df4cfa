namespace MfaConfigRule.Compliance;

/// <summary>The kinds of MFA device IAM knows, as a set so a rule parameter can allow several.</summary>
[Flags]
internal enum MfaKinds
{
    None = 0,

    /// <summary>An authenticator app (TOTP); serial <c>arn:aws:iam::ACCOUNT:mfa/NAME</c>.</summary>
    Virtual = 1,

    /// <summary>A hardware TOTP token; serial is the token's own serial, not an ARN.</summary>
    Hardware = 2,

    /// <summary>A FIDO security key or passkey (phishing-resistant); serial <c>arn:aws:iam::ACCOUNT:u2f/…</c>.</summary>
    Fido = 4,

    /// <summary>Every kind a policy can name (<c>AllowedMfaTypes</c>' default).</summary>
    All = Virtual | Hardware | Fido,

    /// <summary>
    /// A serial this rule does not recognise: an ARN that is not <c>mfa/</c> or <c>u2f/</c> (e.g. <c>sms-mfa/</c>), or
    /// an empty one. It cannot be shown to be any kind a policy names, so only a policy accepting every kind counts it.
    /// Outside <see cref="All"/> on purpose: no parameter value names it.
    /// </summary>
    Unknown = 8,
}

internal static class MfaKindNames
{
    public const string Virtual = "virtual";
    public const string Hardware = "hardware";
    public const string Fido = "fido";

    public const string Unknown = "unrecognised-kind";

    private const int MaxSerialKindLength = 32;

    /// <summary>
    /// Kind from the serial number, as IAM writes it: an ARN with resource <c>mfa/</c> is virtual, <c>u2f/</c> FIDO, any
    /// other ARN <see cref="MfaKinds.Unknown"/>; a serial that is not an ARN is a hardware token's own (<c>GAHT12345678</c>).
    /// </summary>
    public static MfaKinds KindOfSerial(string serialNumber)
    {
        ArgumentNullException.ThrowIfNull(serialNumber);
        if (serialNumber.Length == 0) return MfaKinds.Unknown;
        if (!IsArn(serialNumber)) return MfaKinds.Hardware;
        // Only IAM's own spelling names a kind; "ARN:…:mfa/…" is no serial IAM writes.
        if (!serialNumber.StartsWith("arn:", StringComparison.Ordinal)) return MfaKinds.Unknown;
        var resource = ResourcePart(serialNumber);
        if (resource.StartsWith("mfa/", StringComparison.Ordinal)) return MfaKinds.Virtual;
        if (resource.StartsWith("u2f/", StringComparison.Ordinal)) return MfaKinds.Fido;
        return MfaKinds.Unknown;
    }

    /// <summary>
    /// What a serial of <see cref="MfaKinds.Unknown"/> kind is, for the annotation: the ARN's resource type
    /// (<c>arn:aws:iam::1:sms-mfa/alice</c> → <c>sms-mfa</c>); any other serial, shortened.
    /// </summary>
    public static string SerialKind(string serialNumber)
    {
        ArgumentNullException.ThrowIfNull(serialNumber);
        if (serialNumber.Length == 0) return "empty serial";
        var seen = serialNumber.AsSpan();
        if (serialNumber.StartsWith("arn:", StringComparison.Ordinal))
        {
            var resource = ResourcePart(serialNumber);
            var slash = resource.IndexOf('/');
            seen = slash < 0 ? resource : resource[..slash];
            if (seen.IsEmpty) return "ARN without a resource";
        }
        var text = seen.ToString();
        return text.Length <= MaxSerialKindLength ? text : string.Concat(text.AsSpan(0, Evaluation.CutAt(text, MaxSerialKindLength - 3)), "...");
    }

    /// <summary>
    /// The kinds a device may be of to satisfy <paramref name="allowed"/>: a policy accepting every kind it can name also
    /// accepts a kind this rule does not recognise (the user has MFA of some kind); a narrower policy does not.
    /// </summary>
    public static MfaKinds AcceptedBy(MfaKinds allowed) => allowed == MfaKinds.All ? MfaKinds.All | MfaKinds.Unknown : allowed;

    /// <summary>Kinds as a person reads them: "virtual, hardware or FIDO".</summary>
    public static string Describe(MfaKinds kinds)
    {
        var names = Names(kinds).Select(n => n == Fido ? "FIDO" : n).ToList();
        if (kinds.HasFlag(MfaKinds.Unknown)) names.Add(Unknown);
        return names.Count switch
        {
            0 => "none",
            1 => names[0],
            2 => $"{names[0]} or {names[1]}",
            _ => $"{string.Join(", ", names.Take(names.Count - 1))} or {names[^1]}",
        };
    }

    public static IEnumerable<string> Names(MfaKinds kinds)
    {
        if (kinds.HasFlag(MfaKinds.Virtual)) yield return Virtual;
        if (kinds.HasFlag(MfaKinds.Hardware)) yield return Hardware;
        if (kinds.HasFlag(MfaKinds.Fido)) yield return Fido;
    }

    public static bool TryParseOne(string name, out MfaKinds kind)
    {
        kind = name.Trim().ToUpperInvariant() switch
        {
            "VIRTUAL" => MfaKinds.Virtual,
            "HARDWARE" => MfaKinds.Hardware,
            "FIDO" => MfaKinds.Fido,
            _ => MfaKinds.None,
        };
        return kind != MfaKinds.None;
    }

    // A hardware token's serial is letters and digits; one that starts "arn:" in any case is an ARN.
    private static bool IsArn(string serialNumber) => serialNumber.StartsWith("arn:", StringComparison.OrdinalIgnoreCase);

    /// <summary>arn:PARTITION:iam::ACCOUNT:RESOURCE — the resource part starts after the fifth colon.</summary>
    private static ReadOnlySpan<char> ResourcePart(string arn)
    {
        var span = arn.AsSpan();
        for (var i = 0; i < 5; i++)
        {
            var colon = span.IndexOf(':');
            if (colon < 0) return ReadOnlySpan<char>.Empty;
            span = span[(colon + 1)..];
        }
        return span;
    }
}

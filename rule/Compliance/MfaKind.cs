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

    All = Virtual | Hardware | Fido,
}

internal static class MfaKindNames
{
    public const string Virtual = "virtual";
    public const string Hardware = "hardware";
    public const string Fido = "fido";

    /// <summary>Kind from the serial number, as IAM writes it: <c>:mfa/</c> virtual, <c>:u2f/</c> FIDO, anything else hardware.</summary>
    public static MfaKinds KindOfSerial(string serialNumber)
    {
        ArgumentNullException.ThrowIfNull(serialNumber);
        if (!serialNumber.StartsWith("arn:", StringComparison.Ordinal)) return MfaKinds.Hardware;
        // arn:PARTITION:iam::ACCOUNT:RESOURCE — the resource part starts after the fifth colon.
        var resource = ResourcePart(serialNumber);
        if (resource.StartsWith("mfa/", StringComparison.Ordinal)) return MfaKinds.Virtual;
        if (resource.StartsWith("u2f/", StringComparison.Ordinal)) return MfaKinds.Fido;
        return MfaKinds.Hardware;
    }

    /// <summary>Kinds as a person reads them: "virtual, hardware or FIDO".</summary>
    public static string Describe(MfaKinds kinds)
    {
        var names = Names(kinds).Select(n => n == Fido ? "FIDO" : n).ToList();
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

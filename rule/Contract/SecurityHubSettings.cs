namespace MfaConfigRule.Contract;

/// <summary>The severity label of a finding (ASFF <c>Severity.Label</c>).</summary>
internal enum SeverityLabel
{
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>
/// The direct export's switches, shared with the CDK app (which compiles this file in, so a value it accepts at synthesis
/// is one the function accepts at run time): <c>SECURITY_HUB_FINDINGS=direct</c> turns it on,
/// <c>SECURITY_HUB_FAILED_SEVERITY</c> sets the severity of FAILED findings.
/// </summary>
internal static class SecurityHubSettings
{
    public const string ModeVariable = "SECURITY_HUB_FINDINGS";
    public const string FailedSeverityVariable = "SECURITY_HUB_FAILED_SEVERITY";
    public const string DirectMode = "direct";
    public const string OffMode = "off";

    /// <summary>LOW, MEDIUM, HIGH or CRITICAL, any case: a console without MFA is never merely informational.</summary>
    public static SeverityLabel ParseFailedSeverity(string value, string name) => value.Trim().ToUpperInvariant() switch
    {
        "LOW" => SeverityLabel.Low,
        "MEDIUM" => SeverityLabel.Medium,
        "HIGH" => SeverityLabel.High,
        "CRITICAL" => SeverityLabel.Critical,
        _ => throw new ArgumentException($"{name}='{value}' is not LOW, MEDIUM, HIGH or CRITICAL"),
    };

    public static string Wire(SeverityLabel label) => label switch
    {
        SeverityLabel.Informational => "INFORMATIONAL",
        SeverityLabel.Low => "LOW",
        SeverityLabel.Medium => "MEDIUM",
        SeverityLabel.High => "HIGH",
        _ => "CRITICAL",
    };
}

namespace MfaConfigRule.Compliance;

/// <summary>The three verdicts PutEvaluations accepts (INSUFFICIENT_DATA is rejected by the API).</summary>
internal enum ComplianceType
{
    Compliant,
    NonCompliant,
    NotApplicable,
}

internal static class ComplianceTypeNames
{
    public const string Compliant = "COMPLIANT";
    public const string NonCompliant = "NON_COMPLIANT";
    public const string NotApplicable = "NOT_APPLICABLE";

    public static string ToWire(this ComplianceType type) => type switch
    {
        ComplianceType.Compliant => Compliant,
        ComplianceType.NonCompliant => NonCompliant,
        ComplianceType.NotApplicable => NotApplicable,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a compliance type"),
    };

    public static bool TryParse(string? wire, out ComplianceType type)
    {
        switch (wire)
        {
            case Compliant: type = ComplianceType.Compliant; return true;
            case NonCompliant: type = ComplianceType.NonCompliant; return true;
            case NotApplicable: type = ComplianceType.NotApplicable; return true;
            default: type = default; return false;
        }
    }
}

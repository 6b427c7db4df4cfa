using MfaConfigRule.Compliance;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Cli;

/// <summary>One line of an audit: a verdict, or INSUFFICIENT_DATA where the evidence could not decide one.</summary>
internal sealed record AuditRow(string User, string Arn, string Compliance, string Annotation)
{
    public const string InsufficientData = "INSUFFICIENT_DATA";

    /// <summary>For NON_COMPLIANT rows, how exposed the user is; it orders the rows and is not printed.</summary>
    public Exposure? Exposure { get; init; }

    public static AuditRow From(Assessment assessment) => new(
        assessment.User.UserName,
        assessment.User.Arn,
        assessment.Compliance?.ToWire() ?? InsufficientData,
        assessment.Annotation)
    {
        Exposure = assessment.Exposure,
    };

    /// <summary>One account's sweep as rows: a verdict per assessed user, and the cause for each user left without one.</summary>
    public static IEnumerable<AuditRow> ForSweep(SweepResult sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        return sweep.Assessments.Select(From)
            .Concat(sweep.Failures.Select(f => new AuditRow(f.User.UserName, f.User.Arn, InsufficientData, f.Cause)));
    }

    /// <summary>
    /// What needs action first: NON_COMPLIANT (riskiest first, see <see cref="Exposure.Compare"/>), then
    /// undecided, COMPLIANT, NOT_APPLICABLE; by user name within each.
    /// </summary>
    public static IReadOnlyList<AuditRow> Ordered(IEnumerable<AuditRow> rows) =>
        [.. rows.OrderBy(r => Rank(r.Compliance))
            .ThenBy(r => r.Exposure, Comparer<Exposure?>.Create(Exposure.Compare))
            .ThenBy(r => r.User, StringComparer.Ordinal)];

    internal static int Rank(string compliance) => compliance switch
    {
        ComplianceTypeNames.NonCompliant => 0,
        InsufficientData => 1,
        ComplianceTypeNames.Compliant => 2,
        _ => 3,
    };
}

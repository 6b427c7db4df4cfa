using MfaConfigRule.Compliance;
using MfaConfigRule.Reporting;

namespace MfaConfigRule.Cli;

/// <summary>The CLI's exit codes, one rule for every verb.</summary>
internal static class ExitCodes
{
    public const int Clean = 0;
    public const int NonCompliant = 1;
    public const int Error = 2;

    /// <summary>For help texts.</summary>
    public const string Meaning = "Exit codes: 0 no user NON_COMPLIANT, 1 some user NON_COMPLIANT, 2 bad input or an error (including a user left without a verdict).";

    /// <summary>2 when a user got no verdict (an error outranks findings), 1 when one is NON_COMPLIANT, else 0.</summary>
    public static int For(IReadOnlyList<AuditRow> rows) =>
        rows.Any(r => r.Compliance == AuditRow.InsufficientData) ? Error
        : rows.Any(r => r.Compliance == ComplianceTypeNames.NonCompliant) ? NonCompliant
        : Clean;

    /// <summary>
    /// A report's exit code: 2 when something is not known (<see cref="ReportTotals.Unknown"/>: an account without
    /// results or unreadable, a stale result, a user without a verdict not presumed NOT_APPLICABLE), which outranks 1
    /// (a NON_COMPLIANT user), else 0.
    /// </summary>
    public static int For(ReportTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return totals.Unknown ? Error
            : totals.NonCompliant > 0 ? NonCompliant
            : Clean;
    }
}

using MfaConfigRule.Compliance;
using MfaConfigRule.Organization;
using MfaConfigRule.Reporting;

namespace MfaConfigRule.Cli;

/// <summary>
/// <c>evaluate</c>'s results as a <see cref="Report"/>: the same rows the table, JSON and CSV print (<see cref="AuditRow"/>,
/// <see cref="AuditRow.ForSweep"/>), with the account and the run around them.
/// </summary>
internal static class AuditReport
{
    /// <summary>Shown where no row names the account (a credential report whose rows carry no ARN).</summary>
    public const string ThisAccount = "this account";

    /// <summary>One row of <paramref name="accountId"/>; a verdict the CLI does not know is no verdict, never COMPLIANT.</summary>
    public static ReportUser User(string accountId, AuditRow row) =>
        new(accountId, row.User, ComplianceTypeNames.TryParse(row.Compliance, out var verdict) ? verdict : null, row.Annotation)
        {
            Arn = row.Arn,
            Exposure = row.Exposure,
        };

    /// <summary>
    /// One account's audit, live or from a credential report; the account is the one the users' ARNs name, and the
    /// subject, unless given, that account.
    /// </summary>
    public static Report ForAccount(IReadOnlyList<AuditRow> rows, ReportSource source, string? subject, DateTimeOffset generatedAt, IReadOnlyList<string> warnings, DateTimeOffset? asOf = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var accountId = rows.Select(r => AccountOf(r.Arn)).FirstOrDefault(a => a is not null) ?? ThisAccount;
        return new Report(generatedAt, source, subject ?? $"account {accountId}", [ReportAccount.Evaluated(accountId)], [.. rows.Select(r => User(accountId, r))])
        {
            AsOf = asOf,
            Warnings = warnings,
        };
    }

    /// <summary>Many accounts' audits: an account that could not be read is listed as unreachable with its cause.</summary>
    public static Report ForOrganization(IReadOnlyList<AccountAudit> results, string subject, DateTimeOffset generatedAt, IReadOnlyList<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(results);
        var accounts = results.Select(a => a.Sweep is null
            ? new ReportAccount(a.AccountId, null, AccountStatus.Unreachable, a.Error ?? "not read")
            : ReportAccount.Evaluated(a.AccountId));
        var users = results.Where(a => a.Sweep is not null).SelectMany(a => AuditRow.ForSweep(a.Sweep!).Select(r => User(a.AccountId, r)));
        return new Report(generatedAt, ReportSource.OrganizationLive, subject, [.. accounts], [.. users]) { Warnings = warnings };
    }

    /// <summary>The account ID of an IAM ARN (<c>arn:aws:iam::111111111111:user/…</c>), else null.</summary>
    internal static string? AccountOf(string arn)
    {
        var parts = arn.Split(':');
        return parts.Length >= 6 && parts[0] == "arn" && parts[4].Length == 12 && parts[4].All(char.IsAsciiDigit) ? parts[4] : null;
    }
}

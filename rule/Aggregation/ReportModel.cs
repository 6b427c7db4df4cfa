using MfaConfigRule.Compliance;
using MfaConfigRule.Reporting;

namespace MfaConfigRule.Aggregation;

/// <summary>The aggregator's report in the shared report model (<see cref="Report"/>), which the HTML page renders.</summary>
internal static class ReportModel
{
    public static Report From(AggregateReport report, IReadOnlyList<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(report);
        var accounts = report.Accounts.Select(a => new Reporting.ReportAccount(a.AccountId, a.Name, a.State switch
        {
            AccountState.NoResults => AccountStatus.NoResults,
            AccountState.Unreadable => AccountStatus.Unreachable,
            _ => AccountStatus.Evaluated,
        }, a.State switch
        {
            AccountState.NoResults => "The aggregator holds no result of the rule for this account: the rule is not deployed there, has not run, or its results have not reached the aggregator.",
            AccountState.Unreadable => a.Error,
            _ => null,
        })).ToList();
        var users = report.Users.Select(u => new Reporting.ReportUser(u.AccountId, u.User, Verdict(u.Verdict), u.Annotation)
        {
            UserIsId = u.User == u.UserId,
            RecordedAt = u.RecordedTime,
            Stale = u.Stale,
        }).ToList();
        return new Report(report.GeneratedAt, ReportSource.ConfigAggregator, $"aggregator {report.Aggregator}, rule {report.RuleName}", accounts, users)
        {
            RuleName = report.RuleName,
            Warnings = warnings,
        };
    }

    // NO_RESULT is no verdict: never counted compliant.
    private static ComplianceType? Verdict(string verdict) => verdict switch
    {
        Verdicts.Compliant => ComplianceType.Compliant,
        Verdicts.NonCompliant => ComplianceType.NonCompliant,
        Verdicts.NotApplicable => ComplianceType.NotApplicable,
        _ => null,
    };
}

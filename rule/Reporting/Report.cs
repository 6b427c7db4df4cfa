using MfaConfigRule.Compliance;

namespace MfaConfigRule.Reporting;

/// <summary>Where a report's verdicts came from: it decides what the report may claim (fresh, recorded, offline).</summary>
internal enum ReportSource
{
    /// <summary><c>evaluate</c> against one live account: IAM read now.</summary>
    LiveAccount,

    /// <summary><c>evaluate --credential-report</c>: a CSV evaluated offline, as fresh as the file.</summary>
    CredentialReport,

    /// <summary><c>evaluate --organization</c> or <c>--accounts</c>: IAM read now in each account through its role.</summary>
    OrganizationLive,

    /// <summary><c>report --aggregator</c>: what Config recorded, read from the aggregator; results may be stale.</summary>
    ConfigAggregator,
}

/// <summary>Whether an account's users are in the report, and if not, why.</summary>
internal enum AccountStatus
{
    /// <summary>The account was read; its users (possibly none) are in the report.</summary>
    Evaluated,

    /// <summary>The account was reached but holds no results for the rule (the rule never ran there): never counted compliant.</summary>
    NoResults,

    /// <summary>The account could not be read (role, permissions, errors); <see cref="ReportAccount.Reason"/> says why.</summary>
    Unreachable,
}

/// <summary>One account of a report. <paramref name="Name"/> is the Organizations name where it could be read.</summary>
internal sealed record ReportAccount(string AccountId, string? Name, AccountStatus Status, string? Reason = null)
{
    public static ReportAccount Evaluated(string accountId, string? name = null) => new(accountId, name, AccountStatus.Evaluated);
}

/// <summary>
/// One user's row. <see cref="Verdict"/> is null where no verdict could be reached (the evidence was missing, or the
/// aggregator holds no result for a user it discovered): such a row is never counted as compliant.
/// </summary>
/// <param name="User">The user name, or the user ID (AIDA…) where the name is unknown (<see cref="UserIsId"/>).</param>
/// <param name="Annotation">Why: the rule's annotation, or the cause of the missing verdict.</param>
internal sealed record ReportUser(string AccountId, string User, ComplianceType? Verdict, string Annotation)
{
    /// <summary>The name of a missing verdict, as the JSON and CSV outputs spell it.</summary>
    public const string NoVerdictName = "INSUFFICIENT_DATA";

    /// <summary>True when <see cref="User"/> is an IAM user ID because no name was known: the fix then needs the name first.</summary>
    public bool UserIsId { get; init; }

    public string Arn { get; init; } = string.Empty;

    /// <summary>The IAM user ID (AIDA…) where the source gives it (aggregator reports); null otherwise.</summary>
    public string? UserId { get; init; }

    /// <summary>The Region whose recorded result this row shows (aggregator reports); null for verdicts reached by this run.</summary>
    public string? Region { get; init; }

    /// <summary>When Config recorded the result (aggregator reports); null for verdicts reached by this run.</summary>
    public DateTimeOffset? RecordedAt { get; init; }

    /// <summary>The recorded result is older than the rule's period plus a margin: it may no longer hold.</summary>
    public bool Stale { get; init; }

    /// <summary>
    /// No verdict, and no aggregated result at all, where the operator said the aggregator drops NOT_APPLICABLE and none
    /// came through: consistent with a user without a console password. Still no verdict, never counted compliant; only
    /// the exit code leaves it out of what is unknown.
    /// </summary>
    public bool PresumedNotApplicable { get; init; }

    /// <summary>For NON_COMPLIANT rows where this run saw the evidence: how exposed the user is, to order them riskiest first.</summary>
    public Exposure? Exposure { get; init; }

    /// <summary>COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE or INSUFFICIENT_DATA.</summary>
    public string VerdictName => Verdict?.ToWire() ?? NoVerdictName;

    /// <summary>What needs action first: NON_COMPLIANT, no verdict, COMPLIANT, NOT_APPLICABLE.</summary>
    public int Rank => Verdict switch
    {
        ComplianceType.NonCompliant => 0,
        null => 1,
        ComplianceType.Compliant => 2,
        _ => 3,
    };

    /// <summary>NON_COMPLIANT first (riskiest first), then no verdict, COMPLIANT, NOT_APPLICABLE; stale after fresh; by account and user.</summary>
    public static int Compare(ReportUser? x, ReportUser? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return 1;
        if (y is null) return -1;
        var order = x.Rank.CompareTo(y.Rank);
        if (order == 0) order = Exposure.Compare(x.Exposure, y.Exposure);
        if (order == 0) order = x.Stale.CompareTo(y.Stale);
        if (order == 0) order = string.CompareOrdinal(x.AccountId, y.AccountId);
        if (order == 0) order = string.CompareOrdinal(x.User, y.User);
        return order;
    }
}

/// <summary>
/// What any report shows, whatever produced it: when it was made, what was evaluated, every account with its status,
/// every user's row, and the totals. The HTML renderer reads only this.
/// </summary>
/// <param name="Subject">What was evaluated, in words: a file name, "account 111111111111", "aggregator X, rule Y".</param>
internal sealed record Report(DateTimeOffset GeneratedAt, ReportSource Source, string Subject, IReadOnlyList<ReportAccount> Accounts, IReadOnlyList<ReportUser> Users)
{
    /// <summary>The time verdicts were judged at when it is not <see cref="GeneratedAt"/> (<c>--as-of</c>).</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>The Config rule whose results these are (aggregator reports).</summary>
    public string? RuleName { get; init; }

    /// <summary>The Config aggregator the results were read from (aggregator reports).</summary>
    public string? Aggregator { get; init; }

    /// <summary>How old a recorded result may be before it is flagged stale (aggregator reports).</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>Whether the accounts' names could be read (from Organizations, for aggregator reports).</summary>
    public bool AccountNamesKnown { get; init; }

    /// <summary>What the run warned about (a partial read, a report row it could not parse); shown with the totals.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public ReportTotals Totals => ReportTotals.Of(Users, Accounts);

    /// <summary>Every user, NON_COMPLIANT first and riskiest first (<see cref="ReportUser.Compare"/>).</summary>
    public IReadOnlyList<ReportUser> UsersByRisk => [.. Users.Order(Comparer<ReportUser>.Create(ReportUser.Compare))];

    /// <summary>Every account with its totals, riskiest first (<see cref="AccountSummary.Compare"/>).</summary>
    public IReadOnlyList<AccountSummary> AccountsByRisk
    {
        get
        {
            var byAccount = Users.ToLookup(u => u.AccountId, StringComparer.Ordinal);
            var known = Accounts.Select(a => a.AccountId).ToHashSet(StringComparer.Ordinal);
            // A user row whose account is not listed still counts: it is shown under an account of its own.
            var accounts = Accounts.Concat(byAccount.Select(g => g.Key).Where(id => !known.Contains(id)).Order(StringComparer.Ordinal).Select(id => ReportAccount.Evaluated(id)));
            return [.. accounts.Select(a => new AccountSummary(a, ReportTotals.Of([.. byAccount[a.AccountId]], [a])))
                .Order(Comparer<AccountSummary>.Create(AccountSummary.Compare))];
        }
    }
}

/// <summary>One account and its counts: a row of the heatmap.</summary>
internal sealed record AccountSummary(ReportAccount Account, ReportTotals Totals)
{
    /// <summary>
    /// Riskiest first: most NON_COMPLIANT users; then what is unknown (unreachable, no results, users without a verdict);
    /// then most stale results; then by account ID.
    /// </summary>
    public static int Compare(AccountSummary? x, AccountSummary? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return 1;
        if (y is null) return -1;
        var order = y.Totals.NonCompliant.CompareTo(x.Totals.NonCompliant);
        if (order == 0) order = (x.Account.Status == AccountStatus.Evaluated).CompareTo(y.Account.Status == AccountStatus.Evaluated);
        if (order == 0) order = y.Totals.NoVerdict.CompareTo(x.Totals.NoVerdict);
        if (order == 0) order = y.Totals.Stale.CompareTo(x.Totals.Stale);
        if (order == 0) order = string.CompareOrdinal(x.Account.AccountId, y.Account.AccountId);
        return order;
    }
}

/// <summary>Counts of users by verdict, stale results, and accounts by status.</summary>
internal sealed record ReportTotals(int Users, int NonCompliant, int NoVerdict, int Compliant, int NotApplicable, int Stale, int Accounts, int AccountsUnreachable, int AccountsWithoutResults)
{
    public static ReportTotals Of(IReadOnlyCollection<ReportUser> users, IReadOnlyCollection<ReportAccount> accounts) => new(
        users.Count,
        users.Count(u => u.Verdict == ComplianceType.NonCompliant),
        users.Count(u => u.Verdict is null),
        users.Count(u => u.Verdict == ComplianceType.Compliant),
        users.Count(u => u.Verdict == ComplianceType.NotApplicable),
        users.Count(u => u.Stale),
        accounts.Count,
        accounts.Count(a => a.Status == AccountStatus.Unreachable),
        accounts.Count(a => a.Status == AccountStatus.NoResults))
    {
        PresumedNotApplicable = users.Count(u => u.Verdict is null && u.PresumedNotApplicable),
    };

    /// <summary>Of <see cref="NoVerdict"/>, the users presumed NOT_APPLICABLE (<see cref="ReportUser.PresumedNotApplicable"/>).</summary>
    public int PresumedNotApplicable { get; init; }

    /// <summary>Something is not known: an account unread or without results, a stale result, a user without a verdict not presumed NOT_APPLICABLE.</summary>
    public bool Unknown => NoVerdict - PresumedNotApplicable + Stale + AccountsUnreachable + AccountsWithoutResults > 0;

    /// <summary>Nothing known to be wrong and nothing unknown: every account read, every user with a fresh verdict, none NON_COMPLIANT.</summary>
    public bool AllClear => NonCompliant == 0 && NoVerdict == 0 && Stale == 0 && AccountsUnreachable == 0 && AccountsWithoutResults == 0;
}

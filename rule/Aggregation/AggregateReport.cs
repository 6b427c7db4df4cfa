namespace MfaConfigRule.Aggregation;

/// <summary>What the report knows of one account: its results, none at all, or an error reading them.</summary>
internal enum AccountState
{
    /// <summary>The aggregator holds results of the rule for the account.</summary>
    Reported,

    /// <summary>The aggregator holds no result of the rule for the account: the rule never ran there, or its results never reached the aggregator.</summary>
    NoResults,

    /// <summary>Reading the account's results failed after the retries; nothing about it is known.</summary>
    Unreadable,
}

internal sealed record ReportAccount(string AccountId, string? Name, AccountState State, string? Error = null);

/// <summary>
/// One IAM user's row: the verdict Config holds (COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE) or <see cref="Verdicts.NoResult"/>
/// for a user the aggregator discovered but holds no result for. <see cref="User"/> is the name where the aggregator
/// knows it, else the user ID.
/// </summary>
internal sealed record ReportUser(
    string AccountId,
    string? AccountName,
    string User,
    string UserId,
    string Verdict,
    string Annotation,
    DateTimeOffset? RecordedTime,
    bool Stale,
    string? Region);

internal static class Verdicts
{
    public const string Compliant = "COMPLIANT";
    public const string NonCompliant = "NON_COMPLIANT";
    public const string NotApplicable = "NOT_APPLICABLE";

    /// <summary>A discovered user the aggregator holds no result for (NOT_APPLICABLE, which AWS documents the aggregator does not carry, or not evaluated).</summary>
    public const string NoResult = "NO_RESULT";

    /// <summary>Riskiest first: NON_COMPLIANT, then what is not known, then NOT_APPLICABLE, then COMPLIANT.</summary>
    public static int Rank(string verdict) => verdict switch
    {
        NonCompliant => 0,
        NoResult => 1,
        NotApplicable => 2,
        Compliant => 3,
        _ => 1,
    };
}

/// <summary>What the aggregator holds for the rule across the accounts, as of <see cref="GeneratedAt"/>.</summary>
internal sealed record AggregateReport(
    string Aggregator,
    string RuleName,
    DateTimeOffset GeneratedAt,
    TimeSpan MaxAge,
    IReadOnlyList<ReportAccount> Accounts,
    IReadOnlyList<ReportUser> Users)
{
    /// <summary>Whether account names came from Organizations.</summary>
    public bool NamesAvailable { get; init; }

    /// <summary>Whether any NOT_APPLICABLE result came through the aggregator (then a NO_RESULT user was not evaluated).</summary>
    public bool NotApplicableCarried { get; init; }

    /// <summary>Requests sent, per operation (retries included).</summary>
    public IReadOnlyDictionary<string, int> Calls { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// 2 when something is not known (an account without results or unreadable, a stale result, a user without a
    /// result), which outranks 1 (a NON_COMPLIANT user), else 0: the exit codes of <c>evaluate</c>.
    /// </summary>
    public int ExitCode =>
        Accounts.Any(a => a.State != AccountState.Reported) || Users.Any(u => u.Stale || u.Verdict == Verdicts.NoResult) ? 2
        : Users.Any(u => u.Verdict == Verdicts.NonCompliant) ? 1
        : 0;
}

namespace MfaConfigRule.Iam;

/// <summary>What a sweep read and how: its mode, the report's age, the live reads and why they were needed.</summary>
internal sealed record SweepStats(
    int Users,
    string Mode,
    DateTimeOffset? ReportGeneratedTime,
    int ChangedSinceReport,
    int LiveReads,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Users the report shows without a password, or whose password CloudTrail cannot vouch for: one GetLoginProfile each.</summary>
    public int PasswordChecks { get; init; }

    /// <summary>How many users each <see cref="SweepPlan.Reason"/> applied to, so a log line says why users were read live.</summary>
    public IReadOnlyDictionary<string, int> PlanReasons { get; init; } = new Dictionary<string, int>();
}

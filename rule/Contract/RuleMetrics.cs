namespace MfaConfigRule.Contract;

/// <summary>
/// One metric the functions' log lines carry as CloudWatch Embedded Metric Format (EMF): its name, its unit (one of the
/// EMF specification's Unit values) and the dimension sets CloudWatch files it under (each set is a separate billed
/// custom metric per dimension value).
/// </summary>
internal sealed record RuleMetric(string Name, string Unit, IReadOnlyList<IReadOnlyList<string>> DimensionSets, string Meaning)
{
    /// <summary>Filed per member account only: one custom metric per account.</summary>
    public bool PerAccount => DimensionSets.Any(set => set.Contains(RuleMetrics.AccountDimension, StringComparer.Ordinal));
}

/// <summary>
/// The metrics the rule writes into its own log lines (EMF), read by the functions that write them and by the CDK app
/// that alarms on them and draws them: one list, so an alarm can only name a metric the code writes. No PutMetricData:
/// CloudWatch Logs extracts them from the lines (docs/operations.md, docs/cost.md).
/// </summary>
internal static class RuleMetrics
{
    public const string Namespace = "MfaConfigRule";

    /// <summary>The account a sweep evaluated (the member account in an Organization), a top-level string of the line.</summary>
    public const string AccountDimension = "AccountId";

    /// <summary>
    /// The evaluate function's switch for the per-account head counts (CDK context <c>mfaRule:accountMetrics</c>):
    /// <c>true</c> files <see cref="CompliantUsers"/>, <see cref="NonCompliantUsers"/> and <see cref="NotApplicableUsers"/>
    /// under <see cref="AccountDimension"/> (three custom metrics per account); unset or <c>false</c> files them with no
    /// dimension (three in all), and the per-account view comes from the log lines (docs/operations.md, docs/cost.md).
    /// </summary>
    public const string AccountMetricsVariable = "MFA_RULE_ACCOUNT_METRICS";

    public const string Count = "Count";
    public const string Milliseconds = "Milliseconds";

    private static readonly IReadOnlyList<IReadOnlyList<string>> ByAccount = [[AccountDimension]];
    private static readonly IReadOnlyList<IReadOnlyList<string>> Overall = [[]];

    /// <summary>Users the sweep found COMPLIANT; only on a complete sweep (a change notification's single user is not a head count). Per account only with the switch on: <see cref="HeadCounts"/>.</summary>
    public static RuleMetric CompliantUsers { get; } = new("CompliantUsers", Count, Overall, "users COMPLIANT at a complete sweep");

    public static RuleMetric NonCompliantUsers { get; } = new("NonCompliantUsers", Count, Overall, "users NON_COMPLIANT at a complete sweep");

    public static RuleMetric NotApplicableUsers { get; } = new("NotApplicableUsers", Count, Overall, "users NOT_APPLICABLE at a complete sweep");

    /// <summary>Every evaluate run: users whose state could not be read plus evaluations PutEvaluations refused.</summary>
    public static RuleMetric UsersWithoutVerdict { get; } = new("UsersWithoutVerdict", Count, Overall, "users an evaluate run left without a verdict in Config (any account)");

    public static RuleMetric SweepDuration { get; } = new("SweepDuration", Milliseconds, Overall, "how long a sweep ran");

    public static RuleMetric ApiCalls { get; } = new("ApiCalls", Count, Overall, "AWS requests an evaluate run sent");

    /// <summary>1 on each trigger line whose event started a re-run of the rule, else 0.</summary>
    public static RuleMetric ReevaluationsStarted { get; } = new("ReevaluationsStarted", Count, Overall, "re-evaluations the trigger started");

    /// <summary>1 on each remediation line that changed the user (not a dry run), else 0.</summary>
    public static RuleMetric UsersRemediated { get; } = new("UsersRemediated", Count, Overall, "users remediation changed");

    public static RuleMetric UsersLifted { get; } = new("UsersLifted", Count, Overall, "users the hourly lift freed of the enforcement policy");

    /// <summary>Only on a refusal (an event or request from outside the Organization or not proven); no per-account dimension, so a foreign account cannot add metrics.</summary>
    public static RuleMetric RefusedEvents { get; } = new("RefusedEvents", Count, Overall, "events and requests refused (Organization)");

    /// <summary>Only on a lift sweep that did not reach every user or account.</summary>
    public static RuleMetric IncompleteLifts { get; } = new("IncompleteLifts", Count, Overall, "lift sweeps that did not finish");

    /// <summary>The head counts, in the order COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE: per account (<see cref="AccountDimension"/> only) or with no dimension.</summary>
    public static IReadOnlyList<RuleMetric> HeadCounts(bool perAccount) =>
        [.. new[] { CompliantUsers, NonCompliantUsers, NotApplicableUsers }.Select(m => perAccount
            ? m with { DimensionSets = ByAccount, Meaning = m.Meaning + ", per account" }
            : m)];

    /// <summary>Every metric the functions write, as filed with the per-account switch on or off.</summary>
    public static IReadOnlyList<RuleMetric> All(bool perAccount) =>
    [
        .. HeadCounts(perAccount), UsersWithoutVerdict, SweepDuration, ApiCalls,
        ReevaluationsStarted, UsersRemediated, UsersLifted, RefusedEvents, IncompleteLifts,
    ];

    /// <summary>
    /// Reads <see cref="AccountMetricsVariable"/>: unset, empty or <c>false</c> is off, <c>true</c> on (any case); any
    /// other value is an error naming the variable, never a silent default.
    /// </summary>
    public static bool ParseAccountMetrics(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "FALSE" => false,
        "TRUE" => true,
        _ => throw new ArgumentException($"{AccountMetricsVariable}='{value}' is not true or false"),
    };
}

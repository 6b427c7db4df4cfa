using System.Globalization;

namespace AwsDouble;

/// <summary>Which of two evaluations for one resource Config keeps (PutEvaluations).</summary>
public enum EvaluationOrdering
{
    /// <summary>The one with the newest OrderingTimestamp; an older one is dropped, the call still succeeds.</summary>
    NewestOrderingTimestampWins,

    /// <summary>The one written last, whatever its OrderingTimestamp.</summary>
    LastWriteWins,
}

/// <summary>What Config delivers, after StartConfigRulesEvaluation, to a rule that is both periodic and change-triggered.</summary>
public enum OnDemandDelivery
{
    /// <summary>One ScheduledNotification.</summary>
    ScheduledNotification,

    /// <summary>
    /// A ConfigurationItemChangeNotification per user in scope, each carrying the user's last configuration item (its
    /// old capture time) with notificationCreationTime = now.
    /// </summary>
    ChangePerUser,

    /// <summary>Both: the ScheduledNotification and a change notification per user.</summary>
    Both,
}

/// <summary>What Config does with results a periodic run does not state again.</summary>
public enum UnrestatedResults
{
    /// <summary>Kept as they were.</summary>
    Kept,

    /// <summary>Dropped: a periodic run's results replace the rule's earlier ones.</summary>
    Dropped,
}

/// <summary>The credential report's <c>&lt;root_account&gt;</c> row's <c>password_enabled</c>.</summary>
public enum RootPasswordEnabled
{
    /// <summary><c>not_supported</c>, as IAM's documentation describes the root row.</summary>
    NotSupported,

    /// <summary><c>false</c>: centralized root access removed the root password.</summary>
    False,

    /// <summary><c>true</c>.</summary>
    True,
}

/// <summary>What a stored result's ConfigRuleInvokedTime means.</summary>
public enum InvokedTimeMeaning
{
    /// <summary>When Config invoked the function (when the double issued the result token).</summary>
    InvocationTime,

    /// <summary>When the result was recorded (when PutEvaluations delivered it).</summary>
    ResultRecordedTime,
}

/// <summary>Whether a Config aggregator carries a rule's NOT_APPLICABLE results to the aggregate calls.</summary>
public enum AggregatorNotApplicable
{
    /// <summary>Dropped: only COMPLIANT and NON_COMPLIANT, as the API reference says Config "supports" for the aggregate calls.</summary>
    Dropped,

    /// <summary>Carried like the other results.</summary>
    Carried,
}

/// <summary>
/// The AWS behaviours the rule's verdict paths depend on and AWS's documentation leaves open, one switch each, so a test
/// can run a path under every plausible answer. <see cref="Today"/> is what the double did before these were switches.
/// Set per test (<c>aws.State.Behaviours = AwsBehaviours.Today with { … }</c>), on the control endpoint
/// (<c>POST /_double/behaviours</c>) or on the command line (<c>--behaviour name=value</c>); <see cref="Names"/> lists
/// the names.
/// </summary>
public sealed record AwsBehaviours
{
    /// <summary>The double's behaviour before the switches existed.</summary>
    public static AwsBehaviours Today { get; } = new();

    /// <summary>
    /// PutEvaluations: which evaluation Config keeps for a resource. The API reference says only that OrderingTimestamp is
    /// "the time of the event in AWS Config that triggered the evaluation"; it does not say whether an older one written
    /// later replaces a newer one.
    /// </summary>
    public EvaluationOrdering Ordering { get; init; } = EvaluationOrdering.NewestOrderingTimestampWins;

    /// <summary>
    /// StartConfigRulesEvaluation: what a custom rule with both a periodic and a change trigger receives. The API reference
    /// says only that it "runs an on-demand evaluation"; the message type is not documented. The double invokes nothing: a
    /// test reads <see cref="Config.RuleEvaluationStart.Delivery"/> and <see cref="Config.RuleEvaluationStart.ReplayedItems"/>.
    /// </summary>
    public OnDemandDelivery OnDemand { get; init; } = OnDemandDelivery.ScheduledNotification;

    /// <summary>
    /// CloudTrail event history: how long after the call an event shows in LookupEvents. The CloudTrail user guide says
    /// "typically within 5 minutes" and gives no bound; 0 to 15 minutes is what the rule is designed for.
    /// </summary>
    public TimeSpan CloudTrailDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Results a periodic run does not state again (ReportChangesOnly writes only changes): the Config developer guide does
    /// not say whether Config keeps them or takes the run's results as the rule's complete set.
    /// </summary>
    public UnrestatedResults Unrestated { get; init; } = UnrestatedResults.Kept;

    /// <summary>
    /// The credential report's root row: the IAM user guide documents <c>not_supported</c> for the root's password
    /// columns but not what centralized root access (a member account without root credentials) writes.
    /// </summary>
    public RootPasswordEnabled RootPassword { get; init; } = RootPasswordEnabled.NotSupported;

    /// <summary>
    /// GenerateCredentialReport: IAM documents no upper bound on generation time. True: the report stays in progress
    /// (GenerateCredentialReport INPROGRESS, GetCredentialReport ReportInProgress) for as long as the switch is on.
    /// </summary>
    public bool CredentialReportNeverCompletes { get; init; }

    /// <summary>
    /// EvaluationResult.ConfigRuleInvokedTime, which the trigger compares with an event's time: documented only as "the
    /// time when the AWS Config rule evaluated the AWS resource", which may be the invocation or the recording.
    /// </summary>
    public InvokedTimeMeaning InvokedTime { get; init; } = InvokedTimeMeaning.InvocationTime;

    /// <summary>
    /// GetAggregateComplianceDetailsByConfigRule and DescribeAggregateComplianceByConfigRules: whether NOT_APPLICABLE
    /// results come through. The API reference says only that Config "supports only COMPLIANT and NON_COMPLIANT" (for the
    /// ComplianceType filter and member); it does not say whether NOT_APPLICABLE results are kept.
    /// </summary>
    public AggregatorNotApplicable AggregatorNotApplicable { get; init; } = AggregatorNotApplicable.Dropped;

    /// <summary>
    /// The aggregate calls' rate, in requests a second per caller account and Region (a token bucket holding one second's
    /// worth; past it ThrottlingException); null: unlimited. Config publishes no rate for these calls.
    /// </summary>
    public double? AggregatorRate { get; init; }

    /// <summary>The switch names the control endpoint and the command line take, with their values.</summary>
    public static IReadOnlyDictionary<string, string> Names { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ordering"] = "newest-wins | last-write-wins",
        ["on-demand"] = "scheduled | change-per-user | both",
        ["cloudtrail-delay-seconds"] = "0 to 900",
        ["unrestated"] = "kept | dropped",
        ["root-password"] = "not_supported | false | true",
        ["report-never-completes"] = "false | true",
        ["invoked-time"] = "invocation | recorded",
        ["aggregator-not-applicable"] = "dropped | carried",
        ["aggregator-rate"] = "unlimited | 1 to 10000 (requests a second)",
    };

    /// <summary>This record with one switch set by name and value, as the control endpoint and command line give them.</summary>
    public AwsBehaviours With(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        T Pick<T>(params (string Text, T Value)[] choices) =>
            choices.FirstOrDefault(c => c.Text == value) is { Text: not null } hit
                ? hit.Value
                : throw new ArgumentException($"behaviour {name}: '{value}' is not one of {Names[name]}");
        return name switch
        {
            "ordering" => this with { Ordering = Pick(("newest-wins", EvaluationOrdering.NewestOrderingTimestampWins), ("last-write-wins", EvaluationOrdering.LastWriteWins)) },
            "on-demand" => this with { OnDemand = Pick(("scheduled", OnDemandDelivery.ScheduledNotification), ("change-per-user", OnDemandDelivery.ChangePerUser), ("both", OnDemandDelivery.Both)) },
            "cloudtrail-delay-seconds" => this with { CloudTrailDelay = Delay(value) },
            "unrestated" => this with { Unrestated = Pick(("kept", UnrestatedResults.Kept), ("dropped", UnrestatedResults.Dropped)) },
            "root-password" => this with { RootPassword = Pick(("not_supported", RootPasswordEnabled.NotSupported), ("false", RootPasswordEnabled.False), ("true", RootPasswordEnabled.True)) },
            "report-never-completes" => this with { CredentialReportNeverCompletes = Pick(("false", false), ("true", true)) },
            "invoked-time" => this with { InvokedTime = Pick(("invocation", InvokedTimeMeaning.InvocationTime), ("recorded", InvokedTimeMeaning.ResultRecordedTime)) },
            "aggregator-not-applicable" => this with { AggregatorNotApplicable = Pick(("dropped", AggregatorNotApplicable.Dropped), ("carried", AggregatorNotApplicable.Carried)) },
            "aggregator-rate" => this with { AggregatorRate = Rate(value) },
            _ => throw new ArgumentException($"unknown behaviour '{name}'; the behaviours are {string.Join(", ", Names.Keys)}"),
        };

        static double? Rate(string text)
        {
            if (text == "unlimited") return null;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || rate is < 1 or > 10000)
                throw new ArgumentException($"behaviour aggregator-rate: '{text}' is not unlimited or a number of requests a second from 1 to 10000");
            return rate;
        }

        static TimeSpan Delay(string text)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds is < 0 or > 900)
                throw new ArgumentException($"behaviour cloudtrail-delay-seconds: '{text}' is not a number of seconds from 0 to 900");
            return TimeSpan.FromSeconds(seconds);
        }
    }

    /// <summary>Every switch by name, with the value the control endpoint and the command line would take.</summary>
    public IReadOnlyDictionary<string, string> ToNames() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ordering"] = Ordering == EvaluationOrdering.LastWriteWins ? "last-write-wins" : "newest-wins",
        ["on-demand"] = OnDemand switch { OnDemandDelivery.ChangePerUser => "change-per-user", OnDemandDelivery.Both => "both", _ => "scheduled" },
        ["cloudtrail-delay-seconds"] = CloudTrailDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ["unrestated"] = Unrestated == UnrestatedResults.Dropped ? "dropped" : "kept",
        ["root-password"] = RootPassword switch { RootPasswordEnabled.False => "false", RootPasswordEnabled.True => "true", _ => "not_supported" },
        ["report-never-completes"] = CredentialReportNeverCompletes ? "true" : "false",
        ["invoked-time"] = InvokedTime == InvokedTimeMeaning.ResultRecordedTime ? "recorded" : "invocation",
        ["aggregator-not-applicable"] = AggregatorNotApplicable == AggregatorNotApplicable.Carried ? "carried" : "dropped",
        ["aggregator-rate"] = AggregatorRate?.ToString(CultureInfo.InvariantCulture) ?? "unlimited",
    };

    /// <summary>The switches that differ from <see cref="Today"/>, as name=value; "today" when none does.</summary>
    public override string ToString()
    {
        var today = Today.ToNames();
        var changed = ToNames().Where(p => today[p.Key] != p.Value).Select(p => $"{p.Key}={p.Value}").ToList();
        return changed.Count == 0 ? "today" : string.Join(' ', changed);
    }
}

using Amazon.CDK.AWS.Logs;

namespace MfaConfigRule.Infra.Settings;

/// <summary>How the functions are sized: the evaluate function's memory and timeout, the trigger's timeout, and how long their logs are kept.</summary>
internal sealed record FunctionSettings
{
    public const string LogRetentionDaysKey = "mfaRule:logRetentionDays";
    public const string EvaluateMemoryMbKey = "mfaRule:evaluateMemoryMb";
    public const string EvaluateTimeoutSecondsKey = "mfaRule:evaluateTimeoutSeconds";
    public const string TriggerTimeoutSecondsKey = "mfaRule:triggerTimeoutSeconds";

    public int LogRetentionDays { get; init; } = 90;

    /// <summary>
    /// 256 MB: the Native AOT runtime and a 1,000-user credential report need a few tens of MB (docs/benchmarks.md: 75 MB peak at 5,000 users), and
    /// Lambda's CPU share grows with memory, so 128 MB would slow the TLS handshakes that dominate a run.
    /// </summary>
    public int EvaluateMemoryMb { get; init; } = 256;

    /// <summary>
    /// 300 s: a periodic run is bound by IAM latency, about two live calls for each user the credential report cannot
    /// settle; at ~100 ms a call sequentially that covers ~1,500 such users. Raise it (up to 900) for larger accounts.
    /// </summary>
    public int EvaluateTimeoutSeconds { get; init; } = 300;

    /// <summary>
    /// 900 s, Lambda's maximum: the longest run the trigger has is a DeleteLoginProfile, which it holds until CloudTrail's
    /// event history shows it (usually within 5 minutes, at most about 15), then a start Config may refuse for as long
    /// as an evaluation runs (the trigger asks once a minute). A timeout is a failure: Lambda resets the environment,
    /// losing the trigger's memory of its last accepted start, and retries the event. Lower it only where CloudTrail is
    /// known to be faster.
    /// </summary>
    public int TriggerTimeoutSeconds => TriggerTimeoutSecondsGiven ?? DefaultTriggerTimeoutSeconds;

    public const int DefaultTriggerTimeoutSeconds = 900;

    /// <summary>
    /// The value of <see cref="TriggerTimeoutSecondsKey"/> when one is given; null otherwise. Not in cdk.json: the
    /// Organization's central trigger never waits in process and defaults to 60 s, one account's to 900 s.
    /// </summary>
    public int? TriggerTimeoutSecondsGiven { get; init; }

    public RetentionDays LogRetention => Enum.Parse<RetentionDays>(RetentionNames[LogRetentionDays]);

    public static FunctionSettings Read(ContextReader context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var defaults = new FunctionSettings();
        return new FunctionSettings
        {
            LogRetentionDays = context.Read(LogRetentionDaysKey, defaults.LogRetentionDays, ParseRetention),
            EvaluateMemoryMb = context.Read(EvaluateMemoryMbKey, defaults.EvaluateMemoryMb, v => ContextReader.ParseInt(v, 128, 10240, "MB")),
            EvaluateTimeoutSeconds = context.Read(EvaluateTimeoutSecondsKey, defaults.EvaluateTimeoutSeconds, v => ContextReader.ParseInt(v, 10, 900, "seconds")),
            // At least the trigger's one-minute wait between refused starts, plus the calls around it.
            TriggerTimeoutSecondsGiven = context.Read<int?>(TriggerTimeoutSecondsKey, null, v => ContextReader.ParseInt(v, 90, 900, "seconds")),
        };
    }

    private static int ParseRetention(object value)
    {
        var days = ContextReader.ParseInt(value, 1, 3653, "days");
        if (!RetentionNames.ContainsKey(days))
            throw new FormatException($"{days} is not a retention CloudWatch Logs offers; use one of {string.Join(", ", RetentionNames.Keys)}");
        return days;
    }

    /// <summary>CloudWatch Logs' allowed retention periods in days, by the name of CDK's enum member.</summary>
    private static readonly IReadOnlyDictionary<int, string> RetentionNames = new Dictionary<int, string>
    {
        [1] = "ONE_DAY", [3] = "THREE_DAYS", [5] = "FIVE_DAYS", [7] = "ONE_WEEK", [14] = "TWO_WEEKS", [30] = "ONE_MONTH",
        [60] = "TWO_MONTHS", [90] = "THREE_MONTHS", [120] = "FOUR_MONTHS", [150] = "FIVE_MONTHS", [180] = "SIX_MONTHS",
        [365] = "ONE_YEAR", [400] = "THIRTEEN_MONTHS", [545] = "EIGHTEEN_MONTHS", [731] = "TWO_YEARS", [1096] = "THREE_YEARS",
        [1827] = "FIVE_YEARS", [2192] = "SIX_YEARS", [2557] = "SEVEN_YEARS", [2922] = "EIGHT_YEARS", [3288] = "NINE_YEARS",
        [3653] = "TEN_YEARS",
    };
}

namespace MfaConfigRule.Aws;

/// <summary>
/// When and how long to wait before sending a failed request again: exponential backoff with full jitter
/// (delay = random[0,1) × min(<see cref="MaxDelay"/>, <see cref="BaseDelay"/> × 2^(attempt−1))), on throttling, 5xx,
/// connection failures and timeouts. IAM publishes no rate limits and throttles per-user loops in large accounts, so
/// the default allows more attempts than the SDKs' three.
/// </summary>
internal sealed record AwsRetryPolicy
{
    /// <summary>
    /// Error codes AWS services use for "slow down" (the SDKs' list, less codes of services this project never calls).
    /// <c>LimitExceededException</c> is deliberately absent: Config's
    /// StartConfigRulesEvaluation uses it for "an evaluation is already running", which waiting does not fix.
    /// </summary>
    public static readonly IReadOnlySet<string> ThrottlingCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "PriorRequestNotComplete",
    };

    /// <summary>Codes a service sends when the request itself timed out on its side.</summary>
    public static readonly IReadOnlySet<string> TransientCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "RequestTimeout",
        "RequestTimeoutException",
    };

    public static AwsRetryPolicy Default { get; } = new(8, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(20));

    /// <summary>No waiting between attempts: for tests and for callers that pace themselves.</summary>
    public static AwsRetryPolicy Immediate(int maxAttempts) => new(maxAttempts, TimeSpan.Zero, TimeSpan.Zero);

    public AwsRetryPolicy(int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(baseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, baseDelay);
        MaxAttempts = maxAttempts;
        BaseDelay = baseDelay;
        MaxDelay = maxDelay;
    }

    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; }
    public TimeSpan BaseDelay { get; }
    public TimeSpan MaxDelay { get; }

    /// <summary>Whether an answer from the service is worth sending again.</summary>
    public static bool IsRetryable(int statusCode, string errorCode) =>
        statusCode == 429 || statusCode >= 500 || ThrottlingCodes.Contains(errorCode) || TransientCodes.Contains(errorCode);

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based), given a jitter draw in [0, 1).</summary>
    public TimeSpan DelayAfter(int attempt, double jitter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        if (jitter is < 0 or >= 1 || double.IsNaN(jitter)) throw new ArgumentOutOfRangeException(nameof(jitter), jitter, "jitter must be in [0, 1)");
        // Past 2^30 the cap has long been reached; stopping the doubling there keeps the arithmetic finite.
        var ceiling = Math.Min(MaxDelay.Ticks, BaseDelay.Ticks * Math.Pow(2, Math.Min(attempt - 1, 30)));
        return TimeSpan.FromTicks((long)(ceiling * jitter));
    }
}

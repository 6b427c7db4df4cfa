namespace MfaConfigRule.Iam;

/// <summary>How a sweep reads credential state; defaults suit a Lambda sweep of up to IAM's 5,000 users.</summary>
internal sealed record AssessorOptions
{
    /// <summary>Users assessed at once; IAM's token buckets are unpublished, so keep it modest and let retries absorb throttling.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>IAM regenerates the report at most every four hours; an older report is regenerated before use.</summary>
    public TimeSpan ReportMaxAge { get; init; } = TimeSpan.FromHours(4);

    /// <summary>
    /// The longest wait for a report being generated before falling back to live reads; under a deadline,
    /// <see cref="ReportWaitDecision"/> shortens it so the live reads still fit.
    /// </summary>
    public TimeSpan ReportWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// What one user's live read is assumed to cost (the login profile and MFA devices together, then tags when needed,
    /// with a throttling retry): about two IAM round trips. Twice the slowest IAM call the sweep saw replaces it when larger.
    /// </summary>
    public TimeSpan LiveReadCost { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ReportPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>CloudTrail is asked from this long before the report's generation time, so a change racing the report is caught.</summary>
    public TimeSpan CloudTrailMargin { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Off: read every user live (two calls a user). On: the report plus live reads only where it cannot be trusted.</summary>
    public bool UseCredentialReport { get; init; } = true;
}

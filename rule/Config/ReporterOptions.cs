namespace MfaConfigRule.Config;

internal sealed record ReporterOptions
{
    /// <summary>PutEvaluations takes at most 100 evaluations a call.</summary>
    public const int BatchSize = 100;

    /// <summary>Rounds of re-sending what came back in FailedEvaluations.</summary>
    public int FailedEvaluationRetries { get; init; } = 4;

    public TimeSpan FailedEvaluationDelay { get; init; } = TimeSpan.FromSeconds(1);
}

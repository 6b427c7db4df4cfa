namespace MfaConfigRule.ConfigEvents;

internal sealed record HandlerOptions
{
    /// <summary>Time kept back from the deadline for PutEvaluations: the larger of this and a tenth of the budget.</summary>
    public TimeSpan ReportReserve { get; init; } = TimeSpan.FromSeconds(10);
}

using MfaConfigRule.Compliance;

namespace MfaConfigRule.Config;

/// <summary>A sweep's decisions, user by user, and a warning when what Config holds could not be read.</summary>
internal sealed record SweepReportPlan(IReadOnlyList<ResultDecision> Decisions, string? Warning)
{
    /// <summary>The evaluations to send to PutEvaluations, in decision order.</summary>
    public IReadOnlyList<Evaluation> Writes => [.. Decisions.Where(d => d.Write is not null).Select(d => d.Write!)];

    public int Vanished => Decisions.Count(d => d.Reason == ResultReason.Vanished);

    public int Unchanged => Decisions.Count(d => d.Reason == ResultReason.Unchanged);

    /// <summary>How many decisions had each reason, for the log line.</summary>
    public IReadOnlyDictionary<string, int> CountsByReason =>
        Decisions.GroupBy(d => d.Reason.ToString()).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}

using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Iam;

namespace MfaConfigRule.ConfigEvents;

/// <summary>What one invocation did, for the log line; <see cref="Succeeded"/> false makes the invocation fail so Config shows and retries it.</summary>
internal sealed record InvocationSummary(
    string ConfigRuleName,
    string? AccountId,
    string MessageType,
    bool TestMode,
    IReadOnlyList<Evaluation> Evaluations,
    IReadOnlyList<Evaluation> Unreported,
    IReadOnlyList<AssessmentFailure> Failures,
    SweepStats? Sweep,
    int VanishedUsers,
    IReadOnlyList<string> Warnings,
    string? Note)
{
    public bool Succeeded => Failures.Count == 0 && Unreported.Count == 0;

    /// <summary>The users behind the evaluations' resource ids, where known, so people see names and not only AIDA… ids.</summary>
    public IReadOnlyDictionary<string, IamUser> Users { get; init; } = new Dictionary<string, IamUser>(StringComparer.Ordinal);

    /// <summary>Evaluations sent to PutEvaluations: all of <see cref="Evaluations"/>, or with ReportChangesOnly only what changed.</summary>
    public int? Written { get; init; }

    /// <summary>A sweep's decisions by reason (<see cref="ResultReason"/>): what was written and why, and what was not.</summary>
    public IReadOnlyDictionary<string, int>? Reasons { get; init; }

    public IReadOnlyDictionary<string, int> CountsByVerdict =>
        Evaluations.GroupBy(e => e.Compliance.ToWire()).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Names each user left without a verdict and the cause, so the Config console's rule error says what to fix.</summary>
    public string FailureMessage()
    {
        var parts = new List<string>();
        if (Failures.Count > 0)
        {
            parts.Add($"{Failures.Count} user(s) got no verdict: " + string.Join("; ",
                Failures.Take(10).Select(f => $"{f.User.UserName} ({f.Cause})")) + (Failures.Count > 10 ? $"; and {Failures.Count - 10} more" : string.Empty));
        }
        if (Unreported.Count > 0)
        {
            parts.Add($"{Unreported.Count} evaluation(s) were refused by PutEvaluations after retries: " +
                string.Join(", ", Unreported.Take(10).Select(e => e.ResourceId)));
        }
        return string.Join(". ", parts);
    }
}

using MfaConfigRule.Compliance;

namespace MfaConfigRule.Iam;

/// <summary>What a sweep found, with what it cost, for the log line and the claims in docs/benchmarks.md.</summary>
internal sealed record SweepResult(
    IReadOnlyList<Assessment> Assessments,
    IReadOnlyList<AssessmentFailure> Failures,
    IReadOnlySet<string> UserIds,
    SweepStats Stats);

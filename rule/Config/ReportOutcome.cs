using MfaConfigRule.Compliance;

namespace MfaConfigRule.Config;

/// <summary>What reached Config and what did not, after every retry.</summary>
internal sealed record ReportOutcome(int Sent, int Calls, IReadOnlyList<Evaluation> Unreported);

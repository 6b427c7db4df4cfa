using MfaConfigRule.Compliance;

namespace MfaConfigRule.Iam;

/// <summary>A user that got no verdict in this run, and why (an AWS error after retries, or the deadline).</summary>
internal sealed record AssessmentFailure(IamUser User, string Cause);

using MfaConfigRule.Compliance;

namespace MfaConfigRule.Tests;

public sealed class EvaluatorTests
{
    [Fact]
    public void Evaluate_PasswordWithoutMfa_IsNonCompliant()
    {
        var now = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        var user = new IamUser("AIDAEXAMPLE1", "alice", "arn:aws:iam::123456789012:user/alice", "/", now.AddDays(-30));
        var state = new UserCredentialState(user, new PasswordEvidence(true, now.AddDays(-3), EvidenceSource.Live), MfaEvidence.Live([]), new Dictionary<string, string>());

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.True(assessment.IsFinal);
    }
}

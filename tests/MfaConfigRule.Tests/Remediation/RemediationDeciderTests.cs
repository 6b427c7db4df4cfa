using CsCheck;
using MfaConfigRule.Compliance;
using MfaConfigRule.Contract;
using MfaConfigRule.Remediation;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Remediation;

public sealed class RemediationDeciderTests
{
    private static Assessment Assess(UserCredentialState state, string parameters = "{}") =>
        Evaluator.Evaluate(state, Parameters(parameters), Now);

    [Fact]
    public void Decide_LivePasswordWithoutMfa_AppliesTheAction()
    {
        var decision = RemediationDecider.Decide(Assess(PasswordWithoutMfa()), RemediationAction.EnforceMfa, enforcementAttached: false);

        Assert.Equal(RemediationStep.Apply, decision.Step);
        Assert.Equal(RemediationOutcome.Remediated, decision.Outcome);
    }

    [Fact]
    public void Decide_NonCompliantWithThePolicyAlreadyAttached_ChangesNothingAndSaysSo()
    {
        var decision = RemediationDecider.Decide(Assess(PasswordWithoutMfa()), RemediationAction.EnforceMfa, enforcementAttached: true);

        Assert.Equal(RemediationStep.None, decision.Step);
        Assert.Equal(RemediationOutcome.AlreadyRemediated, decision.Outcome);
    }

    [Fact]
    public void Decide_CompliantWithThePolicyAttached_LiftsIt()
    {
        var state = LiveState(User("alice"), Now.AddDays(-3), [Virtual("alice")]);

        var decision = RemediationDecider.Decide(Assess(state), RemediationAction.EnforceMfa, enforcementAttached: true);

        Assert.Equal(RemediationStep.Lift, decision.Step);
    }

    [Fact]
    public void Decide_InsideTheGracePeriod_LeavesTheUserAlone()
    {
        var state = LiveState(User("alice"), Now.AddHours(-1), []);

        var decision = RemediationDecider.Decide(Assess(state, """{"GracePeriodHours":"48"}"""), RemediationAction.DisableConsoleAccess, enforcementAttached: false);

        Assert.Equal(RemediationStep.None, decision.Step);
        Assert.Equal(RemediationOutcome.InGracePeriod, decision.Outcome);
    }

    [Fact]
    public void Decide_VerdictFromTheCredentialReportOnly_CannotBeConfirmedAndChangesNothing()
    {
        var state = new UserCredentialState(User("alice"), ReportPassword(), MfaEvidence.FromReport(false), NoTags);

        var decision = RemediationDecider.Decide(Assess(state), RemediationAction.EnforceMfa, enforcementAttached: false);

        Assert.Equal(RemediationStep.None, decision.Step);
        Assert.Equal(RemediationOutcome.CannotConfirm, decision.Outcome);
    }

    private static readonly Gen<UserCredentialState> GenState = Gen.Select(
        Gen.Bool, Gen.Int[-24 * 40, 0], Gen.Int[0, 2], Gen.OneOf(EvidenceSource.Live, EvidenceSource.CredentialReport),
        Gen.OneOf<IReadOnlyDictionary<string, string>?>(null, NoTags, Tags(("mfa-exempt-until", "2026-12-31"))),
        (password, hours, devices, source, tags) => new UserCredentialState(
            User("alice"),
            password ? new PasswordEvidence(true, Now.AddHours(hours), source) : PasswordEvidence.None(source),
            devices == 0 ? new MfaEvidence([], false, source) : new MfaEvidence(devices == 1 ? [Virtual("alice")] : [Hardware()], false, source),
            tags));

    [Fact]
    public void Decide_AnyStateAnyParameters_AppliesOnlyToAConfirmedNonCompliantUserOutsideGrace()
    {
        Gen.Select(GenState, Gen.OneOf("{}", """{"GracePeriodHours":"72"}""", """{"AllowedMfaTypes":"fido"}""", """{"ExemptUserNames":"alice"}"""),
                Gen.Bool, Gen.OneOf(RemediationAction.EnforceMfa, RemediationAction.DisableConsoleAccess))
            .Sample((state, parameters, attached, action) =>
            {
                var assessment = Assess(state, parameters);
                var decision = RemediationDecider.Decide(assessment, action, attached);
                if (decision.Step == RemediationStep.Apply)
                {
                    Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
                    Assert.True(assessment.IsFinal);
                    Assert.Equal(EvidenceSource.Live, state.Password.Source);
                    Assert.Equal(EvidenceSource.Live, state.Mfa.Source);
                    Assert.Null(assessment.GraceEndsAt);
                    Assert.Null(assessment.Exemption);
                    Assert.False(action == RemediationAction.EnforceMfa && attached);
                }
                if (decision.Step == RemediationStep.Lift)
                {
                    Assert.True(attached);
                    Assert.NotEqual(ComplianceType.NonCompliant, assessment.Compliance);
                    Assert.True(assessment.IsFinal);
                }
            });
    }
}

using MfaConfigRule.ConfigEvents;
using MfaConfigRule.Organization;

namespace MfaConfigRule.Tests.Organization;

public sealed class MemberEventCheckTests
{
    private const string Member = "222222222222";

    private static ConfigEvent Event(string? accountId = Member, string? ruleArn = $"arn:aws:config:eu-west-1:{Member}:config-rule/config-rule-abc123",
        string? roleArn = $"arn:aws:iam::{Member}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig") =>
        new(new InvokingEvent(InvokingEvent.Scheduled, DateTimeOffset.UnixEpoch, null), null, "token", false, roleArn, ruleArn, "mfa-rule", accountId);

    [Fact]
    public void Admit_OneAccountThroughout_TargetsThatAccountInTheRulesRegion()
    {
        var admission = MemberEventCheck.Admit(Event());

        Assert.True(admission.Admitted, admission.Reason);
        Assert.Equal(new MemberTarget(Member, "eu-west-1", "aws"), admission.Target);
    }

    [Fact]
    public void Admit_RuleArnOfAnotherAccount_IsRefusedNamingBoth()
    {
        var admission = MemberEventCheck.Admit(Event(ruleArn: "arn:aws:config:eu-west-1:333333333333:config-rule/config-rule-abc123"));

        Assert.False(admission.Admitted);
        Assert.Contains("333333333333", admission.Reason, StringComparison.Ordinal);
        Assert.Contains(Member, admission.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Admit_ExecutionRoleOfAnotherAccount_IsRefused()
    {
        var admission = MemberEventCheck.Admit(Event(roleArn: "arn:aws:iam::333333333333:role/config-role"));

        Assert.False(admission.Admitted);
        Assert.Contains("executionRoleArn", admission.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("22222222222a")]
    public void Admit_NoUsableAccountId_IsRefused(string? accountId)
    {
        Assert.False(MemberEventCheck.Admit(Event(accountId: accountId)).Admitted);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("arn:aws:lambda:eu-west-1:222222222222:function:x")]
    [InlineData("not an arn")]
    public void Admit_NoConfigRuleArn_IsRefused(string? ruleArn)
    {
        Assert.False(MemberEventCheck.Admit(Event(ruleArn: ruleArn)).Admitted);
    }

    [Fact]
    public void Admit_NoExecutionRoleArn_IsAdmittedOnTheRuleArnAlone()
    {
        Assert.True(MemberEventCheck.Admit(Event(roleArn: null)).Admitted);
    }
}

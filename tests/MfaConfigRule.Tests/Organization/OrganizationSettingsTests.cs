using MfaConfigRule.Contract;
using MfaConfigRule.Tests.TestDoubles;

namespace MfaConfigRule.Tests.Organization;

public sealed class OrganizationSettingsTests
{
    [Fact]
    public void FromEnvironment_NoMemberRole_IsSingleAccountMode()
    {
        Assert.Null(OrganizationSettings.FromEnvironment(new FakeEnvironmentVariables(("MFA_RULE_MEMBER_ACCOUNTS", "111111111111"))));
    }

    [Fact]
    public void FromEnvironment_RoleOnly_AdmitsTheWholeOrganization()
    {
        var settings = OrganizationSettings.FromEnvironment(new FakeEnvironmentVariables(("MFA_RULE_MEMBER_ROLE_NAME", "MfaRuleMember")))!;

        Assert.Equal("arn:aws:iam::222222222222:role/MfaRuleMember", settings.Role.ArnIn("aws", "222222222222"));
        Assert.Null(settings.Role.ExternalId);
        Assert.Null(settings.AllowedAccountIds);
    }

    [Fact]
    public void FromEnvironment_AllowListAndExternalId_AreRead()
    {
        var settings = OrganizationSettings.FromEnvironment(new FakeEnvironmentVariables(
            ("MFA_RULE_MEMBER_ROLE_NAME", "MfaRuleMember"), ("MFA_RULE_MEMBER_ROLE_EXTERNAL_ID", "o-abc123def4"),
            ("MFA_RULE_MEMBER_ACCOUNTS", "111111111111, 222222222222")))!;

        Assert.Equal("o-abc123def4", settings.Role.ExternalId);
        Assert.Equal(["111111111111", "222222222222"], settings.AllowedAccountIds!.Order());
    }

    [Theory]
    [InlineData("MFA_RULE_MEMBER_ACCOUNTS", "111111111111,12")]
    [InlineData("MFA_RULE_MEMBER_ROLE_NAME", "role with spaces")]
    [InlineData("MFA_RULE_MEMBER_ROLE_EXTERNAL_ID", "x")]
    public void FromEnvironment_BadValue_IsAnErrorNamingIt(string variable, string value)
    {
        var environment = new FakeEnvironmentVariables(("MFA_RULE_MEMBER_ROLE_NAME", "MfaRuleMember"));
        environment.Set(variable, value);

        var error = Assert.Throws<OrganizationSettingsException>(() => OrganizationSettings.FromEnvironment(environment));

        Assert.Contains(variable == "MFA_RULE_MEMBER_ACCOUNTS" ? "12" : variable == "MFA_RULE_MEMBER_ROLE_NAME" ? value : "external ID", error.Message, StringComparison.Ordinal);
    }
}

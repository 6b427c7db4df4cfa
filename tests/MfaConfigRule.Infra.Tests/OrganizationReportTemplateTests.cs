using System.Text.Json;
using Amazon.CDK;
using MfaConfigRule.Infra.Constructs.Organization;
using MfaConfigRule.Infra.Settings;
using MfaConfigRule.Infra.Stacks;

namespace MfaConfigRule.Infra.Tests;

/// <summary>The least-privilege policy of <c>report --aggregator</c> in the Organization stack, attached to the operator's role on request.</summary>
public sealed class OrganizationReportTemplateTests
{
    private static MfaConfigRuleOrganizationStack Build(string? roleArn = null)
    {
        var context = new Dictionary<string, object>
        {
            [OrganizationDeployment.DeploymentKey] = OrganizationDeployment.Organization,
            [OrganizationDeployment.OrganizationalUnitIdsKey] = "ou-ab12-cdef3456",
        };
        if (roleArn is not null) context[OrganizationDeployment.ReportRoleArnKey] = roleArn;
        var app = new App(new AppProps { Context = context });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");
        var organization = OrganizationDeployment.FromContext(app.Node, settings)!;
        return MfaRuleApp.AddOrganizationStack(app, settings, organization, SynthesizedApp.StandInCode);
    }

    [Fact]
    public void ReportPolicy_ReadsOnlyThisAggregator_AndListsAccounts_AndIsAnOutput()
    {
        var stack = Build();
        var template = SynthesizedApp.Json(stack);
        var aggregator = SynthesizedApp.LogicalId(stack.Aggregator.Aggregator);

        var (_, policy) = Assert.Single(Cfn.Resources(template, "AWS::IAM::ManagedPolicy"), p => p.Resource.GetProperty("Properties").GetProperty("ManagedPolicyName").GetString() == OrganizationReportAccess.PolicyName);
        var properties = policy.GetProperty("Properties");
        var statements = Cfn.Statements(properties.GetProperty("PolicyDocument")).ToList();

        Assert.Equal(2, statements.Count);
        Assert.All(statements, s => Assert.Equal("Allow", s.GetProperty("Effect").GetString()));
        Assert.Equal(OrganizationReportAccess.AggregatorActions.Order(StringComparer.Ordinal), Cfn.Strings(statements[0].GetProperty("Action")).Order(StringComparer.Ordinal));
        Assert.Equal($$"""{"Fn::GetAtt":["{{aggregator}}","ConfigurationAggregatorArn"]}""", statements[0].GetProperty("Resource").GetRawText().Replace(" ", string.Empty, StringComparison.Ordinal));
        Assert.Equal(["organizations:ListAccounts"], Cfn.Strings(statements[1].GetProperty("Action")));
        Assert.Equal("*", statements[1].GetProperty("Resource").GetString());
        Assert.False(properties.TryGetProperty("Roles", out _));
        Assert.True(template.GetProperty("Outputs").TryGetProperty(MfaConfigRuleOrganizationStack.ReportPolicyArnOutput, out _));
    }

    [Fact]
    public void ReportRoleArn_GetsThePolicyAttached_ByRoleName()
    {
        var template = SynthesizedApp.Json(Build("arn:aws:iam::123456789012:role/security/SecurityLead"));

        var (_, policy) = Assert.Single(Cfn.Resources(template, "AWS::IAM::ManagedPolicy"), p => p.Resource.GetProperty("Properties").GetProperty("ManagedPolicyName").GetString() == OrganizationReportAccess.PolicyName);

        Assert.Equal(["SecurityLead"], Cfn.Strings(policy.GetProperty("Properties").GetProperty("Roles")));
    }

    [Theory]
    [InlineData("SecurityLead")]
    [InlineData("arn:aws:iam::123456789012:user/alice")]
    [InlineData("arn:aws:iam::12345:role/SecurityLead")]
    public void ReportRoleArn_NotARoleArn_IsRejectedNamingTheKey(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => Build(value));

        Assert.Contains(OrganizationDeployment.ReportRoleArnKey, error.Message, StringComparison.Ordinal);
    }
}

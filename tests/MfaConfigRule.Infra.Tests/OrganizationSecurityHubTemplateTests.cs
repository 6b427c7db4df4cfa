using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using MfaConfigRule.Infra.Settings;
using MfaConfigRule.Infra.Stacks;
using Match = Amazon.CDK.Assertions.Match;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// The Organization deployment with the direct Security Hub export: every account's member role (the StackSet's and the
/// management account's own) may import findings into that account's default product only, before its rule exists, and
/// only with the option on; the central function has the export switched on. The rule parameters reach every member's
/// rule exactly as the single-account rule gets them.
/// </summary>
public sealed class OrganizationSecurityHubTemplateTests
{
    private const string ImportOwnFindings = "securityhub:BatchImportFindings on arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default";

    private static Dictionary<string, object> Context(params (string Key, object Value)[] extra)
    {
        var context = new Dictionary<string, object>
        {
            [OrganizationDeployment.DeploymentKey] = OrganizationDeployment.Organization,
            [OrganizationDeployment.OrganizationalUnitIdsKey] = "ou-ab12-cdef3456",
        };
        foreach (var (key, value) in extra) context[key] = value;
        return context;
    }

    private static MfaConfigRuleOrganizationStack Build(Dictionary<string, object> context)
    {
        var app = new App(new AppProps { Context = context });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");
        var organization = OrganizationDeployment.FromContext(app.Node, settings)!;
        return MfaRuleApp.AddOrganizationStack(app, settings, organization, SynthesizedApp.StandInCode);
    }

    private static MfaConfigRuleOrganizationStack Direct(string? severity = null) => Build(severity is null
        ? Context((SecurityHubFindingsSettings.FindingsKey, "direct"))
        : Context((SecurityHubFindingsSettings.FindingsKey, "direct"), (SecurityHubFindingsSettings.SeverityKey, severity)));

    private static JsonElement MemberJson(MfaConfigRuleOrganizationStack stack) => JsonDocument.Parse(stack.Members.TemplateBody).RootElement;

    private static IEnumerable<string> SecurityHubGrants(JsonElement template, string role) =>
        Cfn.GrantsOfRole(template, role).Where(g => g.StartsWith("securityhub:", StringComparison.Ordinal));

    [Fact]
    public void MemberTemplate_Direct_MemberRoleMayImportIntoItsOwnAccountsDefaultProductOnly()
    {
        var member = MemberJson(Direct());
        var role = Assert.Single(Cfn.Resources(member, "AWS::IAM::Role"),
            r => r.Resource.GetProperty("Properties").TryGetProperty("RoleName", out var name) && name.GetString() == "MfaConfigRule-Member").LogicalId;

        Assert.Equal([ImportOwnFindings], SecurityHubGrants(member, role));
        // No other role of the member template may import findings.
        Assert.All(Cfn.Resources(member, "AWS::IAM::Role").Where(r => r.LogicalId != role), r => Assert.Empty(SecurityHubGrants(member, r.LogicalId)));
    }

    [Fact]
    public void MemberTemplate_Direct_ThePermissionExistsBeforeTheRuleWhoseFirstSweepExports()
    {
        var member = MemberJson(Direct());
        var rule = Assert.Single(Cfn.Resources(member, "AWS::Config::ConfigRule")).LogicalId;
        var policy = Assert.Single(Cfn.Resources(member, "AWS::IAM::Policy"), p => p.Resource.GetRawText().Contains("securityhub:", StringComparison.Ordinal)).LogicalId;

        Assert.True(Cfn.CreatedBefore(member, policy, rule), $"{policy} is not created before {rule}");
    }

    [Fact]
    public void ManagementAccountsOwnMemberPieces_Direct_SameSinglePermissionBeforeItsRule()
    {
        var stack = Direct();
        var admin = SynthesizedApp.Json(stack);
        var role = SynthesizedApp.LogicalId(stack.OwnAccount!.Role);
        var rule = SynthesizedApp.LogicalId(stack.OwnAccount!.Rule);
        var policy = Assert.Single(Cfn.Resources(admin, "AWS::IAM::Policy"), p => p.Resource.GetRawText().Contains("securityhub:", StringComparison.Ordinal)).LogicalId;

        Assert.Equal([ImportOwnFindings], SecurityHubGrants(admin, role));
        Assert.True(Cfn.CreatedBefore(admin, policy, rule), $"{policy} is not created before {rule}");
    }

    [Fact]
    public void CentralFunction_Direct_HasTheExportSwitchedOnWithTheSeverity()
    {
        Template.FromStack(Direct("critical")).HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "evaluate",
            ["Environment"] = new Dictionary<string, object>
            {
                ["Variables"] = Match.ObjectLike(new Dictionary<string, object>
                {
                    ["MFA_RULE_MEMBER_ROLE_NAME"] = "MfaConfigRule-Member",
                    ["SECURITY_HUB_FINDINGS"] = "direct",
                    ["SECURITY_HUB_FAILED_SEVERITY"] = "CRITICAL",
                }),
            },
        });
    }

    [Fact]
    public void CentralRole_Direct_GetsNoSecurityHubPermission()
    {
        var stack = Direct();

        Assert.Empty(SecurityHubGrants(SynthesizedApp.Json(stack), SynthesizedApp.LogicalId(stack.Central.EvaluateFunction.Role)));
    }

    [Fact]
    public void Defaults_NoSecurityHubPermissionOrSwitchInTheAdminStackOrTheMemberTemplate()
    {
        var stack = Build(Context());

        Assert.DoesNotContain("securityhub:", stack.Members.TemplateBody, StringComparison.Ordinal);
        Assert.DoesNotContain("securityhub:", SynthesizedApp.Json(stack).GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECURITY_HUB_FINDINGS", SynthesizedApp.Json(stack).GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void RuleParameters_ReachEveryMembersRuleAsTheSingleAccountRuleGetsThem()
    {
        const string parameters = """{"ReportChangesOnly":"true","RefreshDays":"14","ExemptUserNames":"break-glass","AllowedMfaTypes":"fido","GracePeriodHours":"48"}""";
        var organization = Build(Context((RuleSettings.ParametersKey, parameters)));
        var single = SynthesizedApp.Create(new Dictionary<string, object> { [RuleSettings.ParametersKey] = parameters });
        var expected = Cfn.Single(single.RuleTemplateJson, "AWS::Config::ConfigRule").GetProperty("Properties").GetProperty("InputParameters").GetRawText();

        var member = Cfn.Single(MemberJson(organization), "AWS::Config::ConfigRule").GetProperty("Properties").GetProperty("InputParameters");
        var own = Cfn.Single(SynthesizedApp.Json(organization), "AWS::Config::ConfigRule").GetProperty("Properties").GetProperty("InputParameters");

        Assert.Equal(expected, member.GetRawText());
        Assert.Equal(expected, own.GetRawText());
        Assert.Equal("true", member.GetProperty("ReportChangesOnly").GetString());
        Assert.Equal("14", member.GetProperty("RefreshDays").GetString());
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using MfaConfigRule.Infra.Settings;
using MfaConfigRule.Infra.Stacks;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// The Organization deployment's cross-account hop through a real IAM policy evaluator (@cloud-copilot/iam-simulate, as
/// infra/check-templates.sh runs it on every Organization variant): the central role may assume only the member role and
/// only in the Organization's accounts; the member role admits only the central role, with the external ID, from the
/// Organization.
/// </summary>
public sealed class OrganizationCrossAccountTests
{
    private const string Script = "infra/organization/check-cross-account-access.js";

    private static IEnumerable<string> OrganizationVariantNames => TemplateVariants.All
        .Where(v => v.Context.GetValueOrDefault(OrganizationDeployment.DeploymentKey) == OrganizationDeployment.Organization && !TemplateVariants.IsPerAccount(v.Context))
        .Select(v => v.Name);

    public static TheoryData<string> OrganizationVariants => new(OrganizationVariantNames);

    [Fact]
    public void Variants_CoverTheManagementAccountAndADelegatedAdministrator()
    {
        var administrators = OrganizationVariantNames.Select(v => Build(v).Administrator).Distinct().Order();

        Assert.Equal(new[] { OrganizationAdministrator.Management, OrganizationAdministrator.Delegated }, administrators);
    }

    [Theory]
    [MemberData(nameof(OrganizationVariants))]
    public async Task CrossAccountAccess_EveryOrganizationVariant_DecidesEveryRowAsTheReadmeSays(string variant)
    {
        var stack = Build(variant).Stack;

        var (exitCode, stdout, stderr) = await CheckAsync(SynthesizedApp.Json(stack).GetRawText(), stack.Members.TemplateBody);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("decisions checked, 0 wrong", stdout, StringComparison.Ordinal);
    }

    /// <summary>The check can tell a hop with the Organization conditions from one without: it is not a table that always passes.</summary>
    [Fact]
    public async Task CrossAccountAccess_WithoutTheOrganizationConditions_IsCaughtByTheCheck()
    {
        var stack = Build("organization").Stack;
        var admin = JsonNode.Parse(SynthesizedApp.Json(stack).GetRawText())!;
        var member = JsonNode.Parse(stack.Members.TemplateBody)!;
        var removed = RemoveConditionKey(admin, "aws:ResourceOrgID") + RemoveConditionKey(member, "aws:PrincipalOrgID");

        var (exitCode, stdout, stderr) = await CheckAsync(admin.ToJsonString(), member.ToJsonString());

        // Both central roles (evaluate, trigger) and both member trust statements carry one each.
        Assert.Equal(4, removed);
        Assert.Equal(1, exitCode);
        Assert.Contains("central policy: member role name in a foreign account: expected ImplicitlyDenied, got Allowed", stderr, StringComparison.Ordinal);
        Assert.Contains("member trust: central role whose account left the Organization: expected ImplicitlyDenied, got Allowed", stderr, StringComparison.Ordinal);
        Assert.Contains("4 wrong", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemediationPath_DecidedForTheMembersAutomationRoleTheInvokerRoleAndAgainstEveryoneElse()
    {
        var stack = Build("organization-remediation").Stack;

        var (exitCode, stdout, stderr) = await CheckAsync(SynthesizedApp.Json(stack).GetRawText(), stack.Members.TemplateBody);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("37 decisions checked, 0 wrong (16 of them on the remediation path: the invoker role and the central remediate function) (9 of them on the forwarders' heartbeat path)", stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// Without aws:PrincipalArn on the invoker role's trust, any role of an Organization account could become the invoker,
    /// and without aws:PrincipalOrgID a role of that name in any account: the check sees each.
    /// </summary>
    [Theory]
    [InlineData("aws:PrincipalArn", 2, "invoker trust: another role of a member account: expected ImplicitlyDenied, got Allowed")]
    [InlineData("aws:PrincipalOrgID", 2, "invoker trust: a role of the Automation role's name in a foreign Organization: expected ImplicitlyDenied, got Allowed")]
    public async Task RemediationPath_InvokerTrustWithoutOneOfItsConditions_IsCaughtByTheCheck(string key, int wrong, string caught)
    {
        var stack = Build("organization-remediation").Stack;
        var admin = JsonNode.Parse(SynthesizedApp.Json(stack).GetRawText())!;
        var invoker = admin["Resources"]!.AsObject().Single(r => r.Value!["Properties"]?["RoleName"]?.GetValue<string>() == "MfaConfigRule-RemediationInvoker").Value!;
        var removed = RemoveConditionKey(invoker, key);

        var (exitCode, stdout, stderr) = await CheckAsync(admin.ToJsonString(), stack.Members.TemplateBody);

        Assert.Equal(1, removed);
        Assert.Equal(1, exitCode);
        Assert.Contains(caught, stderr, StringComparison.Ordinal);
        Assert.Contains($"{wrong} wrong", stdout, StringComparison.Ordinal);
    }

    /// <summary>The Organization-wide permission the invoker role replaced (Principal "*" with PrincipalOrgID) is what the check now refuses.</summary>
    [Fact]
    public async Task RemediationPath_TheOldOrganizationWidePermission_IsCaughtByTheCheck()
    {
        var stack = Build("organization-remediation").Stack;
        var admin = JsonNode.Parse(SynthesizedApp.Json(stack).GetRawText())!;
        var function = admin["Resources"]!.AsObject().Single(r => r.Value!["Type"]!.GetValue<string>() == "AWS::Lambda::Function"
            && r.Value["Properties"]!["Handler"]!.GetValue<string>() == "remediate").Key;
        var organizationId = admin["Resources"]!.AsObject().Single(r => r.Value!["Type"]!.GetValue<string>() == "Custom::OrganizationId").Key;
        admin["Resources"]!["OrganizationInvokePermission"] = new JsonObject
        {
            ["Type"] = "AWS::Lambda::Permission",
            ["Properties"] = new JsonObject
            {
                ["Action"] = "lambda:InvokeFunction",
                ["FunctionName"] = new JsonObject { ["Fn::GetAtt"] = new JsonArray(function, "Arn") },
                ["Principal"] = "*",
                ["PrincipalOrgID"] = new JsonObject { ["Fn::GetAtt"] = new JsonArray(organizationId, "Id") },
            },
        };

        var (exitCode, stdout, stderr) = await CheckAsync(admin.ToJsonString(), stack.Members.TemplateBody);

        Assert.Equal(1, exitCode);
        Assert.Contains("invoke: a member's Automation role directly, even allowed everything by its own policy: expected ImplicitlyDenied, got Allowed", stderr, StringComparison.Ordinal);
        Assert.Contains("invoke: an administrator of a member account: expected ImplicitlyDenied, got Allowed", stderr, StringComparison.Ordinal);
        Assert.Contains("3 wrong", stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// The members' forwarder heartbeat path (issue 19 (b)), decided by the simulator: without the SourceArn condition on
    /// the member's forward role trust, EventBridge could assume it for any rule of the member, and the check says so.
    /// </summary>
    [Fact]
    public async Task Heartbeat_WithoutTheForwardRoleSourceArnCondition_IsCaughtByTheCheck()
    {
        var stack = Build("organization").Stack;
        var member = JsonNode.Parse(stack.Members.TemplateBody)!;
        var removed = RemoveConditionKey(member, "aws:SourceArn");

        var (exitCode, stdout, stderr) = await CheckAsync(SynthesizedApp.Json(stack).GetRawText(), member.ToJsonString());

        Assert.True(removed >= 1);
        Assert.Equal(1, exitCode);
        Assert.Contains("heartbeat: EventBridge assumes the forward role for another rule of the member: expected ImplicitlyDenied, got Allowed", stderr, StringComparison.Ordinal);
        Assert.Contains("(9 of them on the forwarders' heartbeat path)", stdout, StringComparison.Ordinal);
    }

    private static (MfaConfigRuleOrganizationStack Stack, OrganizationAdministrator Administrator) Build(string variant)
    {
        var context = TemplateVariants.All.Single(v => v.Name == variant).Context.ToDictionary(p => p.Key, p => (object)p.Value, StringComparer.Ordinal);
        var app = new App(new AppProps { Context = context });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, defaultRegion: null);
        var organization = OrganizationDeployment.FromContext(app.Node, settings)!;
        return (MfaRuleApp.AddOrganizationStack(app, settings, organization, SynthesizedApp.StandInCode), organization.Administrator);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> CheckAsync(string adminTemplate, string memberTemplate)
    {
        var directory = Directory.CreateTempSubdirectory("mfa-cross-account-");
        try
        {
            var adminFile = Path.Combine(directory.FullName, "admin.template.json");
            var memberFile = Path.Combine(directory.FullName, "member.template.json");
            await File.WriteAllTextAsync(adminFile, adminTemplate);
            await File.WriteAllTextAsync(memberFile, memberTemplate);
            return await NodeScript.RunAsync(Script, adminFile, memberFile);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Drops a condition key from every statement of every policy in the template; returns how many it dropped.</summary>
    private static int RemoveConditionKey(JsonNode node, string key)
    {
        var removed = 0;
        switch (node)
        {
            case JsonObject obj:
                if (obj["Condition"] is JsonObject condition)
                {
                    foreach (var (_, keys) in condition.ToList())
                    {
                        if (keys is JsonObject operands && operands.Remove(key)) removed++;
                    }
                }
                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null) removed += RemoveConditionKey(child, key);
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null) removed += RemoveConditionKey(child, key);
                }
                break;
        }
        return removed;
    }
}

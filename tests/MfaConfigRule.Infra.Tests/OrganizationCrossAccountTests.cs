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
    public async Task RemediateInvoke_DecidedForTheMembersAutomationRoleAndAgainstForeignPrincipals()
    {
        var stack = Build("organization-remediation").Stack;

        var (exitCode, stdout, stderr) = await CheckAsync(SynthesizedApp.Json(stack).GetRawText(), stack.Members.TemplateBody);

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("18 decisions checked, 0 wrong (6 of them lambda:InvokeFunction on the central remediate function)", stdout, StringComparison.Ordinal);
    }

    /// <summary>Without PrincipalOrgID on the remediate function's permission, the check sees principals outside the Organization get in.</summary>
    [Fact]
    public async Task RemediateInvoke_WithoutThePrincipalOrgIdCondition_IsCaughtByTheCheck()
    {
        var stack = Build("organization-remediation").Stack;
        var admin = JsonNode.Parse(SynthesizedApp.Json(stack).GetRawText())!;
        var removed = admin["Resources"]!.AsObject()
            .Select(r => r.Value!.AsObject())
            .Count(r => r["Type"]!.GetValue<string>() == "AWS::Lambda::Permission" && r["Properties"]!.AsObject().Remove("PrincipalOrgID"));

        var (exitCode, stdout, stderr) = await CheckAsync(admin.ToJsonString(), stack.Members.TemplateBody);

        Assert.Equal(1, removed);
        Assert.Equal(1, exitCode);
        Assert.Contains("invoke: an administrator of a foreign Organization: expected ImplicitlyDenied, got Allowed", stderr, StringComparison.Ordinal);
        Assert.Contains("invoke: an administrator of an account in no Organization: expected ImplicitlyDenied, got Allowed", stderr, StringComparison.Ordinal);
        Assert.Contains("2 wrong", stdout, StringComparison.Ordinal);
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

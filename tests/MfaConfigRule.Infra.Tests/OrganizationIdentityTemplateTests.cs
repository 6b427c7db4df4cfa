using System.Text.Json;
using Amazon.CDK;
using MfaConfigRule.Infra.Constructs.Organization;
using MfaConfigRule.Infra.Settings;
using MfaConfigRule.Infra.Stacks;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// The Organization's ID, read at deploy time by the app's custom resource (infra/custom-resource/index.js), and the
/// values members get from the admin account: what the conditions naming the Organization rest on.
/// </summary>
public sealed class OrganizationIdentityTemplateTests
{
    private readonly MfaConfigRuleOrganizationStack _stack = Build();

    private static MfaConfigRuleOrganizationStack Build(params IOrganizationMemberPart[] parts)
    {
        var app = new App(new AppProps
        {
            Context = new Dictionary<string, object>
            {
                [OrganizationDeployment.DeploymentKey] = OrganizationDeployment.Organization,
                [OrganizationDeployment.OrganizationalUnitIdsKey] = "ou-ab12-cdef3456",
            },
        });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");
        var organization = OrganizationDeployment.FromContext(app.Node, settings)!;
        return new MfaConfigRuleOrganizationStack(app, MfaRuleApp.OrganizationStackName, new MfaConfigRuleOrganizationStackProps
        {
            Env = new Amazon.CDK.Environment { Account = settings.Account, Region = settings.Region },
            Code = SynthesizedApp.StandInCode,
            Settings = settings,
            Organization = organization,
            MemberParts = parts,
        });
    }

    private static JsonElement Resource(JsonElement template, string logicalId) =>
        template.GetProperty("Resources").GetProperty(logicalId);

    [Fact]
    public void OrganizationId_IsTheCustomResourceOnTheTestedInlineHandlerAllowedOnlyDescribeOrganization()
    {
        var template = SynthesizedApp.Json(_stack);
        var resource = Resource(template, SynthesizedApp.LogicalId(_stack.Identity.Resource));
        Assert.Equal(OrganizationIdentity.ResourceType, resource.GetProperty("Type").GetString());
        Assert.Equal("${" + SynthesizedApp.LogicalId(_stack.Identity.Provider) + ".Arn}", Cfn.Render(resource.GetProperty("Properties").GetProperty("ServiceToken")));

        var provider = Resource(template, SynthesizedApp.LogicalId(_stack.Identity.Provider)).GetProperty("Properties");
        var tested = File.ReadAllText(Path.Combine(SynthesizedApp.RepositoryRoot(), "infra", "custom-resource", "index.js"));
        Assert.Equal(tested, provider.GetProperty("Code").GetProperty("ZipFile").GetString());

        var role = SynthesizedApp.LogicalId(_stack.Identity.ProviderRole);
        var actions = template.GetProperty("Resources").EnumerateObject()
            .Where(r => r.Value.GetProperty("Type").GetString() == "AWS::IAM::Policy"
                && r.Value.GetProperty("Properties").GetProperty("Roles").EnumerateArray().Any(x => Cfn.Render(x) == "${" + role + "}"))
            .SelectMany(r => r.Value.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray())
            .SelectMany(s => s.GetProperty("Action").ValueKind == JsonValueKind.Array ? s.GetProperty("Action").EnumerateArray().Select(a => a.GetString()!) : [s.GetProperty("Action").GetString()!])
            .Where(a => !a.StartsWith("logs:", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(["organizations:DescribeOrganization"], actions);
        // The read waits for its permission, or the first deploy fails with AccessDenied.
        var rolePolicy = SynthesizedApp.LogicalId(_stack.Identity.ProviderRole.Node.FindChild("DefaultPolicy").Node.DefaultChild!);
        Assert.Contains(resource.GetProperty("DependsOn").EnumerateArray(), d => d.GetString() == rolePolicy);
    }

    [Fact]
    public void MemberTemplate_DeclaresAParameterOnlyForTheCentralValuesItsPiecesUse_AndTheStackSetPassesExactlyThose()
    {
        var stack = Build(new UsesOrganizationId());

        var member = JsonDocument.Parse(stack.Members.TemplateBody).RootElement;
        Assert.Equal(["CentralFunctionArn", "CentralRoleArn", "OrganizationId"], member.GetProperty("Parameters").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("^o-[a-z0-9]{10,32}$", member.GetProperty("Parameters").GetProperty("OrganizationId").GetProperty("AllowedPattern").GetString());

        var stackSet = Cfn.Single(SynthesizedApp.Json(stack), "AWS::CloudFormation::StackSet");
        var passed = stackSet.GetProperty("Properties").GetProperty("Parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("ParameterKey").GetString()!, p => Cfn.Render(p.GetProperty("ParameterValue")));
        Assert.Equal(["CentralFunctionArn", "CentralRoleArn", "OrganizationId"], passed.Keys.Order());
        Assert.Equal("${" + SynthesizedApp.LogicalId(stack.Identity.Resource) + ".Id}", passed["OrganizationId"]);

        // The management account's own pieces get the admin-side value itself, not a parameter.
        var own = SynthesizedApp.Json(stack).GetProperty("Resources").GetProperty(SynthesizedApp.LogicalId(stack.OwnAccount!.Role));
        var tag = Assert.Single(own.GetProperty("Properties").GetProperty("Tags").EnumerateArray(), t => t.GetProperty("Key").GetString() == "organization");
        Assert.Equal("${" + SynthesizedApp.LogicalId(stack.Identity.Resource) + ".Id}", Cfn.Render(tag.GetProperty("Value")));
    }

    [Fact]
    public void AMemberPieceUsingAValueNoPartProvides_FailsTheSynthNamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new UsesUnprovided()));
        Assert.Contains("NotProvided", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A part that tags the member role with the Organization's ID: a stand-in for a condition using it.</summary>
    private sealed class UsesOrganizationId : IOrganizationMemberPart
    {
        public void AddTo(OrganizationMember member) => Tags.Of(member.Role).Add("organization", member.Central(CentralValue.OrganizationId));
    }

    private sealed class UsesUnprovided : IOrganizationMemberPart
    {
        public void AddTo(OrganizationMember member) => Tags.Of(member.Role).Add("x", member.Central(new CentralValue("NotProvided", "nothing", ".*")));
    }
}

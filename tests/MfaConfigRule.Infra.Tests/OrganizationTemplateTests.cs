using System.Text;
using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using MfaConfigRule.Infra.Settings;
using MfaConfigRule.Infra.Stacks;
using Match = Amazon.CDK.Assertions.Match;

namespace MfaConfigRule.Infra.Tests;

/// <summary>The Organization deployment: the admin stack in the management account and the StackSet's member template.</summary>
public sealed class OrganizationTemplateTests
{
    private static readonly string[] Ous = ["ou-ab12-cdef3456", "ou-ab12-7890abcd"];

    private readonly MfaConfigRuleOrganizationStack _stack = Build();

    private static Dictionary<string, object> Context(params (string Key, object Value)[] extra)
    {
        var context = new Dictionary<string, object>
        {
            [OrganizationDeployment.DeploymentKey] = OrganizationDeployment.Organization,
            [OrganizationDeployment.OrganizationalUnitIdsKey] = string.Join(',', Ous),
        };
        foreach (var (key, value) in extra) context[key] = value;
        return context;
    }

    private static MfaConfigRuleOrganizationStack Build(Dictionary<string, object>? context = null)
    {
        var app = new App(new AppProps { Context = context ?? Context() });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");
        var organization = OrganizationDeployment.FromContext(app.Node, settings)!;
        return MfaRuleApp.AddOrganizationStack(app, settings, organization, SynthesizedApp.StandInCode);
    }

    private Template Admin => Template.FromStack(_stack);
    private JsonElement AdminJson => SynthesizedApp.Json(_stack);
    private Template Member => Template.FromString(_stack.Members.TemplateBody);
    private JsonElement MemberJson => JsonDocument.Parse(_stack.Members.TemplateBody).RootElement;
    private string CentralFunction => SynthesizedApp.LogicalId(_stack.Central.EvaluateFunction.Function);
    private string CentralRole => SynthesizedApp.LogicalId(_stack.Central.EvaluateFunction.Role);

    [Theory]
    [InlineData(OrganizationDeployment.ManagementAdministrator, "EnforceMfa")]
    [InlineData(OrganizationDeployment.DelegatedAdministrator, "DisableConsoleAccess")]
    public void EveryCapabilityOn_MemberTemplateStillFitsATemplateBody_AndTheStackSetPassesEveryParameterItDeclares(string administrator, string action)
    {
        var stack = Build(Context(
            (OrganizationDeployment.AdministratorKey, administrator),
            (SecurityHubFindingsSettings.FindingsKey, "direct"),
            (RemediationSettings.ModeKey, "automatic"),
            (RemediationSettings.ActionKey, action)));

        var body = stack.Members.TemplateBody;
        Assert.InRange(Encoding.UTF8.GetByteCount(body), 1, OrganizationMemberStack.MaxTemplateBodyBytes);
        var declared = JsonDocument.Parse(body).RootElement.GetProperty("Parameters").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        var passed = Cfn.Single(SynthesizedApp.Json(stack), "AWS::CloudFormation::StackSet").GetProperty("Properties").GetProperty("Parameters")
            .EnumerateArray().Select(p => p.GetProperty("ParameterKey").GetString()!).Order(StringComparer.Ordinal);
        Assert.Equal(declared, passed);
        Assert.Equal(administrator == OrganizationDeployment.ManagementAdministrator, stack.OwnAccount is not null);
    }

    [Fact]
    public void StackSet_IsServiceManagedWithAutoDeploymentToTheOusInTheRulesRegion()
    {
        Admin.HasResourceProperties("AWS::CloudFormation::StackSet", new Dictionary<string, object>
        {
            ["StackSetName"] = "MfaConfigRule-Members",
            ["PermissionModel"] = "SERVICE_MANAGED",
            ["CallAs"] = "SELF",
            ["AutoDeployment"] = Match.ObjectEquals(new Dictionary<string, object> { ["Enabled"] = true, ["RetainStacksOnAccountRemoval"] = false }),
            ["Capabilities"] = Match.ArrayEquals(new object[] { "CAPABILITY_NAMED_IAM" }),
            ["ManagedExecution"] = Match.ObjectEquals(new Dictionary<string, object> { ["Active"] = true }),
            ["StackInstancesGroup"] = Match.ArrayEquals(new object[]
            {
                new Dictionary<string, object>
                {
                    ["DeploymentTargets"] = Match.ObjectEquals(new Dictionary<string, object> { ["OrganizationalUnitIds"] = Ous }),
                    ["Regions"] = new[] { "eu-west-1" },
                },
            }),
        });
    }

    [Fact]
    public void StackSet_PassesTheCentralFunctionAndRoleAndWaitsForTheInvokePermission()
    {
        var stackSet = Cfn.Single(AdminJson, "AWS::CloudFormation::StackSet");
        var parameters = stackSet.GetProperty("Properties").GetProperty("Parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("ParameterKey").GetString()!, p => Cfn.Render(p.GetProperty("ParameterValue")));

        Assert.Equal("${" + CentralFunction + ".Arn}", parameters["CentralFunctionArn"]);
        Assert.Equal("${" + CentralRole + ".Arn}", parameters["CentralRoleArn"]);
        Assert.Contains(SynthesizedApp.LogicalId(_stack.Central.InvokePermission), Cfn.Strings(stackSet.GetProperty("DependsOn")));
    }

    [Fact]
    public void MemberTemplate_RuleIsANormalCustomLambdaRuleWhoseSourceIsTheCentralFunction()
    {
        Member.HasResourceProperties("AWS::Config::ConfigRule", new Dictionary<string, object>
        {
            ["ConfigRuleName"] = "mfa-enabled-for-iam-console-users",
            ["Source"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Owner"] = "CUSTOM_LAMBDA",
                ["SourceIdentifier"] = new Dictionary<string, object> { ["Ref"] = "CentralFunctionArn" },
            }),
            ["Scope"] = Match.ObjectEquals(new Dictionary<string, object> { ["ComplianceResourceTypes"] = new[] { "AWS::IAM::User" } }),
            ["InputParameters"] = Match.ObjectLike(new Dictionary<string, object> { ["NoPasswordResult"] = "NOT_APPLICABLE" }),
        });
        Member.ResourceCountIs("AWS::Config::OrganizationConfigRule", 0);
    }

    [Fact]
    public void MemberTemplate_RoleTrustsOnlyTheCentralRoleWithTheExternalIdFromTheOrganization()
    {
        Member.HasResourceProperties("AWS::IAM::Role", new Dictionary<string, object>
        {
            ["RoleName"] = "MfaConfigRule-Member",
            ["AssumeRolePolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = Match.ArrayEquals(new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["Effect"] = "Allow",
                        ["Action"] = "sts:AssumeRole",
                        ["Principal"] = new Dictionary<string, object> { ["AWS"] = new Dictionary<string, object> { ["Ref"] = "CentralRoleArn" } },
                        ["Condition"] = new Dictionary<string, object>
                        {
                            ["StringEquals"] = new Dictionary<string, object>
                            {
                                ["sts:ExternalId"] = "mfa-config-rule",
                                ["aws:PrincipalOrgID"] = new Dictionary<string, object> { ["Ref"] = "OrganizationId" },
                            },
                        },
                    },
                    // The central trigger, which re-runs the rule after the account's IAM changes.
                    new Dictionary<string, object>
                    {
                        ["Sid"] = "CentralTrigger",
                        ["Effect"] = "Allow",
                        ["Action"] = "sts:AssumeRole",
                        ["Principal"] = new Dictionary<string, object> { ["AWS"] = new Dictionary<string, object> { ["Ref"] = "CentralTriggerRoleArn" } },
                        ["Condition"] = new Dictionary<string, object>
                        {
                            ["StringEquals"] = new Dictionary<string, object>
                            {
                                ["sts:ExternalId"] = "mfa-config-rule",
                                ["aws:PrincipalOrgID"] = new Dictionary<string, object> { ["Ref"] = "OrganizationId" },
                            },
                        },
                    },
                }),
            }),
        });
    }

    [Fact]
    public void MemberTemplate_RoleMayReadIamAndReportEvaluationsOnly()
    {
        var role = Assert.Single(Cfn.Resources(MemberJson, "AWS::IAM::Role"),
            r => r.Resource.GetProperty("Properties").TryGetProperty("RoleName", out var name) && name.GetString() == "MfaConfigRule-Member").LogicalId;
        var rule = Assert.Single(Cfn.Resources(MemberJson, "AWS::Config::ConfigRule")).LogicalId;

        var grants = Cfn.GrantsOfRole(MemberJson, role);

        Assert.Equal(new SortedSet<string>(StringComparer.Ordinal)
        {
            "cloudtrail:LookupEvents on *",
            "config:GetComplianceDetailsByConfigRule on ${" + rule + ".Arn}",
            "config:GetComplianceDetailsByResource on *",
            "config:StartConfigRulesEvaluation on ${" + rule + ".Arn}",
            "config:GetResourceConfigHistory on *",
            "config:PutEvaluations on *",
            "iam:GenerateCredentialReport on *",
            "iam:GetCredentialReport on *",
            "iam:GetLoginProfile on arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*",
            "iam:GetUser on arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*",
            "iam:ListMFADevices on arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*",
            "iam:ListUserTags on arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*",
            "iam:ListUsers on *",
            "iam:ListVirtualMFADevices on *",
        }, grants);
    }

    [Fact]
    public void MemberTemplate_FitsAStackSetTemplateBodyWithNoAssetAndNoBootstrap()
    {
        var body = _stack.Members.TemplateBody;

        Assert.InRange(Encoding.UTF8.GetByteCount(body), 1, OrganizationMemberStack.MaxTemplateBodyBytes);
        Assert.False(MemberJson.TryGetProperty("Rules", out _), "the member template carries a CDK bootstrap rule");
        Assert.Equal(["CentralFunctionArn", "CentralRoleArn", "CentralTriggerBusArn", "CentralTriggerRoleArn", "OrganizationId"],
            MemberJson.GetProperty("Parameters").EnumerateObject().Select(p => p.Name).Order());
        // The one function, the forwarder's custom resource provider, carries its code inline: nothing to distribute.
        var function = Assert.Single(Cfn.Resources(MemberJson, "AWS::Lambda::Function"));
        Assert.True(function.Resource.GetProperty("Properties").GetProperty("Code").TryGetProperty("ZipFile", out _), "the member's function has code outside the template");
        Assert.DoesNotContain("cdk-hnb659fds", body, StringComparison.Ordinal);
        Assert.DoesNotContain("AWS::CDK::Metadata", body, StringComparison.Ordinal);
    }

    [Fact]
    public void CentralFunction_AssumesOnlyTheMemberRoleAndListsTheOrganization()
    {
        var grants = Cfn.GrantsOfRole(AdminJson, CentralRole);

        // Only member roles of accounts in the Organization the admin stack read at deploy time.
        Assert.Contains("sts:AssumeRole on arn:${AWS::Partition}:iam::*:role/MfaConfigRule-Member when StringEquals aws:ResourceOrgID=${"
            + SynthesizedApp.LogicalId(_stack.Identity.Resource) + ".Id}", grants);
        Assert.DoesNotContain(grants, g => g.StartsWith("sts:", StringComparison.Ordinal) && !g.Contains(" when ", StringComparison.Ordinal));
        Assert.Contains("organizations:ListAccounts on *", grants);
        Assert.DoesNotContain(grants, g => g.StartsWith("iam:", StringComparison.Ordinal) || g.StartsWith("config:", StringComparison.Ordinal));
        Admin.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "evaluate",
            ["Environment"] = new Dictionary<string, object>
            {
                ["Variables"] = Match.ObjectEquals(new Dictionary<string, object>
                {
                    ["MFA_RULE_MEMBER_ROLE_NAME"] = "MfaConfigRule-Member",
                    ["MFA_RULE_MEMBER_ROLE_EXTERNAL_ID"] = "mfa-config-rule",
                    ["MFA_RULE_MEMBER_ACCOUNTS"] = "ORGANIZATION",
                }),
            },
        });
    }

    /// <summary>
    /// SourceAccount would refuse every member; SourceArn cannot name "any account" (CloudFormation's schema wants 12
    /// digits or nothing there); PrincipalOrgID is a key a service principal's request lacks, so it would refuse Config
    /// itself. The function checks the event's account instead (README, "Who may act where").
    /// </summary>
    [Fact]
    public void CentralFunction_ConfigMayInvokeItFromAnyAccountWhichTheFunctionChecks()
    {
        Admin.HasResourceProperties("AWS::Lambda::Permission", new Dictionary<string, object>
        {
            ["Action"] = "lambda:InvokeFunction",
            ["Principal"] = "config.amazonaws.com",
            ["SourceAccount"] = Match.Absent(),
            ["SourceArn"] = Match.Absent(),
            ["PrincipalOrgID"] = Match.Absent(),
            ["FunctionName"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { CentralFunction, "Arn" } },
        });
    }

    [Fact]
    public void ManagementAccount_GetsTheMemberPiecesFromTheAdminStackItself()
    {
        Admin.HasResourceProperties("AWS::Config::ConfigRule", new Dictionary<string, object>
        {
            ["Source"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["SourceIdentifier"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { CentralFunction, "Arn" } },
            }),
        });
        Admin.HasResourceProperties("AWS::IAM::Role", new Dictionary<string, object> { ["RoleName"] = "MfaConfigRule-Member" });
    }

    [Fact]
    public void ManagementAccount_DeployedFromIt_NeedsNoSeparateCommand()
    {
        var outputs = AdminJson.GetProperty("Outputs");

        Assert.False(outputs.TryGetProperty(MfaConfigRuleOrganizationStack.ManagementAccountCommandOutput, out _));
        Assert.NotNull(_stack.OwnAccount);
    }

    [Fact]
    public void DelegatedAdministrator_StackSetIsCalledAsDelegatedAdmin()
    {
        var admin = Template.FromStack(Build(Context((OrganizationDeployment.AdministratorKey, OrganizationDeployment.DelegatedAdministrator))));

        admin.HasResourceProperties("AWS::CloudFormation::StackSet", new Dictionary<string, object>
        {
            ["PermissionModel"] = "SERVICE_MANAGED",
            ["CallAs"] = "DELEGATED_ADMIN",
            ["StackInstancesGroup"] = Match.ArrayEquals(new object[]
            {
                new Dictionary<string, object>
                {
                    ["DeploymentTargets"] = Match.ObjectEquals(new Dictionary<string, object> { ["OrganizationalUnitIds"] = Ous }),
                    ["Regions"] = new[] { "eu-west-1" },
                },
            }),
        });
    }

    /// <summary>
    /// The delegated administrator is a member: the StackSet gives it the rule and the member role when it sits in a target
    /// OU, so the admin stack must not create them too (same names). The management account, which StackSets skip and a
    /// delegated administrator cannot deploy to, gets them from the printed command.
    /// </summary>
    [Fact]
    public void DelegatedAdministrator_AdminStackHoldsNoMemberPiecesOfItsOwn()
    {
        var stack = Build(Context((OrganizationDeployment.AdministratorKey, OrganizationDeployment.DelegatedAdministrator)));
        var admin = SynthesizedApp.Json(stack);

        Assert.Null(stack.OwnAccount);
        Assert.Empty(Cfn.Resources(admin, "AWS::Config::ConfigRule"));
        Assert.DoesNotContain(Cfn.Resources(admin, "AWS::IAM::Role"),
            r => r.Resource.GetProperty("Properties").TryGetProperty("RoleName", out var name) && name.GetString() == "MfaConfigRule-Member");
    }

    [Fact]
    public void DelegatedAdministrator_OutputsTheManagementAccountsCommandWithEveryParameterOfTheMemberTemplate()
    {
        var stack = Build(Context((OrganizationDeployment.AdministratorKey, OrganizationDeployment.DelegatedAdministrator)));
        var admin = SynthesizedApp.Json(stack);
        var function = SynthesizedApp.LogicalId(stack.Central.EvaluateFunction.Function);
        var role = SynthesizedApp.LogicalId(stack.Central.EvaluateFunction.Role);
        var member = JsonDocument.Parse(stack.Members.TemplateBody).RootElement;
        var stackSetParameters = Cfn.Single(admin, "AWS::CloudFormation::StackSet").GetProperty("Properties").GetProperty("Parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("ParameterKey").GetString()!, p => Cfn.Render(p.GetProperty("ParameterValue")), StringComparer.Ordinal);

        var command = Cfn.Render(admin.GetProperty("Outputs").GetProperty(MfaConfigRuleOrganizationStack.ManagementAccountCommandOutput).GetProperty("Value"));

        Assert.StartsWith(
            "aws cloudformation deploy --region eu-west-1 --stack-name MfaConfigRule-ManagementAccount " +
            "--template-file cdk.out/MfaConfigRuleMember.template.json --capabilities CAPABILITY_NAMED_IAM --parameter-overrides ",
            command, StringComparison.Ordinal);
        Assert.Contains($"CentralFunctionArn=${{{function}.Arn}}", command, StringComparison.Ordinal);
        Assert.Contains($"CentralRoleArn=${{{role}.Arn}}", command, StringComparison.Ordinal);
        // Exactly the StackSet's parameters, each declared by the member template: the management account gets what every member gets.
        foreach (var parameter in member.GetProperty("Parameters").EnumerateObject())
            Assert.Contains($" {parameter.Name}={stackSetParameters[parameter.Name]}", command, StringComparison.Ordinal);
        Assert.Equal(stackSetParameters.Count, command.Split("--parameter-overrides ")[1].Split(' ').Length);
    }

    [Fact]
    public void Aggregator_CoversTheOrganizationInEveryRegionWithItsOwnRole()
    {
        var role = SynthesizedApp.LogicalId(_stack.Aggregator.Role);

        Admin.HasResourceProperties("AWS::Config::ConfigurationAggregator", new Dictionary<string, object>
        {
            ["OrganizationAggregationSource"] = Match.ObjectEquals(new Dictionary<string, object>
            {
                ["AllAwsRegions"] = true,
                ["RoleArn"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { role, "Arn" } },
            }),
        });
        Admin.HasResourceProperties("AWS::IAM::Role", new Dictionary<string, object>
        {
            ["AssumeRolePolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = Match.ArrayWith(new object[]
                {
                    Match.ObjectLike(new Dictionary<string, object> { ["Principal"] = new Dictionary<string, object> { ["Service"] = "config.amazonaws.com" } }),
                }),
            }),
            ["ManagedPolicyArns"] = Match.ArrayWith(new object[]
            {
                new Dictionary<string, object>
                {
                    ["Fn::Join"] = new object[] { string.Empty, new object[] { "arn:", new Dictionary<string, object> { ["Ref"] = "AWS::Partition" }, ":iam::aws:policy/service-role/AWSConfigRoleForOrganizations" } },
                },
            }),
        });
    }

    [Fact]
    public void Templates_NoPolicyOfAdminOrMember_AllowsAWildcardAction()
    {
        var wildcards = Cfn.WildcardAllowActions(AdminJson).Concat(Cfn.WildcardAllowActions(MemberJson)).ToList();

        Assert.True(wildcards.Count == 0, "wildcard actions:" + System.Environment.NewLine + Cfn.Describe(wildcards));
    }

    [Fact]
    public void Settings_DefaultDeployment_IsTheSingleAccountAppUnchanged()
    {
        var app = new App(new AppProps { Context = new Dictionary<string, object>() });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");

        Assert.Null(OrganizationDeployment.FromContext(app.Node, settings));
    }

    [Theory]
    [InlineData(null, "needs the OUs")]
    [InlineData("ou-ab12-cdef3456,finance", "'finance' is not an OU ID")]
    public void Settings_MissingOrBadOus_StopSynthesisNamingTheKey(string? ous, string message)
    {
        var context = Context();
        if (ous is null) context.Remove(OrganizationDeployment.OrganizationalUnitIdsKey);
        else context[OrganizationDeployment.OrganizationalUnitIdsKey] = ous;

        var error = Assert.Throws<ArgumentException>(() => Build(context));

        Assert.Contains("mfaRule:organizationalUnitIds", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_UnknownAdministrator_StopsSynthesisNamingTheKeyAndTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => Build(Context((OrganizationDeployment.AdministratorKey, "security-account"))));

        Assert.Contains("mfaRule:administrator: 'security-account' is neither management", error.Message, StringComparison.Ordinal);
        Assert.Contains("delegated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_RecorderWithOrganization_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Build(Context((RuleSettings.CreateRecorderKey, true))));

        Assert.Contains(RuleSettings.CreateRecorderKey, error.Message, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using MfaConfigRule.Infra.Constructs.AccountEvaluation;
using MfaConfigRule.Infra.Settings;
using MfaConfigRule.Infra.Stacks;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// The Organization deployment with per-account evaluation (<c>-c mfaRule:evaluation=per-account</c>): a code bucket the
/// Organization reads, the StackSet of the per-account template, the management account's nested copy, and nothing that
/// evaluates across accounts.
/// </summary>
public sealed class OrganizationPerAccountTemplateTests
{
    private const string Variant = "organization-per-account";
    private const string AccessScript = "infra/policy-check/check-account-access.js";

    private static readonly Lazy<(MfaConfigRuleOrganizationPerAccountStack Stack, MfaRuleSettings Settings, JsonElement Admin)> Default =
        new(() => Build(VariantContext()));

    private static MfaConfigRuleOrganizationPerAccountStack Stack => Default.Value.Stack;
    private static JsonElement Admin => Default.Value.Admin;

    private static Dictionary<string, object> VariantContext() =>
        TemplateVariants.All.Single(v => v.Name == Variant).Context.ToDictionary(p => p.Key, p => (object)p.Value, StringComparer.Ordinal);

    private static (MfaConfigRuleOrganizationPerAccountStack, MfaRuleSettings, JsonElement) Build(Dictionary<string, object> context)
    {
        var app = new App(new AppProps { Context = context });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, defaultRegion: null);
        var organization = OrganizationDeployment.FromContext(app.Node, settings)!;
        Assert.Equal(OrganizationEvaluation.PerAccount, organization.Evaluation);
        var stack = MfaRuleApp.AddOrganizationPerAccountStack(app, settings, organization, SynthesizedApp.StandInCode);
        return (stack, settings, SynthesizedApp.Json(stack));
    }

    private static JsonElement StackSetProperties => Cfn.Single(Admin, "AWS::CloudFormation::StackSet").GetProperty("Properties");

    private static Dictionary<string, string> StackSetParameters => StackSetProperties.GetProperty("Parameters").EnumerateArray()
        .ToDictionary(p => p.GetProperty("ParameterKey").GetString()!, p => Cfn.Render(p.GetProperty("ParameterValue")), StringComparer.Ordinal);

    [Fact]
    public void StackSet_DeploysThePerAccountTemplate_WithTheCodeAndTheSettingsAsParameters()
    {
        var body = StackSetProperties.GetProperty("TemplateBody").GetString()!;
        var declared = JsonDocument.Parse(body).RootElement.GetProperty("Parameters");
        var parameters = StackSetParameters;
        var bucket = SynthesizedApp.LogicalId(Stack.Code.Bucket);
        var package = SynthesizedApp.LogicalId(Stack.Code.Package);

        // Byte for byte what -c mfaRule:deployment=account-template writes for the same settings.
        Assert.Equal(MfaConfigRuleAccountStack.Synthesize(Default.Value.Settings), body);
        Assert.Equal("${" + bucket + "}", parameters["CodeBucket"]);
        Assert.Matches(@"^mfa-config-rule/\d+\.\d+\.\d+[^/]*/[0-9a-f]{64}\.zip$", parameters["CodeKey"]);
        Assert.Contains(ReleaseVersion.Current, parameters["CodeKey"], StringComparison.Ordinal);
        Assert.Equal("${" + package + ".VersionId}", parameters["CodeObjectVersion"]);
        Assert.Equal("direct", parameters["SecurityHubFindings"]);
        Assert.Equal("true", parameters["CreateRule"]);
        Assert.Equal("true", parameters["Reevaluation"]);
        // Every parameter passed is declared; only the empty lists, which are the template's defaults, are left out.
        foreach (var name in parameters.Keys) Assert.True(declared.TryGetProperty(name, out _), $"{name} is not a parameter of the template");
        var notPassed = declared.EnumerateObject().Where(p => !parameters.ContainsKey(p.Name)).ToList();
        Assert.All(notPassed, p => Assert.Equal(string.Empty, p.Value.GetProperty("Default").GetString()));
        Assert.True(Cfn.CreatedBefore(Admin, SynthesizedApp.LogicalId(Stack.Code.PolicyResource), SynthesizedApp.LogicalId(Stack.Members.StackSet)));
        Assert.True(Cfn.CreatedBefore(Admin, package, SynthesizedApp.LogicalId(Stack.Members.StackSet)));
    }

    [Fact]
    public void AdminStack_HasNoEvaluateFunctionNoMemberRoleAndNoCrossAccountTrust()
    {
        var functions = Cfn.Resources(Admin, "AWS::Lambda::Function").Select(f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString()).ToList();
        var body = StackSetProperties.GetProperty("TemplateBody").GetString()!;

        Assert.All(functions, handler => Assert.Equal("index.handler", handler));
        Assert.DoesNotContain("CentralRoleArn", body, StringComparison.Ordinal);
        Assert.DoesNotContain("MfaConfigRule-Member", body, StringComparison.Ordinal);
        foreach (var (roleId, role) in Cfn.Resources(Admin, "AWS::IAM::Role"))
        {
            foreach (var trust in Cfn.Statements(role.GetProperty("Properties").GetProperty("AssumeRolePolicyDocument")))
                Assert.True(trust.GetProperty("Principal").TryGetProperty("Service", out _), $"{roleId} trusts a principal that is no AWS service");
            if (!role.GetProperty("Properties").TryGetProperty("ManagedPolicyArns", out _))
                Assert.DoesNotContain(Cfn.GrantsOfRole(Admin, roleId), g => g.StartsWith("sts:", StringComparison.Ordinal));
        }
        Assert.Single(Cfn.Resources(Admin, "AWS::Config::ConfigurationAggregator"));
    }

    [Fact]
    public void CodeBucket_IsVersionedEncryptedTlsOnly_AndReadableByTheOrganizationOnly()
    {
        var bucket = Cfn.Single(Admin, "AWS::S3::Bucket").GetProperty("Properties");
        var policy = Cfn.Single(Admin, "AWS::S3::BucketPolicy").GetProperty("Properties").GetProperty("PolicyDocument");

        Assert.Equal("Enabled", bucket.GetProperty("VersioningConfiguration").GetProperty("Status").GetString());
        Assert.Equal("AES256", bucket.GetProperty("BucketEncryption").GetProperty("ServerSideEncryptionConfiguration")[0]
            .GetProperty("ServerSideEncryptionByDefault").GetProperty("SSEAlgorithm").GetString());
        var block = bucket.GetProperty("PublicAccessBlockConfiguration");
        foreach (var setting in new[] { "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets" })
            Assert.True(block.GetProperty(setting).GetBoolean(), setting);
        var statements = Cfn.Statements(policy).ToList();
        Assert.Contains(statements, s => s.GetProperty("Effect").GetString() == "Deny" && s.GetProperty("Condition").GetProperty("Bool").GetProperty("aws:SecureTransport").GetString() == "false");
        var allow = Assert.Single(statements, s => s.GetProperty("Effect").GetString() == "Allow");
        Assert.Equal(["s3:GetObject", "s3:GetObjectVersion"], Cfn.Strings(allow.GetProperty("Action")));
        Assert.Equal("${" + SynthesizedApp.LogicalId(Stack.Identity.Resource) + ".Id}", Cfn.Render(allow.GetProperty("Condition").GetProperty("StringEquals").GetProperty("aws:PrincipalOrgID")));
        Assert.EndsWith("/mfa-config-rule/*", Cfn.Render(allow.GetProperty("Resource")), StringComparison.Ordinal);
    }

    [Fact]
    public void ManagementAccount_GetsTheSameTemplateAndParametersAsANestedStack_ADelegatedAdministratorACommand()
    {
        var nested = Cfn.Single(Admin, "AWS::CloudFormation::Stack").GetProperty("Properties");
        var nestedParameters = nested.GetProperty("Parameters").EnumerateObject().ToDictionary(p => p.Name, p => Cfn.Render(p.Value), StringComparer.Ordinal);

        Assert.Equal(StackSetParameters.OrderBy(p => p.Key, StringComparer.Ordinal), nestedParameters.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.False(Admin.GetProperty("Outputs").TryGetProperty(MfaConfigRuleOrganizationStack.ManagementAccountCommandOutput, out _));

        var context = VariantContext();
        context[OrganizationDeployment.AdministratorKey] = OrganizationDeployment.DelegatedAdministrator;
        var (delegated, _, json) = Build(context);
        Assert.Null(delegated.OwnAccount);
        Assert.Empty(Cfn.Resources(json, "AWS::CloudFormation::Stack"));
        var command = Cfn.Render(json.GetProperty("Outputs").GetProperty(MfaConfigRuleOrganizationStack.ManagementAccountCommandOutput).GetProperty("Value"));
        Assert.Contains($"--template-file cdk.out/{Program.AccountTemplateFile}", command, StringComparison.Ordinal);
        Assert.Contains("\"CodeKey=mfa-config-rule/", command, StringComparison.Ordinal);
        Assert.Equal("DELEGATED_ADMIN", Cfn.Single(json, "AWS::CloudFormation::StackSet").GetProperty("Properties").GetProperty("CallAs").GetString());
    }

    [Fact]
    public void Evaluation_ABadValue_StopsSynthNamingTheKey()
    {
        var context = VariantContext();
        context[OrganizationDeployment.EvaluationKey] = "elsewhere";
        var app = new App(new AppProps { Context = context });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, null);

        var error = Assert.Throws<ArgumentException>(() => OrganizationDeployment.FromContext(app.Node, settings));

        Assert.Contains("mfaRule:evaluation: 'elsewhere' is neither central", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Remediation runs in each account, by its own function: the settings become the per-account template's parameters.</summary>
    [Theory]
    [InlineData(Variant, null, null, null, "off", "EnforceMfa", "false")]
    [InlineData("organization-per-account-remediation", null, null, null, "automatic", "EnforceMfa", "true")]
    [InlineData(Variant, "manual", "DisableConsoleAccess", null, "manual", "DisableConsoleAccess", "false")]
    public void Remediation_IsPassedToEveryAccount_AsTheTemplatesParameters(string variant, string? mode, string? action, string? denyKeys, string remediation, string remediationAction, string deny)
    {
        var context = TemplateVariants.All.Single(v => v.Name == variant).Context.ToDictionary(p => p.Key, p => (object)p.Value, StringComparer.Ordinal);
        if (mode is not null) context[RemediationSettings.ModeKey] = mode;
        if (action is not null) context[RemediationSettings.ActionKey] = action;
        if (denyKeys is not null) context[RemediationSettings.DenyAccessKeysKey] = denyKeys;

        var (stack, _, admin) = variant == Variant && mode is null ? Default.Value : Build(context);

        var stackSet = Cfn.Single(admin, "AWS::CloudFormation::StackSet").GetProperty("Properties").GetProperty("Parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("ParameterKey").GetString()!, p => Cfn.Render(p.GetProperty("ParameterValue")), StringComparer.Ordinal);
        Assert.Equal(remediation, stackSet["Remediation"]);
        Assert.Equal(remediationAction, stackSet["RemediationAction"]);
        Assert.Equal(deny, stackSet["RemediationDenyAccessKeys"]);
        Assert.Equal(remediation, stack.MemberParameters["Remediation"]);
        // No central remediate function: the admin stack's functions are its custom resources' only.
        Assert.All(Cfn.Resources(admin, "AWS::Lambda::Function"), f => Assert.Equal("index.handler", f.Resource.GetProperty("Properties").GetProperty("Handler").GetString()));
        Assert.Empty(Cfn.Resources(admin, "AWS::SSM::Document"));
    }

    [Fact]
    public void Evaluation_OutsideTheOrganizationDeployment_IsRefused_AndCentralIsTheDefault()
    {
        var app = new App(new AppProps { Context = new Dictionary<string, object> { [OrganizationDeployment.EvaluationKey] = "per-account" } });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");
        var error = Assert.Throws<ArgumentException>(() => OrganizationDeployment.FromContext(app.Node, settings));
        Assert.Contains("mfaRule:evaluation: applies to the Organization deployment only", error.Message, StringComparison.Ordinal);

        var context = VariantContext();
        context.Remove(OrganizationDeployment.EvaluationKey);
        var central = new App(new AppProps { Context = context });
        Assert.Equal(OrganizationEvaluation.Central,
            OrganizationDeployment.FromContext(central.Node, MfaRuleSettings.FromContext(central.Node, SynthesizedApp.Account, null))!.Evaluation);
    }

    [Fact]
    public async Task Access_PerAccountTemplateAndCodeBucket_DecidedByIamSimulate()
    {
        var (exitCode, stdout, stderr) = await CheckAsync(Admin.GetRawText());

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("39 decisions checked, 0 wrong (6 of them lambda:InvokeFunction on the evaluate function, 8 on remediation, 7 on the code bucket)", stdout, StringComparison.Ordinal);
    }

    /// <summary>Without the Organization condition on the bucket, the check sees strangers read the package.</summary>
    [Fact]
    public async Task Access_CodeBucketWithoutPrincipalOrgId_IsCaughtByTheCheck()
    {
        var admin = JsonNode.Parse(Admin.GetRawText())!;
        var removed = 0;
        foreach (var (_, resource) in admin["Resources"]!.AsObject())
        {
            if (resource!["Type"]!.GetValue<string>() != "AWS::S3::BucketPolicy") continue;
            foreach (var statement in resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray())
            {
                if (statement!["Condition"]?["StringEquals"] is JsonObject equals && equals.Remove("aws:PrincipalOrgID")) removed++;
            }
        }

        var (exitCode, stdout, stderr) = await CheckAsync(admin.ToJsonString());

        Assert.Equal(1, removed);
        Assert.Equal(1, exitCode);
        Assert.Contains("code bucket: an account of another Organization reads the package: expected ImplicitlyDenied, got Allowed", stderr, StringComparison.Ordinal);
        Assert.Contains("code bucket: an account in no Organization reads the package: expected ImplicitlyDenied, got Allowed", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> CheckAsync(string adminTemplate)
    {
        var directory = Directory.CreateTempSubdirectory("mfa-per-account-");
        try
        {
            var account = Path.Combine(directory.FullName, Program.AccountTemplateFile);
            var admin = Path.Combine(directory.FullName, "MfaConfigRuleOrganization.template.json");
            await File.WriteAllTextAsync(account, Stack.TemplateBody);
            await File.WriteAllTextAsync(admin, adminTemplate);
            return await NodeScript.RunAsync(AccessScript, account, admin);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.CDK;
using MfaConfigRule.Compliance;
using MfaConfigRule.Infra.Constructs.AccountEvaluation;
using MfaConfigRule.Infra.Settings;
using MfaConfigRule.Infra.Stacks;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// The per-account template (<c>-c mfaRule:deployment=account-template</c>, <c>MfaConfigRuleAccount.template.json</c>):
/// plain CloudFormation whose parameters are a contract with the release artifacts, CfCT, LZA and conformance packs.
/// </summary>
public sealed class AccountTemplateTests
{
    private const string AccessScript = "infra/policy-check/check-account-access.js";

    private static readonly Lazy<JsonElement> Default = new(() => Build());

    private static JsonElement Template => Default.Value;

    private static JsonElement Build(IDictionary<string, object>? extra = null)
    {
        var context = new Dictionary<string, object> { [OrganizationDeployment.DeploymentKey] = OrganizationDeployment.AccountTemplate };
        foreach (var (key, value) in extra ?? new Dictionary<string, object>()) context[key] = value;
        var app = new App(new AppProps { Context = context });
        var settings = MfaRuleSettings.FromContext(app.Node, defaultAccount: null, defaultRegion: null);
        Assert.Null(OrganizationDeployment.FromContext(app.Node, settings));
        return SynthesizedApp.Json(MfaRuleApp.AddAccountTemplateStack(app, settings));
    }

    private static JsonElement Parameter(string name) => Template.GetProperty("Parameters").GetProperty(name);

    private static string[] AllowedValues(string name) => [.. Parameter(name).GetProperty("AllowedValues").EnumerateArray().Select(v => v.GetString()!)];

    private static (string LogicalId, JsonElement Resource) Evaluate =>
        Assert.Single(Cfn.Resources(Template, "AWS::Lambda::Function"), f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "evaluate");

    [Fact]
    public void Parameters_AreTheContract_CodeRuleRuleParametersAndOptionalParts()
    {
        var names = Template.GetProperty("Parameters").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);

        string[] expected =
        [
            "CodeBucket", "CodeKey", "CodeObjectVersion", "CreateRule", "MaximumExecutionFrequency", "Reevaluation", "RuleName",
            "SecurityHubFindings", "SecurityHubSeverity", "Remediation", "RemediationAction", "RemediationDenyAccessKeys", .. RuleParameters.Keys,
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), names);
        Assert.Equal(["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"], AllowedValues("MaximumExecutionFrequency"));
        Assert.Equal("TwentyFour_Hours", Parameter("MaximumExecutionFrequency").GetProperty("Default").GetString());
        Assert.Equal(["true", "false"], AllowedValues("CreateRule"));
        Assert.Equal(["true", "false"], AllowedValues("Reevaluation"));
        Assert.Equal(["off", "direct"], AllowedValues("SecurityHubFindings"));
        Assert.Equal("off", Parameter("SecurityHubFindings").GetProperty("Default").GetString());
        Assert.Equal(["LOW", "MEDIUM", "HIGH", "CRITICAL"], AllowedValues("SecurityHubSeverity"));
        Assert.Equal(["off", "manual", "automatic"], AllowedValues("Remediation"));
        Assert.Equal("off", Parameter("Remediation").GetProperty("Default").GetString());
        Assert.Equal(["EnforceMfa", "DisableConsoleAccess"], AllowedValues("RemediationAction"));
        Assert.Equal("EnforceMfa", Parameter("RemediationAction").GetProperty("Default").GetString());
        Assert.Equal(["true", "false"], AllowedValues("RemediationDenyAccessKeys"));
        Assert.Equal("false", Parameter("RemediationDenyAccessKeys").GetProperty("Default").GetString());
        Assert.Equal(["NOT_APPLICABLE", "COMPLIANT"], AllowedValues(RuleParameters.NoPasswordResultKey));
        Assert.Equal(["true", "false"], AllowedValues(RuleParameters.ReportChangesOnlyKey));
        Assert.Equal("mfa-enabled-for-iam-console-users", Parameter("RuleName").GetProperty("Default").GetString());
        Assert.False(Parameter("CodeBucket").TryGetProperty("Default", out _), "the code's bucket has no default: it must be named");
        Assert.False(Parameter("CodeKey").TryGetProperty("Default", out _), "the code's key has no default: it must be named");
        Assert.Equal(string.Empty, Parameter("CodeObjectVersion").GetProperty("Default").GetString());
    }

    /// <summary>Every rule parameter's default is one the rule's own parser accepts, and its pattern admits it.</summary>
    [Fact]
    public void RuleParameterDefaults_AreAcceptedByTheRuleAndTheirPatterns()
    {
        var defaults = RuleParameters.Keys.ToDictionary(k => k, k => Parameter(k).GetProperty("Default").GetString()!, StringComparer.Ordinal);

        Assert.Equal(RuleParameters.Default.ToDictionary(), RuleParameters.Parse(defaults).ToDictionary());
        Assert.Equal("mfa-exempt-until", defaults[RuleParameters.ExemptionTagKeyKey]);
        foreach (var (key, value) in defaults)
        {
            if (Parameter(key).TryGetProperty("AllowedPattern", out var pattern))
                Assert.Matches(new Regex(pattern.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)), value);
        }
    }

    [Theory]
    [InlineData(RuleParameters.ExemptUserNamesKey, "break-glass,ops.admin@example", true)]
    [InlineData(RuleParameters.ExemptUserNamesKey, "bob smith", false)]
    [InlineData(RuleParameters.ExemptPathPrefixesKey, "/service-accounts/,/break-glass/", true)]
    [InlineData(RuleParameters.ExemptPathPrefixesKey, "service-accounts", false)]
    [InlineData(RuleParameters.ExemptPathPrefixesKey, "/a\",\"b/", false)]
    [InlineData(RuleParameters.ExemptPathPrefixesKey, "/a\\b/", false)]
    [InlineData(RuleParameters.ExemptionTagKeyKey, "", true)]
    [InlineData(RuleParameters.ExemptionTagKeyKey, "aws:exempt", false)]
    [InlineData(RuleParameters.AllowedMfaTypesKey, "hardware,fido", true)]
    [InlineData(RuleParameters.AllowedMfaTypesKey, "sms", false)]
    [InlineData(RuleParameters.AllowedMfaTypesKey, "", false)]
    [InlineData(RuleParameters.GracePeriodHoursKey, "72", true)]
    [InlineData(RuleParameters.GracePeriodHoursKey, "-1", false)]
    [InlineData(RuleParameters.RefreshDaysKey, "30", true)]
    [InlineData(RuleParameters.RefreshDaysKey, "31", false)]
    [InlineData(RuleParameters.RefreshDaysKey, "0", false)]
    public void RuleParameterPatterns_AdmitWhatTheRuleAcceptsAndStopTypos(string key, string value, bool admitted)
    {
        var pattern = new Regex(Parameter(key).GetProperty("AllowedPattern").GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1));

        Assert.Equal(admitted, pattern.IsMatch(value));
        if (admitted) _ = RuleParameters.Parse(new Dictionary<string, string> { [key] = value });
    }

    [Fact]
    public void RuleParameters_FromContext_AreTheTemplatesDefaults()
    {
        var template = Build(new Dictionary<string, object>
        {
            [RuleSettings.ParametersKey] = "{\"GracePeriodHours\":\"24\",\"ExemptUserNames\":\"break-glass\"}",
            [RuleSettings.FrequencyHoursKey] = "6",
        });

        Assert.Equal("24", template.GetProperty("Parameters").GetProperty(RuleParameters.GracePeriodHoursKey).GetProperty("Default").GetString());
        Assert.Equal("break-glass", template.GetProperty("Parameters").GetProperty(RuleParameters.ExemptUserNamesKey).GetProperty("Default").GetString());
        Assert.Equal("Six_Hours", template.GetProperty("Parameters").GetProperty("MaximumExecutionFrequency").GetProperty("Default").GetString());
    }

    [Fact]
    public void Rule_TakesEveryInputParameterFromTheTemplate_AndExistsOnlyWithCreateRule()
    {
        var (_, rule) = Assert.Single(Cfn.Resources(Template, "AWS::Config::ConfigRule"));
        var properties = rule.GetProperty("Properties");

        Assert.Equal("RuleCreated", rule.GetProperty("Condition").GetString());
        Assert.Equal("{\"Fn::Equals\":[{\"Ref\":\"CreateRule\"},\"true\"]}", Condition("RuleCreated"));
        Assert.Equal("${RuleName}", Cfn.Render(properties.GetProperty("ConfigRuleName")));
        var input = properties.GetProperty("InputParameters");
        Assert.Equal(RuleParameters.Keys.Order(StringComparer.Ordinal), input.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var key in RuleParameters.Keys)
        {
            var value = input.GetProperty(key);
            // The two lists are left out when empty; every other value is the parameter itself.
            var reference = value.TryGetProperty("Fn::If", out var choice) ? choice[1] : value;
            Assert.Equal("${" + key + "}", Cfn.Render(reference));
            if (choice.ValueKind == JsonValueKind.Array)
            {
                Assert.Contains(key, new[] { RuleParameters.ExemptUserNamesKey, RuleParameters.ExemptPathPrefixesKey });
                Assert.Equal("${AWS::NoValue}", Cfn.Render(choice[2]));
            }
        }
        var scheduled = properties.GetProperty("Source").GetProperty("SourceDetails").EnumerateArray()
            .Single(d => d.GetProperty("MessageType").GetString() == "ScheduledNotification");
        Assert.Equal("${MaximumExecutionFrequency}", Cfn.Render(scheduled.GetProperty("MaximumExecutionFrequency")));
        Assert.Equal(new[] { "AWS::IAM::User" }, Cfn.Strings(properties.GetProperty("Scope").GetProperty("ComplianceResourceTypes")));
    }

    private static string Condition(string name) => Template.GetProperty("Conditions").GetProperty(name).GetRawText();

    [Fact]
    public void EvaluateFunction_HasAFixedName_AndItsCodeFromTheParameters()
    {
        var (_, function) = Evaluate;
        var properties = function.GetProperty("Properties");

        Assert.Equal(AccountEvaluation.EvaluateFunctionName, properties.GetProperty("FunctionName").GetString());
        Assert.Equal("provided.al2023", properties.GetProperty("Runtime").GetString());
        Assert.Equal(["x86_64"], Cfn.Strings(properties.GetProperty("Architectures")));
        var code = properties.GetProperty("Code");
        Assert.Equal("${CodeBucket}", Cfn.Render(code.GetProperty("S3Bucket")));
        Assert.Equal("${CodeKey}", Cfn.Render(code.GetProperty("S3Key")));
        var version = code.GetProperty("S3ObjectVersion").GetProperty("Fn::If");
        Assert.Equal("HasCodeObjectVersion", version[0].GetString());
        Assert.Equal("${CodeObjectVersion}", Cfn.Render(version[1]));
        Assert.Equal("${AWS::NoValue}", Cfn.Render(version[2]));
        // The trigger runs the same package.
        var trigger = Cfn.Resources(Template, "AWS::Lambda::Function").Single(f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "trigger");
        Assert.Equal(code.GetRawText(), trigger.Resource.GetProperty("Properties").GetProperty("Code").GetRawText());
    }

    [Fact]
    public void InvokePermission_AdmitsOnlyConfigOfThisAccountForItsOwnRules()
    {
        var (evaluateId, _) = Evaluate;
        var permission = Assert.Single(Cfn.Resources(Template, "AWS::Lambda::Permission"),
            p => Cfn.Render(p.Resource.GetProperty("Properties").GetProperty("FunctionName")) == "${" + evaluateId + ".Arn}").Resource;
        var properties = permission.GetProperty("Properties");

        Assert.False(permission.TryGetProperty("Condition", out _), "the permission exists whether or not this template creates the rule");
        Assert.Equal("config.amazonaws.com", properties.GetProperty("Principal").GetString());
        Assert.Equal("lambda:InvokeFunction", properties.GetProperty("Action").GetString());
        Assert.Equal("${AWS::AccountId}", Cfn.Render(properties.GetProperty("SourceAccount")));
        Assert.Equal("arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-rule/*", Cfn.Render(properties.GetProperty("SourceArn")));
    }

    [Fact]
    public void Roles_NeitherAssumeRolesNorReadIamOutsideTheirAccount()
    {
        var problems = new List<string>();
        foreach (var (roleId, _) in Cfn.Resources(Template, "AWS::IAM::Role"))
        {
            foreach (var conditional in Cfn.GrantsOfRole(Template, roleId))
            {
                // The remediate role's attach and detach are limited further (iam:PolicyARN): the resource is what counts here.
                var grant = conditional.Split(" when ")[0];
                // Listing who holds the template's own enforcement policy names that policy, not a user.
                if (grant == "iam:ListEntitiesForPolicy on ${" + EnforcementPolicyId + "}") continue;
                if (grant.StartsWith("sts:", StringComparison.Ordinal)) problems.Add($"{roleId}: {grant}");
                // IAM calls on a resource: only this account's users (the account-wide list calls take "*" only).
                if (grant.StartsWith("iam:", StringComparison.Ordinal) && !grant.StartsWith("iam:PassRole", StringComparison.Ordinal)
                    && !grant.EndsWith(" on arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*", StringComparison.Ordinal)
                    && !(grant.EndsWith(" on *", StringComparison.Ordinal) && grant.Split(' ')[0] is "iam:ListUsers" or "iam:ListVirtualMFADevices" or "iam:GenerateCredentialReport" or "iam:GetCredentialReport"))
                    problems.Add($"{roleId}: {grant}");
            }
        }
        var evaluateGrants = Cfn.GrantsOfRole(Template, Evaluate.Resource.GetProperty("Properties").GetProperty("Role").GetProperty("Fn::GetAtt")[0].GetString()!);

        Assert.True(problems.Count == 0, Cfn.Describe(problems));
        Assert.Contains("iam:GetLoginProfile on arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*", evaluateGrants);
        Assert.Contains("config:PutEvaluations on *", evaluateGrants);
        Assert.DoesNotContain(Template.GetRawText(), "sts:AssumeRole\"", StringComparison.Ordinal);
    }

    [Fact]
    public void OptionalParts_ExistOnlyUnderTheirConditions()
    {
        string? ConditionOf(string logicalId) =>
            Template.GetProperty("Resources").GetProperty(logicalId).TryGetProperty("Condition", out var c) ? c.GetString() : null;
        var byCondition = Cfn.Resources(Template).GroupBy(r => ConditionOf(r.LogicalId) ?? "(always)")
            .ToDictionary(g => g.Key, g => g.Select(r => r.Resource.GetProperty("Type").GetString()!).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        Assert.Equal(["(always)", "EnforceMfa", "ForwardIamEvents", "ReevaluationOn", "RemediationConfigured", "RemediationOn", "RuleCreated", "SecurityHubDirect"],
            byCondition.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["AWS::Config::ConfigRule"], byCondition["RuleCreated"]);
        Assert.Equal(["AWS::IAM::Policy"], byCondition["SecurityHubDirect"]);
        Assert.Contains("AWS::Events::Rule", byCondition["ReevaluationOn"]);
        Assert.Contains("Custom::IamEventForwarding", byCondition["ForwardIamEvents"]);
        Assert.DoesNotContain("AWS::Config::ConfigRule", byCondition["(always)"]);
        // Re-evaluation needs the template's own rule (the trigger re-runs it by name); forwarding only outside us-east-1.
        Assert.Contains("{\"Condition\":\"RuleCreated\"}", Condition("ReevaluationOn").Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("us-east-1", Condition("ForwardIamEvents"), StringComparison.Ordinal);
        Assert.Contains("{\"Condition\":\"ReevaluationOn\"}", Condition("ForwardIamEvents").Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        var variables = Evaluate.Resource.GetProperty("Properties").GetProperty("Environment").GetProperty("Variables");
        Assert.Equal("[\"SecurityHubDirect\",\"direct\",\"off\"]", variables.GetProperty("SECURITY_HUB_FINDINGS").GetProperty("Fn::If").GetRawText());
        Assert.Equal("${SecurityHubSeverity}", Cfn.Render(variables.GetProperty("SECURITY_HUB_FAILED_SEVERITY")));
    }

    /// <summary>The rule's first sweep imports findings: the rule waits for the import permission when it exists (through a handle: DependsOn cannot name a left-out resource).</summary>
    [Fact]
    public void Rule_WaitsForEverythingItsFirstEvaluationNeeds()
    {
        var rule = Assert.Single(Cfn.Resources(Template, "AWS::Config::ConfigRule")).LogicalId;
        var permission = Assert.Single(Cfn.Resources(Template, "AWS::Lambda::Permission"), p => p.Resource.GetProperty("Properties").GetProperty("Principal").GetString() == "config.amazonaws.com").LogicalId;
        var securityHub = Assert.Single(Cfn.Resources(Template, "AWS::IAM::Policy"), p => p.Resource.TryGetProperty("Condition", out var c) && c.GetString() == "SecurityHubDirect").LogicalId;
        var (gateId, gate) = Assert.Single(Cfn.Resources(Template, "AWS::CloudFormation::WaitConditionHandle"));

        Assert.True(Cfn.CreatedBefore(Template, permission, rule));
        Assert.Contains(gateId, Cfn.DirectPrerequisites(Template, rule));
        // The function too: an update that turns the export on changes its environment and adds the permission together.
        Assert.Contains(gateId, Cfn.DirectPrerequisites(Template, Evaluate.LogicalId));
        Assert.Equal($"[\"SecurityHubDirect\",{{\"Ref\":\"{securityHub}\"}},{{\"Ref\":\"AWS::NoValue\"}}]", gate.GetProperty("Metadata").GetProperty("WaitsFor").GetProperty("Fn::If").GetRawText());
    }

    /// <summary>
    /// The resources with a fixed physical name keep their logical IDs: every deployed account's stack update would
    /// otherwise create the new resource before deleting the old, and fail on the name that already exists (the function),
    /// or delete the us-east-1 rule the new one just wrote (the forwarding). A refactor that moves them must say so here.
    /// </summary>
    [Fact]
    public void FixedNameResources_KeepTheirLogicalIds()
    {
        Assert.Equal("AccountMfaRuleEvaluateFunctionF1D0A46F", Evaluate.LogicalId);
        Assert.Equal("AccountIamEventForwarderForwarding125442D1", Assert.Single(Cfn.Resources(Template, "Custom::IamEventForwarding")).LogicalId);
        Assert.Equal("AccountMfaRuleF45F296A", Assert.Single(Cfn.Resources(Template, "AWS::Config::ConfigRule")).LogicalId);
    }

    [Fact]
    public void Template_IsPlainCloudFormation_NoAssetNoBootstrapNoCdkMetadata()
    {
        var text = Template.GetRawText();

        Assert.False(Template.TryGetProperty("Rules", out _), "a bootstrap version rule");
        Assert.DoesNotContain("BootstrapVersion", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AWS::CDK::Metadata", text, StringComparison.Ordinal);
        Assert.DoesNotContain("aws:cdk:path", text, StringComparison.Ordinal);
        Assert.DoesNotContain("aws:asset", text, StringComparison.Ordinal);
        Assert.DoesNotContain("cdk-hnb659fds", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AssetParameters", text, StringComparison.Ordinal);
        foreach (var (id, function) in Cfn.Resources(Template, "AWS::Lambda::Function"))
        {
            var code = function.GetProperty("Properties").GetProperty("Code");
            Assert.True(code.TryGetProperty("ZipFile", out _) || Cfn.Render(code.GetProperty("S3Bucket")) == "${CodeBucket}", $"{id} takes code from elsewhere: {code.GetRawText()}");
        }
    }

    [Fact]
    public void Description_CarriesTheVersionAndWhatIsLeftOut()
    {
        var description = Template.GetProperty("Description").GetString()!;

        Assert.Matches(@"^\d+\.\d+\.\d+", ReleaseVersion.Current);
        Assert.StartsWith($"MFA Config rule {ReleaseVersion.Current},", description, StringComparison.Ordinal);
        Assert.Contains("Remediation (off by default)", description, StringComparison.Ordinal);
        Assert.Contains("a conformance pack that owns the rule (CreateRule=false) carries its own", description, StringComparison.Ordinal);
        Assert.DoesNotContain("Not in this template: remediation", description, StringComparison.Ordinal);
        Assert.InRange(description.Length, 1, 1024);
    }

    [Fact]
    public void Synthesize_IsTheSameTemplate_AndFitsAStackSetTemplateBody()
    {
        var app = new App(new AppProps { Context = new Dictionary<string, object>() });
        var settings = MfaRuleSettings.FromContext(app.Node, null, null);

        var body = MfaConfigRuleAccountStack.Synthesize(settings);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Template.GetRawText()), JsonNode.Parse(body)));
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(body), 1, OrganizationMemberStack.MaxTemplateBodyBytes);
    }

    [Fact]
    public void Deployment_ABadValue_NamesAllThree()
    {
        var app = new App(new AppProps { Context = new Dictionary<string, object> { [OrganizationDeployment.DeploymentKey] = "per-account" } });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");

        var error = Assert.Throws<ArgumentException>(() => OrganizationDeployment.FromContext(app.Node, settings));

        Assert.Contains("mfaRule:deployment: 'per-account' is not account", error.Message, StringComparison.Ordinal);
        Assert.Contains("organization", error.Message, StringComparison.Ordinal);
        Assert.Contains("account-template", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Access_OwnIamAndOwnConfigOnly_DecidedByIamSimulate()
    {
        var (exitCode, stdout, stderr) = await CheckAsync(Template.GetRawText());

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("32 decisions checked, 0 wrong (6 of them lambda:InvokeFunction on the evaluate function, 8 on remediation)", stdout, StringComparison.Ordinal);
    }

    /// <summary>The check tells a role reading every account's users, and a permission without SourceAccount, from the template's.</summary>
    [Fact]
    public async Task Access_WithUnscopedIamReadsOrWithoutSourceAccount_IsCaughtByTheCheck()
    {
        var template = JsonNode.Parse(Template.GetRawText())!;
        var widened = 0;
        foreach (var (_, resource) in template["Resources"]!.AsObject())
        {
            if (resource!["Type"]!.GetValue<string>() == "AWS::IAM::Policy")
            {
                foreach (var statement in resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray())
                {
                    if (statement!["Sid"]?.GetValue<string>() != "ReadIamUsers") continue;
                    statement["Resource"] = "*";
                    widened++;
                }
            }
            if (resource["Type"]!.GetValue<string>() == "AWS::Lambda::Permission" && resource["Properties"]!.AsObject().Remove("SourceAccount")) widened++;
        }

        var (exitCode, stdout, stderr) = await CheckAsync(template.ToJsonString());

        Assert.Equal(2, widened);
        Assert.Equal(1, exitCode);
        Assert.Contains("evaluate role: iam:GetLoginProfile on a user of another account that would admit it: expected ImplicitlyDenied, got Allowed", stderr, StringComparison.Ordinal);
        Assert.Contains("invoke: Config of another account naming this account's rule: expected ImplicitlyDenied, got Allowed", stderr, StringComparison.Ordinal);
        Assert.Contains("5 wrong", stdout, StringComparison.Ordinal);
    }

    private static string EnforcementPolicyId => Assert.Single(Cfn.Resources(Template, "AWS::IAM::ManagedPolicy")).LogicalId;

    /// <summary>The template's Conditions decided as CloudFormation would for <paramref name="parameters"/> (the rest at their defaults) in eu-west-1.</summary>
    private static Dictionary<string, bool> Decide(IReadOnlyDictionary<string, string> parameters)
    {
        string Value(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()!
            : e.GetProperty("Ref").GetString() is var name && name == "AWS::Region" ? "eu-west-1"
            : parameters.TryGetValue(name!, out var given) ? given : Parameter(name!).GetProperty("Default").GetString()!;
        var conditions = Template.GetProperty("Conditions");
        bool Eval(JsonElement e)
        {
            var op = Assert.Single(e.EnumerateObject());
            return op.Name switch
            {
                "Fn::Equals" => Value(op.Value[0]) == Value(op.Value[1]),
                "Fn::Not" => !Eval(op.Value[0]),
                "Fn::And" => op.Value.EnumerateArray().All(Eval),
                "Fn::Or" => op.Value.EnumerateArray().Any(Eval),
                "Condition" => Eval(conditions.GetProperty(op.Value.GetString()!)),
                var other => throw new InvalidOperationException($"no {other} in the test's condition evaluator"),
            };
        }
        return conditions.EnumerateObject().ToDictionary(c => c.Name, c => Eval(c.Value), StringComparer.Ordinal);
    }

    /// <summary>The resources CloudFormation creates for <paramref name="parameters"/>.</summary>
    private static List<(string LogicalId, JsonElement Resource)> Created(IReadOnlyDictionary<string, string> parameters)
    {
        var decided = Decide(parameters);
        return [.. Cfn.Resources(Template).Where(r => !r.Resource.TryGetProperty("Condition", out var c) || decided[c.GetString()!])];
    }

    /// <summary>A value as CloudFormation picks it under decided conditions (Fn::If only).</summary>
    private static JsonElement Chosen(JsonElement value, IReadOnlyDictionary<string, bool> decided) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty("Fn::If", out var choice)
            ? Chosen(decided[choice[0].GetString()!] ? choice[1] : choice[2], decided)
            : value;

    private static readonly string[] RemediationTypes =
        ["AWS::SSM::Document", "AWS::Config::RemediationConfiguration", "AWS::IAM::ManagedPolicy"];

    [Fact]
    public void Remediation_Off_IsTheDefault_AndCreatesNoRemediationResourceAtAll()
    {
        var off = Created(new Dictionary<string, string>());
        var on = Created(new Dictionary<string, string> { ["Remediation"] = "manual" });

        Assert.DoesNotContain(off, r => RemediationTypes.Contains(r.Resource.GetProperty("Type").GetString()));
        Assert.DoesNotContain(off, r => r.Resource.GetProperty("Type").GetString() == "AWS::Lambda::Function"
            && r.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "remediate");
        // Everything remediation adds is under its own condition: off, the template is what it was without remediation.
        var added = on.Select(r => r.LogicalId).Except(off.Select(r => r.LogicalId)).ToList();
        Assert.All(added, id => Assert.StartsWith("AccountRemediation", id, StringComparison.Ordinal));
        Assert.DoesNotContain(off, r => r.LogicalId.StartsWith("AccountRemediation", StringComparison.Ordinal));
        // Policy, function (logs, role, its policy, async config), permissions, Automation's role and policy, runbook,
        // lifting schedule and its invoke permission, and Config's remediation configuration.
        Assert.Equal(13, added.Count);
    }

    [Theory]
    [InlineData("manual", "EnforceMfa", "true", false)]
    [InlineData("automatic", "EnforceMfa", "true", true)]
    [InlineData("automatic", "DisableConsoleAccess", "true", true)]
    [InlineData("manual", "DisableConsoleAccess", "false", false)]
    public void Remediation_On_CreatesTheSingleAccountPieces_AndConfigOnlyWithTheRule(string mode, string action, string createRule, bool automatic)
    {
        var parameters = new Dictionary<string, string> { ["Remediation"] = mode, ["RemediationAction"] = action, ["CreateRule"] = createRule };
        var decided = Decide(parameters);
        var created = Created(parameters);
        var types = created.Select(r => r.Resource.GetProperty("Type").GetString()!).ToList();
        var enforce = action == "EnforceMfa";

        Assert.Contains("AWS::SSM::Document", types);
        Assert.Equal(enforce, types.Contains("AWS::IAM::ManagedPolicy"));
        var (remediateId, remediate) = Assert.Single(created, r => r.Resource.GetProperty("Type").GetString() == "AWS::Lambda::Function"
            && r.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "remediate");
        // The hourly lifting run exists with EnforceMfa only.
        Assert.Equal(enforce, created.Any(r => r.Resource.GetProperty("Type").GetString() == "AWS::Events::Rule" && r.LogicalId.StartsWith("AccountRemediation", StringComparison.Ordinal)));
        var variables = remediate.GetProperty("Properties").GetProperty("Environment").GetProperty("Variables");
        Assert.Equal("${RemediationAction}", Cfn.Render(variables.GetProperty("REMEDIATION_ACTION")));
        var policyArn = Chosen(variables.GetProperty("ENFORCEMENT_POLICY_ARN"), decided);
        Assert.Equal(enforce ? "${" + EnforcementPolicyId + "}" : "${AWS::NoValue}", Cfn.Render(policyArn));
        // The remediate role may attach the enforcement policy, or delete console passwords, never both.
        var permissions = Assert.Single(Cfn.Resources(Template, "AWS::IAM::Policy"), p => p.LogicalId.StartsWith("AccountRemediationRemediatePermissions", StringComparison.Ordinal)).Resource;
        var sids = permissions.GetProperty("Properties").GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray()
            .Select(st => Chosen(st, decided)).Where(st => st.TryGetProperty("Sid", out _)).Select(st => st.GetProperty("Sid").GetString()).ToList();
        Assert.Equal(enforce ? ["FindUserById", "ReadUserLive", "AttachOnlyTheEnforcementPolicy", "FindUsersHoldingTheEnforcementPolicy"]
            : ["FindUserById", "ReadUserLive", "RemoveConsolePasswords"], sids);

        var configurations = created.Where(r => r.Resource.GetProperty("Type").GetString() == "AWS::Config::RemediationConfiguration").ToList();
        if (createRule != "true")
        {
            Assert.Empty(configurations);
            return;
        }
        var (configurationId, configuration) = Assert.Single(configurations);
        var properties = configuration.GetProperty("Properties");
        Assert.Equal(automatic, Chosen(properties.GetProperty("Automatic"), decided).GetBoolean());
        Assert.Equal(automatic ? "5" : "{\"Ref\":\"AWS::NoValue\"}", Chosen(properties.GetProperty("MaximumAutomaticAttempts"), decided).GetRawText());
        Assert.Equal(automatic ? "60" : "{\"Ref\":\"AWS::NoValue\"}", Chosen(properties.GetProperty("RetryAttemptSeconds"), decided).GetRawText());
        Assert.Equal("${RuleName}", Cfn.Render(properties.GetProperty("ConfigRuleName")));
        Assert.Equal("${RemediationAction}", Cfn.Render(properties.GetProperty("Parameters").GetProperty("Action").GetProperty("StaticValue").GetProperty("Values")[0]));
        Assert.Equal("[\"false\"]", properties.GetProperty("Parameters").GetProperty("DryRun").GetProperty("StaticValue").GetProperty("Values").GetRawText());
        var rule = Assert.Single(Cfn.Resources(Template, "AWS::Config::ConfigRule")).LogicalId;
        Assert.True(Cfn.CreatedBefore(Template, rule, configurationId));
        Assert.True(Cfn.CreatedBefore(Template, remediateId, configurationId));
    }

    [Fact]
    public void Outputs_NameTheRunbookAndAutomationRole_ForAConformancePacksOwnRemediation()
    {
        var outputs = Template.GetProperty("Outputs");
        var runbook = Assert.Single(Cfn.Resources(Template, "AWS::SSM::Document")).LogicalId;

        Assert.Equal("${" + runbook + "}", Cfn.Render(outputs.GetProperty("RemediationRunbook").GetProperty("Value")));
        Assert.Equal("RemediationOn", outputs.GetProperty("RemediationRunbook").GetProperty("Condition").GetString());
        Assert.EndsWith(".Arn}", Cfn.Render(outputs.GetProperty("RemediationAutomationRoleArn").GetProperty("Value")), StringComparison.Ordinal);
        Assert.Equal("RemediationOn", outputs.GetProperty("RemediationAutomationRoleArn").GetProperty("Condition").GetString());
    }

    [Fact]
    public void Conditions_RemediationConfiguredNeedsTheRule_AndOffMeansOff()
    {
        Assert.False(Decide(new Dictionary<string, string>())["RemediationOn"]);
        Assert.False(Decide(new Dictionary<string, string> { ["RemediationAction"] = "EnforceMfa", ["RemediationDenyAccessKeys"] = "true" })["EnforceMfa"]);
        Assert.False(Decide(new Dictionary<string, string> { ["Remediation"] = "automatic", ["CreateRule"] = "false" })["RemediationConfigured"]);
        Assert.True(Decide(new Dictionary<string, string> { ["Remediation"] = "automatic" })["RemediationConfigured"]);
        Assert.False(Decide(new Dictionary<string, string> { ["Remediation"] = "manual" })["RemediationRunsAutomatically"]);
    }

    /// <summary>The remediate function judges with the rule's own parameters: the template's, as one JSON object.</summary>
    [Fact]
    public void RemediateFunction_RunsTheSamePackage_WithTheRulesParametersAsJson()
    {
        var (_, remediate) = Assert.Single(Cfn.Resources(Template, "AWS::Lambda::Function"), f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "remediate");
        var properties = remediate.GetProperty("Properties");

        Assert.Equal(Evaluate.Resource.GetProperty("Properties").GetProperty("Code").GetRawText(), properties.GetProperty("Code").GetRawText());
        var body = properties.GetProperty("Environment").GetProperty("Variables").GetProperty("RULE_PARAMETERS").GetProperty("Fn::Sub").GetString()!;
        var json = Regex.Replace(body, @"\$\{(\w+)\}", m => Parameter(m.Groups[1].Value).GetProperty("Default").GetString()!);
        Assert.Equal(RuleParameters.Default.ToDictionary(), RuleParameters.ParseJson(json).ToDictionary());
        Assert.Equal(RuleParameters.Keys.Order(StringComparer.Ordinal), Regex.Matches(body, @"\$\{(\w+)\}").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
    }

    /// <summary>The runbook is the single account's, for either action, once CloudFormation substitutes the parameter.</summary>
    [Theory]
    [InlineData("EnforceMfa")]
    [InlineData("DisableConsoleAccess")]
    public void Runbook_IsTheSingleAccountRunbook_ForEitherAction(string actionName)
    {
        Assert.True(MfaConfigRule.Contract.RemediationActionNames.TryParse(actionName, out var action));
        var decided = Decide(new Dictionary<string, string> { ["Remediation"] = "manual", ["RemediationAction"] = action.ToString() });
        var sub = Cfn.Single(Template, "AWS::SSM::Document").GetProperty("Properties").GetProperty("Content").GetProperty("Fn::Sub");
        var variables = sub[1];
        var (remediateId, _) = Assert.Single(Cfn.Resources(Template, "AWS::Lambda::Function"), f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "remediate");

        Assert.Equal("${" + remediateId + ".Arn}", Cfn.Render(variables.GetProperty("FunctionArn")));
        Assert.Equal("${RuleName}", Cfn.Render(variables.GetProperty("RuleName")));
        Assert.Equal("${RemediationAction}", Cfn.Render(variables.GetProperty("Action")));
        var content = sub[0].GetString()!
            .Replace("${ActionDescription}", Chosen(variables.GetProperty("ActionDescription"), decided).GetString(), StringComparison.Ordinal)
            .Replace("${Action}", action.ToString(), StringComparison.Ordinal);
        var expected = MfaConfigRule.Infra.Constructs.Remediation.RemediationDocument.Content("${FunctionArn}", action, "${RuleName}");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(content)), content);
    }

    /// <summary>iam-simulate decides the one enforcement policy both ways: access keys working by default, denied with RemediationDenyAccessKeys=true.</summary>
    [Theory]
    [InlineData("allowed", "", 0)]
    [InlineData("denied", "DenyAccessKeys", 0)]
    [InlineData("denied", "", 1)]
    [InlineData("allowed", "DenyAccessKeys", 1)]
    public async Task EnforcementPolicy_AccessKeysAllowedOrDenied_ByTheParameter_DecidedByIamSimulate(string keys, string trueConditions, int expectedExit)
    {
        var directory = Directory.CreateTempSubdirectory("mfa-account-enforce-");
        try
        {
            var file = Path.Combine(directory.FullName, "MfaConfigRuleAccount.template.json");
            await File.WriteAllTextAsync(file, Template.GetRawText());
            var (exitCode, stdout, stderr) = await NodeScript.RunAsync(Path.Combine("infra", "remediation", "check-enforcement-policy.js"), file, keys, trueConditions);

            Assert.True(exitCode == expectedExit, $"exit {exitCode}\n{stdout}\n{stderr}");
            Assert.Contains(expectedExit == 0 ? "64 decisions checked, 0 wrong" : "64 decisions checked, 6 wrong", stdout, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> CheckAsync(string template)
    {
        var directory = Directory.CreateTempSubdirectory("mfa-account-access-");
        try
        {
            var file = Path.Combine(directory.FullName, "MfaConfigRuleAccount.template.json");
            await File.WriteAllTextAsync(file, template);
            return await NodeScript.RunAsync(AccessScript, file);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

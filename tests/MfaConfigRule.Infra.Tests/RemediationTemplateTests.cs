using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.CDK;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// The optional remediation as synthesized: off by default; the runbook's structure; Config's remediation configuration
/// (manual, automatic); the three-way split of rights (evaluate read-only, remediate limited to the stack's policy,
/// Automation limited to invoking); and the enforcement policy through a real IAM policy evaluator.
/// </summary>
public sealed partial class RemediationTemplateTests
{
    private const string RemediationConfigurationType = "AWS::Config::RemediationConfiguration";

    [Fact]
    public void Template_RemediationNotAskedFor_HasNoRunbookNoConfigurationNoEnforcementPolicy()
    {
        var template = SynthesizedApp.Create().RuleTemplateJson;

        Assert.Empty(Cfn.Resources(template, RemediationConfigurationType));
        Assert.Empty(Cfn.Resources(template, "AWS::SSM::Document"));
        Assert.Empty(Cfn.Resources(template, "AWS::IAM::ManagedPolicy"));
        Assert.DoesNotContain(Cfn.Resources(template, "AWS::Lambda::Function"), f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "remediate");
    }

    [Fact]
    public void Template_ManualRemediation_ConfigurationIsManualWithPascalCaseParametersForTheRulesUsers()
    {
        var app = Synth("manual");
        var template = app.RuleTemplateJson;
        var configuration = Cfn.Single(template, RemediationConfigurationType);
        var properties = configuration.GetProperty("Properties");

        Assert.False(properties.GetProperty("Automatic").GetBoolean());
        Assert.False(properties.TryGetProperty("MaximumAutomaticAttempts", out _));
        Assert.Equal("SSM_DOCUMENT", properties.GetProperty("TargetType").GetString());
        Assert.Equal("AWS::IAM::User", properties.GetProperty("ResourceType").GetString());
        Assert.Equal(RuleSettings.DefaultRuleName, properties.GetProperty("ConfigRuleName").GetString());
        Assert.Equal(SynthesizedApp.LogicalId(app.RuleStack.Remediation!.Document), properties.GetProperty("TargetId").GetProperty("Ref").GetString());
        var parameters = properties.GetProperty("Parameters");
        Assert.Equal("RESOURCE_ID", parameters.GetProperty("IAMResourceId").GetProperty("ResourceValue").GetProperty("Value").GetString());
        Assert.Equal("${" + SynthesizedApp.LogicalId(app.RuleStack.Remediation.AutomationRole) + ".Arn}",
            Cfn.Render(parameters.GetProperty("AutomationAssumeRole").GetProperty("StaticValue").GetProperty("Values")[0]));
        Assert.Equal("EnforceMfa", parameters.GetProperty("Action").GetProperty("StaticValue").GetProperty("Values")[0].GetString());
        Assert.Equal("false", parameters.GetProperty("DryRun").GetProperty("StaticValue").GetProperty("Values")[0].GetString());
        var dependsOn = Cfn.Strings(configuration.GetProperty("DependsOn")).ToList();
        Assert.Contains(SynthesizedApp.LogicalId(app.RuleStack.Rule.Rule), dependsOn);
    }

    [Fact]
    public void Template_AutomaticRemediation_BoundsAttemptsAndRetryPeriodAsAsked()
    {
        var defaults = Cfn.Single(Synth("automatic").RuleTemplateJson, RemediationConfigurationType).GetProperty("Properties");
        var tuned = Cfn.Single(Synth("automatic", extra: new()
        {
            [RemediationSettings.MaxAttemptsKey] = 3,
            [RemediationSettings.RetrySecondsKey] = 600,
        }).RuleTemplateJson, RemediationConfigurationType).GetProperty("Properties");

        Assert.True(defaults.GetProperty("Automatic").GetBoolean());
        Assert.Equal(5, defaults.GetProperty("MaximumAutomaticAttempts").GetInt32());
        Assert.Equal(60, defaults.GetProperty("RetryAttemptSeconds").GetInt32());
        Assert.Equal(3, tuned.GetProperty("MaximumAutomaticAttempts").GetInt32());
        Assert.Equal(600, tuned.GetProperty("RetryAttemptSeconds").GetInt32());
    }

    [Theory]
    [InlineData("EnforceMfa")]
    [InlineData("DisableConsoleAccess")]
    public void Runbook_Structure_IsSchema03WithItsParametersStepsAndOutputsConsistent(string action)
    {
        var app = Synth("manual", action);
        var (document, functionArn) = Runbook(app);

        Assert.Equal("0.3", document.GetProperty("schemaVersion").GetString());
        Assert.Equal("{{ AutomationAssumeRole }}", document.GetProperty("assumeRole").GetString());
        var parameters = document.GetProperty("parameters");
        Assert.Equal(["Action", "AutomationAssumeRole", "DryRun", "IAMResourceId"], parameters.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal([action], parameters.GetProperty("Action").GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("Boolean", parameters.GetProperty("DryRun").GetProperty("type").GetString());
        Assert.Matches(parameters.GetProperty("IAMResourceId").GetProperty("allowedPattern").GetString()!, "AIDAJQABLZS4A3QDU576Q");
        Assert.DoesNotMatch(parameters.GetProperty("IAMResourceId").GetProperty("allowedPattern").GetString()!, "alice");
        Assert.Contains("Undo", document.GetProperty("description").GetString(), StringComparison.Ordinal);

        var steps = document.GetProperty("mainSteps").EnumerateArray().ToList();
        Assert.Equal(["aws:invokeLambdaFunction", "aws:executeScript"], steps.Select(s => s.GetProperty("action").GetString()));
        var invoke = steps[0].GetProperty("inputs");
        Assert.Equal(functionArn, invoke.GetProperty("FunctionName").GetString());
        Assert.Equal("RequestResponse", invoke.GetProperty("InvocationType").GetString());
        Assert.Equal(["Action", "DryRun", "IAMResourceId"], invoke.GetProperty("InputPayload").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(steps[1].GetProperty("name").GetString(), steps[0].GetProperty("nextStep").GetString());
        var script = steps[1].GetProperty("inputs");
        Assert.Equal("python3.11", script.GetProperty("Runtime").GetString());
        Assert.Contains($"def {script.GetProperty("Handler").GetString()}(events, context):", script.GetProperty("Script").GetString(), StringComparison.Ordinal);
        Assert.True(steps[1].GetProperty("isEnd").GetBoolean());

        // Every {{ reference }} names a parameter or an output of an earlier step; every document output exists.
        var known = parameters.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            foreach (Match reference in Reference().Matches(step.GetRawText()))
                Assert.True(known.Contains(reference.Groups[1].Value), $"{step.GetProperty("name")} refers to unknown {reference.Value}");
            var name = step.GetProperty("name").GetString()!;
            if (step.GetProperty("action").GetString() == "aws:invokeLambdaFunction")
                foreach (var output in new[] { "Payload", "StatusCode", "FunctionError", "LogResult" }) known.Add($"{name}.{output}");
            if (step.TryGetProperty("outputs", out var outputs))
            {
                foreach (var output in outputs.EnumerateArray())
                {
                    Assert.StartsWith("$.Payload.", output.GetProperty("Selector").GetString(), StringComparison.Ordinal);
                    known.Add($"{name}.{output.GetProperty("Name").GetString()}");
                }
            }
        }
        foreach (var output in document.GetProperty("outputs").EnumerateArray())
            Assert.Contains(output.GetString()!, known);
    }

    [Fact]
    public void Runbook_AsDeclared_IsYamlSoTheInlineScriptIsAllowed()
    {
        var runbook = Cfn.Single(Synth("manual").RuleTemplateJson, "AWS::SSM::Document").GetProperty("Properties");

        Assert.Equal("Automation", runbook.GetProperty("DocumentType").GetString());
        Assert.Equal("YAML", runbook.GetProperty("DocumentFormat").GetString());
    }

    [Fact]
    public void RemediateRole_EnforceMfa_MayAttachAndDetachOnlyTheStacksPolicyAndDeletesNoPasswords()
    {
        var app = Synth("manual");
        var template = app.RuleTemplateJson;
        var remediation = app.RuleStack.Remediation!;
        var policyId = SynthesizedApp.LogicalId(remediation.EnforcementPolicy!);
        var statements = StatementsOf(template, SynthesizedApp.LogicalId(remediation.RemediateFunction.Role));

        var actions = statements.SelectMany(s => Cfn.Strings(s.GetProperty("Action"))).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["iam:AttachUserPolicy", "iam:DetachUserPolicy", "iam:GetLoginProfile", "iam:GetUser", "iam:ListAttachedUserPolicies",
             "iam:ListEntitiesForPolicy", "iam:ListMFADevices", "iam:ListUserTags", "iam:ListUsers", "logs:CreateLogStream", "logs:PutLogEvents"],
            actions);
        var attach = Assert.Single(statements, s => Cfn.Strings(s.GetProperty("Action")).Contains("iam:AttachUserPolicy"));
        Assert.Equal("${" + policyId + "}", Cfn.Render(attach.GetProperty("Condition").GetProperty("ArnEquals").GetProperty("iam:PolicyARN")));
        Assert.All(statements, s => Assert.Equal("Allow", s.GetProperty("Effect").GetString()));
        Assert.DoesNotContain(Cfn.Resources(template, "AWS::IAM::Policy").Select(p => p.Resource.GetRawText()), text => text.Contains("iam:DeleteLoginProfile", StringComparison.Ordinal));
    }

    [Fact]
    public void RemediateRole_DisableConsoleAccess_MayDeleteLoginProfilesAndAttachNothing()
    {
        var app = Synth("manual", "DisableConsoleAccess");
        var remediation = app.RuleStack.Remediation!;
        var statements = StatementsOf(app.RuleTemplateJson, SynthesizedApp.LogicalId(remediation.RemediateFunction.Role));

        var actions = statements.SelectMany(s => Cfn.Strings(s.GetProperty("Action"))).ToList();
        Assert.Contains("iam:DeleteLoginProfile", actions);
        Assert.DoesNotContain("iam:AttachUserPolicy", actions);
        Assert.Null(remediation.EnforcementPolicy);
        Assert.Null(remediation.LiftSchedule);
        Assert.Empty(Cfn.Resources(app.RuleTemplateJson, "AWS::IAM::ManagedPolicy"));
    }

    [Fact]
    public void AutomationRole_TrustsOnlySsmOfThisAccountAndMayOnlyInvokeTheRemediateFunction()
    {
        var app = Synth("automatic");
        var remediation = app.RuleStack.Remediation!;
        var roleId = SynthesizedApp.LogicalId(remediation.AutomationRole);
        var role = app.RuleTemplateJson.GetProperty("Resources").GetProperty(roleId).GetProperty("Properties");

        var trust = Assert.Single(Cfn.Statements(role.GetProperty("AssumeRolePolicyDocument")));
        Assert.Equal("ssm.amazonaws.com", trust.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal("${AWS::AccountId}", Cfn.Render(trust.GetProperty("Condition").GetProperty("StringEquals").GetProperty("aws:SourceAccount")));
        Assert.Equal("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:automation-execution/*",
            Cfn.Render(trust.GetProperty("Condition").GetProperty("ArnLike").GetProperty("aws:SourceArn")));
        Assert.Equal(
            new SortedSet<string>(StringComparer.Ordinal) { "lambda:InvokeFunction on ${" + SynthesizedApp.LogicalId(remediation.RemediateFunction.Function) + ".Arn}" },
            Cfn.GrantsOfRole(app.RuleTemplateJson, roleId));
    }

    [Fact]
    public void EvaluateRole_WithRemediationOn_StaysReadOnly()
    {
        var off = SynthesizedApp.Create();
        var on = Synth("automatic");

        var before = Cfn.GrantsOfRole(off.RuleTemplateJson, SynthesizedApp.LogicalId(off.RuleStack.Rule.EvaluateFunction.Role));
        var after = Cfn.GrantsOfRole(on.RuleTemplateJson, SynthesizedApp.LogicalId(on.RuleStack.Rule.EvaluateFunction.Role));

        Assert.Equal(before, after);
        Assert.DoesNotContain(after, g => Regex.IsMatch(g, "^iam:(Attach|Detach|Delete|Put|Create|Update)"));
    }

    [Fact]
    public void RemediateFunction_Environment_CarriesTheRulesOwnParametersActionAndPolicy()
    {
        var app = Synth("manual", extra: new() { [RuleSettings.ParametersKey] = new Dictionary<string, object> { ["ExemptUserNames"] = "break-glass", ["GracePeriodHours"] = "24" } });
        var remediation = app.RuleStack.Remediation!;
        var function = app.RuleTemplateJson.GetProperty("Resources").GetProperty(SynthesizedApp.LogicalId(remediation.RemediateFunction.Function)).GetProperty("Properties");
        var variables = function.GetProperty("Environment").GetProperty("Variables");
        var rule = Cfn.Single(app.RuleTemplateJson, "AWS::Config::ConfigRule").GetProperty("Properties").GetProperty("InputParameters");

        Assert.Equal("remediate", function.GetProperty("Handler").GetString());
        Assert.Equal("EnforceMfa", variables.GetProperty("REMEDIATION_ACTION").GetString());
        Assert.Equal("${" + SynthesizedApp.LogicalId(remediation.EnforcementPolicy!) + "}", Cfn.Render(variables.GetProperty("ENFORCEMENT_POLICY_ARN")));
        var parameters = JsonDocument.Parse(variables.GetProperty("RULE_PARAMETERS").GetString()!).RootElement;
        Assert.Equal(
            rule.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()),
            parameters.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()));
    }

    [Fact]
    public void LiftSchedule_EnforceMfa_InvokesTheRemediateFunctionHourly()
    {
        var app = Synth("manual");
        var remediation = app.RuleStack.Remediation!;
        var schedules = Cfn.Resources(app.RuleTemplateJson, "AWS::Events::Rule")
            .Where(r => r.Resource.GetProperty("Properties").TryGetProperty("ScheduleExpression", out _)).ToList();

        var schedule = Assert.Single(schedules).Resource.GetProperty("Properties");
        Assert.Equal("rate(1 hour)", schedule.GetProperty("ScheduleExpression").GetString());
        Assert.Equal("${" + SynthesizedApp.LogicalId(remediation.RemediateFunction.Function) + ".Arn}", Cfn.Render(schedule.GetProperty("Targets")[0].GetProperty("Arn")));
    }

    [Theory]
    [InlineData(RemediationSettings.ModeKey, "sometimes", "not a remediation mode")]
    [InlineData(RemediationSettings.ActionKey, "DeleteUser", "not a remediation action")]
    [InlineData(RemediationSettings.MaxAttemptsKey, "30", "outside 1-25")]
    public void Settings_BadRemediationContext_FailsNamingTheKey(string key, string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            MfaRuleSettings.FromContext(new App(new AppProps { Context = new Dictionary<string, object> { [key] = value } }).Node, SynthesizedApp.Account, "eu-west-1"));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_DenyAccessKeysWithDisableConsoleAccess_IsAContradiction()
    {
        var error = Assert.Throws<ArgumentException>(() => MfaRuleSettings.FromContext(new App(new AppProps
        {
            Context = new Dictionary<string, object>
            {
                [RemediationSettings.ModeKey] = "manual",
                [RemediationSettings.ActionKey] = "DisableConsoleAccess",
                [RemediationSettings.DenyAccessKeysKey] = true,
            },
        }).Node, SynthesizedApp.Account, "eu-west-1"));

        Assert.Contains(RemediationSettings.DenyAccessKeysKey, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The synthesized enforcement policy through @cloud-copilot/iam-simulate: every row of its table asserted.</summary>
    [Theory]
    [InlineData(false, "allowed")]
    [InlineData(true, "denied")]
    public async Task EnforcementPolicy_ThroughARealIamPolicyEvaluator_DecidesEveryRowAsTheReadmeSays(bool denyAccessKeys, string accessKeys)
    {
        var app = Synth("manual", extra: new() { [RemediationSettings.DenyAccessKeysKey] = denyAccessKeys });
        var templateFile = Path.Combine(Path.GetTempPath(), $"mfa-remediation-{Guid.NewGuid():N}.template.json");
        await File.WriteAllTextAsync(templateFile, app.RuleTemplateJson.GetRawText());
        try
        {
            var (exitCode, stdout, stderr) = await CheckEnforcementPolicyAsync(templateFile, accessKeys);
            // The same table with the other access-key expectation must fail: the check can tell the two policies apart.
            var (oppositeExit, oppositeOut, _) = await CheckEnforcementPolicyAsync(templateFile, accessKeys == "allowed" ? "denied" : "allowed");

            Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
            Assert.Contains("decisions checked, 0 wrong", stdout, StringComparison.Ordinal);
            Assert.Equal(1, oppositeExit);
            Assert.Contains("6 wrong", oppositeOut, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(templateFile);
        }
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> CheckEnforcementPolicyAsync(string templateFile, string accessKeys) =>
        NodeScript.RunAsync(Path.Combine("infra", "remediation", "check-enforcement-policy.js"), templateFile, accessKeys);

    private static SynthesizedApp Synth(string mode, string action = "EnforceMfa", Dictionary<string, object>? extra = null)
    {
        var context = new Dictionary<string, object>
        {
            [RemediationSettings.ModeKey] = mode,
            [RemediationSettings.ActionKey] = action,
        };
        foreach (var (key, value) in extra ?? []) context[key] = value;
        return SynthesizedApp.Create(context);
    }

    /// <summary>The runbook's content as parsed JSON (YAML's JSON subset), and how its FunctionName renders.</summary>
    private static (JsonElement Document, string FunctionArn) Runbook(SynthesizedApp app)
    {
        var properties = Cfn.Single(app.RuleTemplateJson, "AWS::SSM::Document").GetProperty("Properties");
        var content = Cfn.Render(properties.GetProperty("Content"));
        return (JsonDocument.Parse(content).RootElement.Clone(),
            "${" + SynthesizedApp.LogicalId(app.RuleStack.Remediation!.RemediateFunction.Function) + ".Arn}");
    }

    private static List<JsonElement> StatementsOf(JsonElement template, string roleLogicalId) =>
        Cfn.Resources(template, "AWS::IAM::Policy")
            .Where(p => p.Resource.GetProperty("Properties").GetProperty("Roles").EnumerateArray()
                .Any(r => r.TryGetProperty("Ref", out var reference) && reference.GetString() == roleLogicalId))
            .SelectMany(p => Cfn.Statements(p.Resource.GetProperty("Properties").GetProperty("PolicyDocument")))
            .ToList();

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}")]
    private static partial Regex Reference();
}

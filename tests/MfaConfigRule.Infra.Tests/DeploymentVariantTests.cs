using System.Text.Json;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// Facts CloudFormation's ordering and IAM's trust rest on, asserted on every variant infra/check-templates.sh
/// synthesizes: what must exist before a resource starts working, and who may assume each role.
/// </summary>
public sealed class DeploymentVariantTests
{
    public static TheoryData<string> Variants => TemplateVariants.Names;

    [Fact]
    public void Variants_CoverTheRuleInAndOutsideUsEast1AndTheRecorder()
    {
        var regions = TemplateVariants.All.Select(v => v.Context.GetValueOrDefault(MfaRuleSettings.RegionKey)).ToHashSet();

        Assert.Contains("us-east-1", regions);
        Assert.Contains(regions, r => r is not null && r != "us-east-1");
        Assert.Contains(TemplateVariants.All, v => v.Context.GetValueOrDefault(RuleSettings.CreateRecorderKey) == "true");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void ConfigRule_EveryVariant_IsCreatedAfterEverythingItsFirstEvaluationNeeds(string variant)
    {
        var app = TemplateVariants.Synthesize(variant);
        var template = app.RuleTemplateJson;
        var rule = SynthesizedApp.LogicalId(app.RuleStack.Rule.Rule);
        var evaluateRole = SynthesizedApp.LogicalId(app.RuleStack.Rule.EvaluateFunction.Role);

        // Config checks it may invoke the function and starts evaluating as soon as the rule exists.
        Assert.True(Cfn.CreatedBefore(template, SynthesizedApp.LogicalId(app.RuleStack.Rule.InvokePermission), rule));
        var policies = PoliciesOf(template, evaluateRole).ToList();
        Assert.NotEmpty(policies);
        foreach (var policy in policies)
            Assert.True(Cfn.CreatedBefore(template, policy, rule), $"{policy} of the evaluate role can follow the rule: its first evaluations would be denied");
        if (app.RuleStack.Recorder is { } recorder)
        {
            Assert.True(Cfn.CreatedBefore(template, SynthesizedApp.LogicalId(recorder.Recorder), rule));
            Assert.True(Cfn.CreatedBefore(template, SynthesizedApp.LogicalId(recorder.DeliveryChannel), rule));
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Functions_EveryVariant_HaveTheirPermissionsBeforeAnythingInvokesThem(string variant)
    {
        var app = TemplateVariants.Synthesize(variant);
        var template = app.RuleTemplateJson;
        var invokers = Cfn.Resources(template)
            .Where(r => r.Resource.GetProperty("Type").GetString() is "AWS::Config::ConfigRule" or "AWS::Events::Rule"
                        || r.Resource.GetProperty("Type").GetString()!.StartsWith("Custom::", StringComparison.Ordinal))
            .Select(r => r.LogicalId)
            .ToList();
        var checkedInvokers = 0;

        foreach (var (functionId, function) in Cfn.Resources(template, "AWS::Lambda::Function"))
        {
            var role = function.GetProperty("Properties").GetProperty("Role").GetProperty("Fn::GetAtt")[0].GetString()!;
            foreach (var invoker in invokers.Where(i => Cfn.DirectPrerequisites(template, i).Contains(functionId)))
            {
                checkedInvokers++;
                foreach (var policy in PoliciesOf(template, role))
                    Assert.True(Cfn.CreatedBefore(template, policy, invoker), $"{invoker} can invoke {functionId} before {policy} of its role exists");
            }
        }
        // The Config rule, and the trigger's EventBridge rule, the forwarding custom resource and EnforceMfa's hourly
        // lifting schedule where they exist.
        Assert.Equal(1 + (app.RuleStack.Reevaluation is null ? 0 : 1) + (app.RuleStack.Forwarder is null ? 0 : 1) + (app.RuleStack.Remediation?.LiftSchedule is null ? 0 : 1),
            checkedInvokers);
        if (app.RuleStack.Forwarder is { } forwarder)
        {
            var forwarding = SynthesizedApp.LogicalId(forwarder.Forwarding);
            foreach (var policy in PoliciesOf(template, SynthesizedApp.LogicalId(forwarder.Role)))
                Assert.True(Cfn.CreatedBefore(template, policy, forwarding), "the us-east-1 rule forwards before its role may put events");
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Roles_EveryVariant_TrustAServiceOnlyForThisAccountWhereTheServiceSupportsIt(string variant)
    {
        var app = TemplateVariants.Synthesize(variant);
        var problems = new List<string>();

        foreach (var (roleId, role) in Cfn.Resources(app.RuleTemplateJson, "AWS::IAM::Role"))
        {
            foreach (var trust in Cfn.Statements(role.GetProperty("Properties").GetProperty("AssumeRolePolicyDocument")))
            {
                var service = trust.GetProperty("Principal").GetProperty("Service").GetString();
                var all = trust.TryGetProperty("Condition", out var c) ? c : default;
                string? ConditionOf(string op, string key) =>
                    all.ValueKind == JsonValueKind.Object && all.TryGetProperty(op, out var conditions) && conditions.TryGetProperty(key, out var value)
                        ? Cfn.Render(value) : null;
                string? Condition(string key) => ConditionOf("StringEquals", key);
                switch (service)
                {
                    // Lambda's documented execution-role trust policy has no source condition; a function can only use a
                    // role it was given, and giving one takes iam:PassRole.
                    case "lambda.amazonaws.com":
                        break;
                    case "config.amazonaws.com" when Condition("aws:SourceAccount") == "${AWS::AccountId}":
                        break;
                    case "events.amazonaws.com" when Condition("aws:SourceAccount") == "${AWS::AccountId}"
                                                     && Condition("aws:SourceArn") is { } rule && rule.Contains(":rule/", StringComparison.Ordinal):
                        break;
                    // SSM Automation's documented confused-deputy conditions: this account, and its automation executions.
                    case "ssm.amazonaws.com" when Condition("aws:SourceAccount") == "${AWS::AccountId}"
                                                  && ConditionOf("ArnLike", "aws:SourceArn") is { } execution && execution.Contains(":automation-execution/", StringComparison.Ordinal):
                        break;
                    default:
                        problems.Add($"{roleId}: {service} {trust.GetRawText()}");
                        break;
                }
            }
        }

        Assert.True(problems.Count == 0, "trust without the source conditions the service supports:" + Environment.NewLine + Cfn.Describe(problems));
    }

    /// <summary>The AWS::IAM::Policy resources attached to a role.</summary>
    private static IEnumerable<string> PoliciesOf(JsonElement template, string roleId) =>
        Cfn.Resources(template, "AWS::IAM::Policy")
            .Where(p => p.Resource.GetProperty("Properties").GetProperty("Roles").EnumerateArray()
                .Any(r => r.TryGetProperty("Ref", out var reference) && reference.GetString() == roleId))
            .Select(p => p.LogicalId);
}

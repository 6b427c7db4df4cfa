using System.Text.Json;
using System.Text.Json.Nodes;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// Outside us-east-1 the rule's own stack creates the us-east-1 EventBridge rule by API calls (AwsCustomResource), so the
/// app is one stack: these read the calls as CloudFormation will hand them to the provider function.
/// </summary>
public sealed class ForwarderTemplateTests
{
    private const string RuleName = "MfaConfigRule-iam-to-eu-central-1";
    private const string RuleArn = "arn:${AWS::Partition}:events:us-east-1:${AWS::AccountId}:rule/" + RuleName;
    private const string BusArn = "arn:${AWS::Partition}:events:eu-central-1:${AWS::AccountId}:event-bus/default";

    private readonly SynthesizedApp _app = SynthesizedApp.Create(region: "eu-central-1");

    private Constructs.IamEventForwarder Forwarder => Assert.IsType<Constructs.IamEventForwarder>(_app.RuleStack.Forwarder);

    private string RoleArn => "${" + SynthesizedApp.LogicalId(Forwarder.Role) + ".Arn}";

    [Fact]
    public void AddStack_RuleOutsideUsEast1_SynthesizesOneStackInTheRulesRegion()
    {
        Assert.Single(_app.AllTemplates);
        Assert.Equal("eu-central-1", _app.RuleStack.Region);
        // Only the trigger's rule is a CloudFormation resource; the us-east-1 one is made by API call.
        _app.RuleTemplate.ResourceCountIs("AWS::Events::Rule", 1);
    }

    [Fact]
    public void Forwarder_CreateAndUpdate_PutTheIamChangeRuleInUsEast1()
    {
        var resource = Cfn.Single(_app.RuleTemplateJson, "Custom::IamEventForwardRule").GetProperty("Properties");

        foreach (var phase in new[] { "Create", "Update" })
        {
            var call = Call(resource, phase);
            Assert.Equal("EventBridge", call["service"]!.GetValue<string>());
            Assert.Equal("putRule", call["action"]!.GetValue<string>());
            Assert.Equal("us-east-1", call["region"]!.GetValue<string>());
            Assert.Equal(RuleName, call["physicalResourceId"]!["id"]!.GetValue<string>());
            var parameters = call["parameters"]!;
            Assert.Equal(RuleName, parameters["Name"]!.GetValue<string>());
            Assert.Equal("ENABLED", parameters["State"]!.GetValue<string>());
            var pattern = JsonNode.Parse(parameters["EventPattern"]!.GetValue<string>());
            Assert.True(
                JsonNode.DeepEquals(JsonSerializer.SerializeToNode(ConfigRuleTemplateTests.ExpectedPattern), pattern),
                $"{phase} pattern: {pattern}");
        }
    }

    [Fact]
    public void Forwarder_Delete_DeletesTheUsEast1Rule()
    {
        var resource = Cfn.Single(_app.RuleTemplateJson, "Custom::IamEventForwardRule").GetProperty("Properties");

        var call = Call(resource, "Delete");

        Assert.Equal("deleteRule", call["action"]!.GetValue<string>());
        Assert.Equal("us-east-1", call["region"]!.GetValue<string>());
        Assert.Equal(RuleName, call["parameters"]!["Name"]!.GetValue<string>());
    }

    [Fact]
    public void Forwarder_Target_IsTheRuleRegionsDefaultBusWithTheForwardRole()
    {
        var (targetId, target) = Assert.Single(Cfn.Resources(_app.RuleTemplateJson, "Custom::IamEventForwardTarget"));
        var properties = target.GetProperty("Properties");

        foreach (var phase in new[] { "Create", "Update" })
        {
            var call = Call(properties, phase);
            Assert.Equal("putTargets", call["action"]!.GetValue<string>());
            Assert.Equal("us-east-1", call["region"]!.GetValue<string>());
            Assert.Equal(RuleName, call["parameters"]!["Rule"]!.GetValue<string>());
            var only = Assert.Single(call["parameters"]!["Targets"]!.AsArray());
            Assert.Equal(BusArn, only!["Arn"]!.GetValue<string>());
            Assert.Equal(RoleArn, only["RoleArn"]!.GetValue<string>());
        }
        var delete = Call(properties, "Delete");
        Assert.Equal("removeTargets", delete["action"]!.GetValue<string>());
        Assert.Equal("us-east-1", delete["region"]!.GetValue<string>());
        Assert.Equal(RuleName, delete["parameters"]!["Rule"]!.GetValue<string>());
        var createdId = Call(properties, "Create")["parameters"]!["Targets"]![0]!["Id"]!.GetValue<string>();
        Assert.Equal([createdId], delete["parameters"]!["Ids"]!.AsArray().Select(id => id!.GetValue<string>()));
        // CloudFormation deletes in reverse dependency order: targets are removed before the rule is deleted.
        var ruleId = Assert.Single(Cfn.Resources(_app.RuleTemplateJson, "Custom::IamEventForwardRule")).LogicalId;
        Assert.Contains(ruleId, Cfn.Strings(_app.RuleTemplateJson.GetProperty("Resources").GetProperty(targetId).GetProperty("DependsOn")));
    }

    [Fact]
    public void Forwarder_Role_IsAssumedByEventBridgeAndMayOnlyPutEventsOnTheBus()
    {
        var role = SynthesizedApp.LogicalId(Forwarder.Role);
        var template = _app.RuleTemplateJson;

        Assert.Equal(
            new SortedSet<string>(StringComparer.Ordinal) { "events:PutEvents on " + BusArn },
            Cfn.GrantsOfRole(template, role));
        var trust = Assert.Single(Cfn.Statements(
            template.GetProperty("Resources").GetProperty(role).GetProperty("Properties").GetProperty("AssumeRolePolicyDocument")));
        Assert.Equal("events.amazonaws.com", trust.GetProperty("Principal").GetProperty("Service").GetString());
    }

    [Fact]
    public void Forwarder_ProviderFunctionPolicies_GrantOnlyTheCallsOnThatRuleAndPassingThatRoleToEventBridge()
    {
        var template = _app.RuleTemplateJson;
        var providerRole = Assert.Single(Cfn.Resources(template, "AWS::Lambda::Function"),
            f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "index.handler"
                 && f.LogicalId.StartsWith("AWS679f53fac002430cb0da5b7982bd2287", StringComparison.Ordinal))
            .Resource.GetProperty("Properties").GetProperty("Role").GetProperty("Fn::GetAtt")[0].GetString();
        var grants = new SortedSet<string>(StringComparer.Ordinal);

        foreach (var (_, policy) in Cfn.Resources(template, "AWS::IAM::Policy"))
        {
            var properties = policy.GetProperty("Properties");
            if (!properties.GetProperty("Roles").EnumerateArray().Any(r => r.GetProperty("Ref").GetString() == providerRole)) continue;
            foreach (var statement in Cfn.Statements(properties.GetProperty("PolicyDocument")))
            {
                Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
                var condition = statement.TryGetProperty("Condition", out var c) ? " if " + c.GetRawText() : "";
                foreach (var action in Cfn.Strings(statement.GetProperty("Action")))
                    foreach (var resource in Cfn.Items(statement.GetProperty("Resource")))
                        grants.Add($"{action} on {Cfn.Render(resource)}{condition}");
            }
        }

        Assert.Equal(
            new SortedSet<string>(StringComparer.Ordinal)
            {
                "events:DeleteRule on " + RuleArn,
                "events:PutRule on " + RuleArn,
                "events:PutTargets on " + RuleArn,
                "events:RemoveTargets on " + RuleArn,
                "iam:PassRole on " + RoleArn + """ if {"StringEquals":{"iam:PassedToService":"events.amazonaws.com"}}""",
            },
            grants);
    }

    [Fact]
    public void Forwarder_ProviderFunction_RunsOnANodeRuntimeLambdaStillCreates()
    {
        var provider = Assert.Single(Cfn.Resources(_app.RuleTemplateJson, "AWS::Lambda::Function"),
            f => f.LogicalId.StartsWith("AWS679f53fac002430cb0da5b7982bd2287", StringComparison.Ordinal)).Resource;

        // nodejs20.x, CDK 2.160's choice, can no longer be created (since 2026-06-01).
        Assert.Equal("nodejs24.x", provider.GetProperty("Properties").GetProperty("Runtime").GetString());
    }

    [Fact]
    public void Forwarder_RuleInUsEast1_IsNotNeeded()
    {
        var app = SynthesizedApp.Create(region: "us-east-1");

        Assert.Null(app.RuleStack.Forwarder);
        Assert.Single(app.AllTemplates);
        Assert.DoesNotContain(Cfn.Resources(app.RuleTemplateJson), r => r.Resource.GetProperty("Type").GetString()!.StartsWith("Custom::", StringComparison.Ordinal));
        app.RuleTemplate.ResourceCountIs("AWS::Events::Rule", 1);
    }

    [Fact]
    public void AddStack_RegionUnknown_FailsAndSaysHowToSetIt()
    {
        var error = Assert.Throws<ArgumentException>(() => SynthesizedApp.Create(region: null));

        Assert.Contains(MfaRuleSettings.RegionKey, error.Message, StringComparison.Ordinal);
    }

    /// <summary>An AwsCustomResource call is a JSON string, joined with intrinsics when it holds any (rendered as <c>${..}</c>).</summary>
    private static JsonNode Call(JsonElement properties, string phase) => JsonNode.Parse(Cfn.Render(properties.GetProperty(phase)))!;
}

using System.Text.Json;
using System.Text.Json.Nodes;
using MfaConfigRule.Infra.Constructs.Reevaluation;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// Outside us-east-1 the rule's own stack creates the us-east-1 EventBridge rule and its target through a custom resource
/// (infra/custom-resource/index.js, whose calls its node tests check), so the app is one stack: these read what CloudFormation
/// hands that provider, and what the provider may do.
/// </summary>
public sealed class ForwarderTemplateTests
{
    private const string RuleName = "MfaConfigRule-iam-to-eu-central-1";
    private const string RuleArn = "arn:${AWS::Partition}:events:us-east-1:${AWS::AccountId}:rule/" + RuleName;
    private const string BusArn = "arn:${AWS::Partition}:events:eu-central-1:${AWS::AccountId}:event-bus/default";

    private readonly SynthesizedApp _app = SynthesizedApp.Create(region: "eu-central-1");

    private IamEventForwarder Forwarder => Assert.IsType<IamEventForwarder>(_app.RuleStack.Forwarder);

    private string RoleArn => "${" + SynthesizedApp.LogicalId(Forwarder.Role) + ".Arn}";

    private JsonElement Resource(global::Constructs.IConstruct construct) =>
        _app.RuleTemplateJson.GetProperty("Resources").GetProperty(SynthesizedApp.LogicalId(construct));

    [Fact]
    public void AddStack_RuleOutsideUsEast1_SynthesizesOneStackInTheRulesRegion()
    {
        Assert.Single(_app.AllTemplates);
        Assert.Equal("eu-central-1", _app.RuleStack.Region);
        // Only the trigger's rule is a CloudFormation resource; the us-east-1 one is made by API call.
        _app.RuleTemplate.ResourceCountIs("AWS::Events::Rule", 1);
        _app.RuleTemplate.ResourceCountIs(IamEventForwarder.ResourceType, 1);
    }

    [Fact]
    public void Forwarding_Properties_AreTheUsEast1RuleWithTheIamPatternAndTheRuleRegionsBusAsItsTarget()
    {
        var properties = Resource(Forwarder.Forwarding).GetProperty("Properties");

        Assert.Equal("${" + SynthesizedApp.LogicalId(Forwarder.Provider) + ".Arn}", Cfn.Render(properties.GetProperty("ServiceToken")));
        Assert.Equal("us-east-1", properties.GetProperty("Region").GetString());
        Assert.Equal(RuleName, properties.GetProperty("RuleName").GetString());
        Assert.Equal(BusArn, Cfn.Render(properties.GetProperty("TargetArn")));
        Assert.Equal(RoleArn, Cfn.Render(properties.GetProperty("RoleArn")));
        Assert.False(string.IsNullOrEmpty(properties.GetProperty("TargetId").GetString()));
        var pattern = JsonNode.Parse(properties.GetProperty("EventPattern").GetString()!);
        Assert.True(JsonNode.DeepEquals(JsonSerializer.SerializeToNode(ConfigRuleTemplateTests.ExpectedPattern), pattern), $"pattern: {pattern}");
        // A provider that cannot answer fails the deploy within minutes, not after CloudFormation's default hour.
        Assert.InRange(properties.GetProperty("ServiceTimeout").GetInt32(), 60, 600);
    }

    [Fact]
    public void Provider_Code_IsTheTestedHandlerInlinedOnANodeRuntimeLambdaStillCreates()
    {
        var properties = Resource(Forwarder.Provider).GetProperty("Properties");
        var tested = File.ReadAllText(Path.Combine(SynthesizedApp.RepositoryRoot(), "infra", "custom-resource", "index.js"));

        Assert.Equal(tested, properties.GetProperty("Code").GetProperty("ZipFile").GetString());
        Assert.Equal("index.handler", properties.GetProperty("Handler").GetString());
        // nodejs20.x, CDK 2.160's newest, can no longer be created (since 2026-06-01).
        Assert.Equal("nodejs24.x", properties.GetProperty("Runtime").GetString());
    }

    [Fact]
    public void ForwardRole_IsAssumedByEventBridgeForThatRuleOnlyAndMayOnlyPutEventsOnTheBus()
    {
        var role = SynthesizedApp.LogicalId(Forwarder.Role);
        var template = _app.RuleTemplateJson;

        Assert.Equal(
            new SortedSet<string>(StringComparer.Ordinal) { "events:PutEvents on " + BusArn },
            Cfn.GrantsOfRole(template, role));
        var trust = Assert.Single(Cfn.Statements(Resource(Forwarder.Role).GetProperty("Properties").GetProperty("AssumeRolePolicyDocument")));
        Assert.Equal("events.amazonaws.com", trust.GetProperty("Principal").GetProperty("Service").GetString());
        var condition = trust.GetProperty("Condition").GetProperty("StringEquals");
        Assert.Equal("${AWS::AccountId}", Cfn.Render(condition.GetProperty("aws:SourceAccount")));
        Assert.Equal(RuleArn, Cfn.Render(condition.GetProperty("aws:SourceArn")));
    }

    [Fact]
    public void ProviderRole_GrantsOnlyTheCallsOnThatRulePassingThatRoleToEventBridgeAndItsOwnLogs()
    {
        var template = _app.RuleTemplateJson;
        var logs = SynthesizedApp.LogicalId(Forwarder.ProviderLogGroup);
        var grants = new SortedSet<string>(StringComparer.Ordinal);

        foreach (var (_, policy) in Cfn.Resources(template, "AWS::IAM::Policy"))
        {
            var properties = policy.GetProperty("Properties");
            if (!properties.GetProperty("Roles").EnumerateArray().Any(r => r.GetProperty("Ref").GetString() == SynthesizedApp.LogicalId(Forwarder.ProviderRole))) continue;
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
                $"logs:CreateLogStream on ${{{logs}.Arn}}",
                $"logs:PutLogEvents on ${{{logs}.Arn}}",
            },
            grants);
        var role = Resource(Forwarder.ProviderRole).GetProperty("Properties");
        Assert.False(role.TryGetProperty("ManagedPolicyArns", out _), "the provider role has managed policies");
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
}

using Amazon.CDK.Assertions;
using Match = Amazon.CDK.Assertions.Match;

namespace MfaConfigRule.Infra.Tests;

public sealed class ForwarderTemplateTests
{
    [Fact]
    public void Forwarder_RuleOutsideUsEast1_ForwardsFromUsEast1ToThatRegionsDefaultBus()
    {
        var app = SynthesizedApp.Create(region: "eu-central-1");
        var forwarder = Assert.IsType<Stacks.IamEventForwarderStack>(app.ForwarderStack);
        var template = Template.FromStack(forwarder);
        var role = SynthesizedApp.LogicalId(forwarder.Forwarder.Role);
        var bus = new Dictionary<string, object>
        {
            ["Fn::Join"] = new object[]
            {
                "",
                new object[]
                {
                    "arn:", new Dictionary<string, object> { ["Ref"] = "AWS::Partition" },
                    ":events:eu-central-1:", new Dictionary<string, object> { ["Ref"] = "AWS::AccountId" },
                    ":event-bus/default",
                },
            },
        };

        Assert.Equal("us-east-1", forwarder.Region);
        template.HasResourceProperties("AWS::Events::Rule", new Dictionary<string, object>
        {
            ["EventPattern"] = Match.ObjectEquals(ConfigRuleTemplateTests.ExpectedPattern),
            ["Targets"] = new object[]
            {
                Match.ObjectEquals(new Dictionary<string, object>
                {
                    ["Arn"] = bus,
                    ["Id"] = "Target0",
                    ["RoleArn"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { role, "Arn" } },
                }),
            },
        });
        Assert.Equal(
            new SortedSet<string>(StringComparer.Ordinal) { "events:PutEvents on arn:${AWS::Partition}:events:eu-central-1:${AWS::AccountId}:event-bus/default" },
            Cfn.GrantsOfRole(SynthesizedApp.Json(forwarder), role));
        template.HasResourceProperties("AWS::IAM::Role", new Dictionary<string, object>
        {
            ["AssumeRolePolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = new object[]
                {
                    Match.ObjectLike(new Dictionary<string, object> { ["Principal"] = new Dictionary<string, object> { ["Service"] = "events.amazonaws.com" } }),
                },
            }),
        });
    }

    [Fact]
    public void Forwarder_RuleInUsEast1_IsNotNeeded()
    {
        var app = SynthesizedApp.Create(region: "us-east-1");

        Assert.Null(app.ForwarderStack);
        Assert.Single(app.AllTemplates);
        app.RuleTemplate.ResourceCountIs("AWS::Events::Rule", 1);
    }

    [Fact]
    public void AddStacks_RegionUnknown_FailsAndSaysHowToSetIt()
    {
        var error = Assert.Throws<ArgumentException>(() => SynthesizedApp.Create(region: null));

        Assert.Contains(MfaRuleSettings.RegionKey, error.Message, StringComparison.Ordinal);
    }
}

using Amazon.CDK.Assertions;
using MfaConfigRule.Infra.Settings;
using Match = Amazon.CDK.Assertions.Match;

namespace MfaConfigRule.Infra.Tests;

public sealed class RecorderTemplateTests
{
    [Fact]
    public void Recorder_Default_IsNotCreated()
    {
        var template = SynthesizedApp.Create().RuleTemplate;

        template.ResourceCountIs("AWS::Config::ConfigurationRecorder", 0);
        template.ResourceCountIs("AWS::Config::DeliveryChannel", 0);
        template.ResourceCountIs("AWS::S3::Bucket", 0);
    }

    [Fact]
    public void Recorder_Requested_RecordsIamUsersIntoAPrivateEncryptedTlsOnlyBucket()
    {
        var app = SynthesizedApp.Create(new Dictionary<string, object> { [RuleSettings.CreateRecorderKey] = "true" });
        var recorder = app.RuleStack.Recorder!;
        var template = app.RuleTemplate;

        template.HasResourceProperties("AWS::Config::ConfigurationRecorder", new Dictionary<string, object>
        {
            ["RecordingGroup"] = Match.ObjectEquals(new Dictionary<string, object>
            {
                ["AllSupported"] = false,
                ["IncludeGlobalResourceTypes"] = false,
                ["ResourceTypes"] = new[] { "AWS::IAM::User" },
                ["RecordingStrategy"] = new Dictionary<string, object> { ["UseOnly"] = "INCLUSION_BY_RESOURCE_TYPES" },
            }),
        });
        template.HasResourceProperties("AWS::S3::Bucket", new Dictionary<string, object>
        {
            ["BucketEncryption"] = new Dictionary<string, object>
            {
                ["ServerSideEncryptionConfiguration"] = new object[]
                {
                    new Dictionary<string, object> { ["ServerSideEncryptionByDefault"] = new Dictionary<string, object> { ["SSEAlgorithm"] = "AES256" } },
                },
            },
            ["PublicAccessBlockConfiguration"] = Match.ObjectEquals(new Dictionary<string, object>
            {
                ["BlockPublicAcls"] = true,
                ["BlockPublicPolicy"] = true,
                ["IgnorePublicAcls"] = true,
                ["RestrictPublicBuckets"] = true,
            }),
        });
        template.HasResourceProperties("AWS::S3::BucketPolicy", new Dictionary<string, object>
        {
            ["PolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = Match.ArrayWith(
                [
                    Match.ObjectLike(new Dictionary<string, object>
                    {
                        ["Effect"] = "Deny",
                        ["Condition"] = new Dictionary<string, object> { ["Bool"] = new Dictionary<string, object> { ["aws:SecureTransport"] = "false" } },
                    }),
                ]),
            }),
        });
    }

    [Fact]
    public void Recorder_Requested_RecorderAndDeliveryChannelAreCreatedSideBySideAfterTheirPermissionsAndBucket()
    {
        var app = SynthesizedApp.Create(new Dictionary<string, object> { [RuleSettings.CreateRecorderKey] = "true" });
        var recorder = app.RuleStack.Recorder!;
        var template = app.RuleTemplateJson;
        var recorderId = SynthesizedApp.LogicalId(recorder.Recorder);
        var channelId = SynthesizedApp.LogicalId(recorder.DeliveryChannel);

        // The recorder finishes creating only once a channel exists: either waiting for the other deadlocks the stack
        // (NoAvailableDeliveryChannelException, aws/aws-cdk#9001).
        Assert.False(Cfn.CreatedBefore(template, recorderId, channelId), "the delivery channel waits for the recorder");
        Assert.False(Cfn.CreatedBefore(template, channelId, recorderId), "the recorder waits for the delivery channel");
        var prerequisites = new[]
        {
            SynthesizedApp.LogicalId(recorder.Role.Node.FindChild("DefaultPolicy")),
            SynthesizedApp.LogicalId(recorder.Bucket),
            SynthesizedApp.LogicalId(recorder.Bucket.Policy!),
        };
        foreach (var then in new[] { recorderId, channelId })
            foreach (var first in prerequisites)
                Assert.True(Cfn.CreatedBefore(template, first, then), $"{then} does not wait for {first}");
        var rule = SynthesizedApp.LogicalId(app.RuleStack.Rule.Rule);
        Assert.True(Cfn.CreatedBefore(template, recorderId, rule), "the rule does not wait for the recorder");
        Assert.True(Cfn.CreatedBefore(template, channelId, rule), "the rule does not wait for the delivery channel");
    }

    [Fact]
    public void Recorder_Role_IsAssumedByConfigForThisAccountOnly()
    {
        var app = SynthesizedApp.Create(new Dictionary<string, object> { [RuleSettings.CreateRecorderKey] = "true" });
        var role = SynthesizedApp.LogicalId(app.RuleStack.Recorder!.Role);

        var trust = Assert.Single(Cfn.Statements(app.RuleTemplateJson.GetProperty("Resources").GetProperty(role)
            .GetProperty("Properties").GetProperty("AssumeRolePolicyDocument")));

        Assert.Equal("config.amazonaws.com", trust.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal("""{"StringEquals":{"aws:SourceAccount":{"Ref":"AWS::AccountId"}}}""", trust.GetProperty("Condition").GetRawText());
    }
}

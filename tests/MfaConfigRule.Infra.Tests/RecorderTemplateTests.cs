using Amazon.CDK.Assertions;
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
        var app = SynthesizedApp.Create(new Dictionary<string, object> { [MfaRuleSettings.CreateRecorderKey] = "true" });
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
        template.HasResource("AWS::Config::DeliveryChannel", new Dictionary<string, object>
        {
            ["DependsOn"] = Match.ArrayWith([SynthesizedApp.LogicalId(recorder.Recorder)]),
        });
        foreach (var prerequisite in new[] { SynthesizedApp.LogicalId(recorder.Recorder), SynthesizedApp.LogicalId(recorder.DeliveryChannel) })
        {
            template.HasResource("AWS::Config::ConfigRule", new Dictionary<string, object>
            {
                ["DependsOn"] = Match.ArrayWith([prerequisite]),
            });
        }
    }
}

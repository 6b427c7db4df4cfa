using System.Text.Json;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Tests;

public sealed class IamPolicyTests
{
    [Fact]
    public void Templates_EveryPolicyOfEveryStack_AllowsNoWildcardAction()
    {
        // Everything on: rule, trigger, us-east-1 forwarding with its custom resources, recorder with its bucket.
        var app = SynthesizedApp.Create(new Dictionary<string, object> { [RuleSettings.CreateRecorderKey] = true });
        Assert.NotNull(app.RuleStack.Forwarder);

        var wildcards = app.AllTemplates.SelectMany(Cfn.WildcardAllowActions).ToList();

        Assert.True(wildcards.Count == 0, "wildcard actions:" + Environment.NewLine + Cfn.Describe(wildcards));
    }

    [Theory]
    [InlineData("""{"Effect":"Allow","Action":"s3:*","Resource":"*"}""")]
    [InlineData("""{"Effect":"Allow","Action":["iam:GetUser","iam:List*"],"Resource":"*"}""")]
    [InlineData("""{"Effect":"Allow","Action":"*","Resource":"*"}""")]
    [InlineData("""{"Effect":"Allow","NotAction":"iam:DeleteUser","Resource":"*"}""")]
    public void WildcardAllowActions_PolicyGrantingAWildcard_IsReported(string statement)
    {
        var template = JsonDocument.Parse(
            """{"Resources":{"P":{"Type":"AWS::IAM::Policy","Properties":{"PolicyDocument":{"Statement":[""" + statement + "]}}}}}").RootElement;

        Assert.Single(Cfn.WildcardAllowActions(template));
    }

    [Fact]
    public void WildcardAllowActions_DenyWithWildcard_IsNotAGrant()
    {
        var template = JsonDocument.Parse("""
            {"Resources":{"B":{"Type":"AWS::S3::BucketPolicy","Properties":{"PolicyDocument":{"Statement":[
              {"Effect":"Deny","Action":"s3:*","Principal":{"AWS":"*"},"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}}}}}
            """).RootElement;

        Assert.Empty(Cfn.WildcardAllowActions(template));
    }

    [Fact]
    public void Policies_EveryStarResource_IsSuppressedForCdkNagWithAReason()
    {
        var app = SynthesizedApp.Create(new Dictionary<string, object> { [RuleSettings.CreateRecorderKey] = true });
        var unexplained = new List<string>();

        foreach (var template in app.AllTemplates)
        {
            foreach (var (logicalId, policy) in Cfn.Resources(template, "AWS::IAM::Policy"))
            {
                var starResources = Cfn.Statements(policy.GetProperty("Properties").GetProperty("PolicyDocument"))
                    .SelectMany(s => Cfn.Items(s.GetProperty("Resource")))
                    .Select(Cfn.Render)
                    .Where(r => r.Contains('*', StringComparison.Ordinal))
                    .ToList();
                if (starResources.Count == 0) continue;

                var suppressed = policy.TryGetProperty("Metadata", out var metadata) && metadata.TryGetProperty("cdk_nag", out var nag)
                    ? nag.GetProperty("rules_to_suppress").EnumerateArray()
                        .Where(r => r.GetProperty("id").GetString() == "AwsSolutions-IAM5" && r.GetProperty("reason").GetString()!.Length >= 10)
                        .SelectMany(r => Cfn.Strings(r.GetProperty("applies_to")))
                        .ToList()
                    : [];
                unexplained.AddRange(starResources
                    .Where(r => !suppressed.Contains("Resource::" + NagNotation(r)))
                    .Select(r => $"{logicalId}: {r}"));
            }
        }

        Assert.True(unexplained.Count == 0, "wildcard resources without a reason:" + Environment.NewLine + Cfn.Describe(unexplained));
    }

    /// <summary>cdk-nag writes <c>${X}</c> as <c>&lt;X&gt;</c> in its finding IDs.</summary>
    private static string NagNotation(string rendered) => rendered.Replace("${", "<", StringComparison.Ordinal).Replace("}", ">", StringComparison.Ordinal);
}

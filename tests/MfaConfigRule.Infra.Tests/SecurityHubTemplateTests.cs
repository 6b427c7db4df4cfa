using Amazon.CDK;
using Amazon.CDK.Assertions;
using MfaConfigRule.Infra.Settings;
using Match = Amazon.CDK.Assertions.Match;

namespace MfaConfigRule.Infra.Tests;

/// <summary>The opt-in direct Security Hub export: absent by default; when on, an environment switch and one exact permission.</summary>
public sealed class SecurityHubTemplateTests
{
    private static SynthesizedApp Direct(string? severity = null)
    {
        var context = new Dictionary<string, object> { [SecurityHubFindingsSettings.FindingsKey] = "direct" };
        if (severity is not null) context[SecurityHubFindingsSettings.SeverityKey] = severity;
        return SynthesizedApp.Create(context);
    }

    [Fact]
    public void Defaults_NoSecurityHubPermissionAnywhereAndTheExportIsOff()
    {
        var app = SynthesizedApp.Create();

        Assert.Null(app.RuleStack.SecurityHub);
        Assert.DoesNotContain("securityhub:", app.RuleTemplateJson.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECURITY_HUB_FINDINGS", app.RuleTemplateJson.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Direct_EvaluateRoleMayImportFindingsIntoThisAccountsDefaultProductOnly()
    {
        var app = Direct();
        var role = SynthesizedApp.LogicalId(app.RuleStack.Rule.EvaluateFunction.Role);

        var grants = Cfn.GrantsOfRole(app.RuleTemplateJson, role).Where(g => g.StartsWith("securityhub:", StringComparison.Ordinal));

        Assert.Equal(["securityhub:BatchImportFindings on arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default"], grants);
    }

    [Fact]
    public void Direct_TriggerRole_GetsNoSecurityHubPermission()
    {
        var app = Direct();
        var trigger = SynthesizedApp.LogicalId(app.RuleStack.Reevaluation!.TriggerFunction.Role);

        Assert.DoesNotContain(Cfn.GrantsOfRole(app.RuleTemplateJson, trigger), g => g.StartsWith("securityhub:", StringComparison.Ordinal));
    }

    [Fact]
    public void Direct_EvaluateFunctionEnvironment_SwitchesTheExportOnWithTheSeverity()
    {
        Direct("medium").RuleTemplate.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "evaluate",
            ["Environment"] = new Dictionary<string, object>
            {
                ["Variables"] = Match.ObjectLike(new Dictionary<string, object>
                {
                    ["SECURITY_HUB_FINDINGS"] = "direct",
                    ["SECURITY_HUB_FAILED_SEVERITY"] = "MEDIUM",
                }),
            },
        });
    }

    [Fact]
    public void Direct_DefaultSeverity_IsHigh()
    {
        Direct().RuleTemplate.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "evaluate",
            ["Environment"] = new Dictionary<string, object>
            {
                ["Variables"] = Match.ObjectLike(new Dictionary<string, object> { ["SECURITY_HUB_FAILED_SEVERITY"] = "HIGH" }),
            },
        });
    }

    [Theory]
    [InlineData(SecurityHubFindingsSettings.FindingsKey, "on", "'on' is not 'off'")]
    [InlineData(SecurityHubFindingsSettings.SeverityKey, "INFORMATIONAL", "'INFORMATIONAL' is not LOW, MEDIUM, HIGH or CRITICAL")]
    public void Settings_BadValue_StopsSynthNamingTheKey(string key, string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => MfaRuleSettings.FromContext(
            new App(new AppProps { Context = new Dictionary<string, object> { [key] = value } }).Node, SynthesizedApp.Account, "eu-west-1"));

        Assert.Contains($"{key}: {message}", error.Message, StringComparison.Ordinal);
    }
}

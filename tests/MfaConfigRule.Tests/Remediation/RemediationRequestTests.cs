using MfaConfigRule.Compliance;
using MfaConfigRule.Contract;
using MfaConfigRule.Remediation;
using MfaConfigRule.Tests.TestDoubles;

namespace MfaConfigRule.Tests.Remediation;

public sealed class RemediationRequestTests
{
    [Theory]
    [InlineData("""{"IAMResourceId":"AIDAJQABLZS4A3QDU576Q","Action":"EnforceMfa","DryRun":true}""", true)]
    [InlineData("""{"IAMResourceId":"AIDAJQABLZS4A3QDU576Q","Action":"EnforceMfa","DryRun":"false"}""", false)]
    [InlineData("""{"IAMResourceId":" AIDAJQABLZS4A3QDU576Q "}""", false)]
    public void Parse_WhatAutomationSends_BooleanOrStringDryRun(string json, bool dryRun)
    {
        var request = RemediationRequest.Parse(json);

        Assert.Equal("AIDAJQABLZS4A3QDU576Q", request.UserId);
        Assert.Equal(RemediationAction.EnforceMfa, request.Action);
        Assert.Equal(dryRun, request.DryRun);
    }

    [Theory]
    [InlineData("""{"Action":"EnforceMfa"}""", "IAMResourceId is missing")]
    [InlineData("""{"IAMResourceId":"alice"}""", "not an IAM user ID")]
    [InlineData("""{"IAMResourceId":"AROAJQABLZS4A3QDU576Q"}""", "not an IAM user ID")]
    [InlineData("""{"IAMResourceId":"AIDAJQABLZS4A3QDU576Q","Action":"DeleteUser"}""", "not a remediation action")]
    [InlineData("""{"IAMResourceId":"AIDAJQABLZS4A3QDU576Q","DryRun":"maybe"}""", "DryRun 'maybe'")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("{", "not valid JSON")]
    public void Parse_BadRequest_NamesWhatIsWrong(string json, string message)
    {
        var error = Assert.Throws<RemediationRequestException>(() => RemediationRequest.Parse(json));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    // Read through the neutral JSON helper: what it refuses (an escaped unpaired surrogate, which System.Text.Json will
    // not turn into text; a .NET string that is no UTF-8 at all) is still a RemediationRequestException naming the field.
    [Theory]
    [InlineData("""{"IAMResourceId":"\ud800"}""", "field IAMResourceId is not valid Unicode text")]
    [InlineData("""{"IAMResourceId":"AIDAJQABLZS4A3QDU576Q","Action":"\ud800"}""", "field Action is not valid Unicode text")]
    [InlineData("""{"IAMResourceId":"AIDAJQABLZS4A3QDU576Q","DryRun":"\ud800"}""", "field DryRun is not valid Unicode text")]
    public void Parse_TextThatIsNoText_IsARequestErrorNamingTheField(string json, string message)
    {
        var error = Assert.Throws<RemediationRequestException>(() => RemediationRequest.Parse(json));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AStringThatIsNoUtf8_IsARequestError()
    {
        var error = Assert.Throws<RemediationRequestException>(() => RemediationRequest.Parse("{\"IAMResourceId\":\"\ud800\"}"));

        Assert.StartsWith("the remediation request is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_FromTheEnvironmentTheStackSets_ParseTheRulesParameters()
    {
        var settings = RemediationSettings.FromEnvironment(new FakeEnvironmentVariables(
            ("REMEDIATION_ACTION", "EnforceMfa"),
            ("ENFORCEMENT_POLICY_ARN", "arn:aws:iam::123456789012:policy/mfa-config-rule/enforce"),
            ("RULE_PARAMETERS", """{"ExemptUserNames":"break-glass","GracePeriodHours":"24"}""")));

        Assert.Equal(TimeSpan.FromHours(24), settings.Parameters.GracePeriod);
        Assert.Contains("break-glass", settings.Parameters.ExemptUserNames);
    }

    [Theory]
    [InlineData(null, "arn:aws:iam::1:policy/p", "{}", "REMEDIATION_ACTION")]
    [InlineData("EnforceMfa", null, "{}", "ENFORCEMENT_POLICY_ARN")]
    [InlineData("EnforceMfa", "arn:aws:iam::1:policy/p", """{"ExemptUsernames":"x"}""", "RULE_PARAMETERS")]
    public void Settings_MissingOrWrong_NameTheVariable(string? action, string? policy, string parameters, string variable)
    {
        var environment = new FakeEnvironmentVariables(("RULE_PARAMETERS", parameters));
        environment.Set("REMEDIATION_ACTION", action);
        environment.Set("ENFORCEMENT_POLICY_ARN", policy);

        var error = Assert.Throws<RemediationSettingsException>(() => RemediationSettings.FromEnvironment(environment));

        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_DisableConsoleAccess_NeedsNoPolicy()
    {
        var settings = RemediationSettings.FromEnvironment(new FakeEnvironmentVariables(("REMEDIATION_ACTION", "DisableConsoleAccess")));

        Assert.Null(settings.EnforcementPolicyArn);
        Assert.Equal(RuleParameters.Default, settings.Parameters);
    }
}

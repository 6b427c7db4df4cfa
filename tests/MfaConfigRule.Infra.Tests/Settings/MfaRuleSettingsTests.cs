using System.Text.Json;
using Amazon.CDK;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Tests.Settings;

public sealed class MfaRuleSettingsTests
{
    [Fact]
    public void FromContext_NoContext_UsesTheDocumentedDefaults()
    {
        var settings = Read(new Dictionary<string, object>());

        Assert.Equal("mfa-enabled-for-iam-console-users", settings.Rule.RuleName);
        Assert.Equal("TwentyFour_Hours", settings.Rule.MaximumExecutionFrequency);
        Assert.True(settings.Rule.Reevaluation);
        Assert.False(settings.Rule.CreateRecorder);
        Assert.Equal(90, settings.Functions.LogRetentionDays);
        Assert.Equal(RuleSettings.DefaultRuleParameters, settings.Rule.RuleParameters);
    }

    [Fact]
    public void FromContext_CdkJsonAtTheRoot_GivesTheSameValuesAsTheCodeDefaults()
    {
        var cdkJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(SynthesizedApp.RepositoryRoot(), "cdk.json"))).RootElement;
        var context = cdkJson.GetProperty("context").EnumerateObject().ToDictionary(p => p.Name, p => ToContextValue(p.Value));

        var fromFile = Read(context);
        var defaults = new MfaRuleSettings();

        Assert.Equal(defaults.Rule.RuleName, fromFile.Rule.RuleName);
        Assert.Equal(defaults.Rule.FrequencyHours, fromFile.Rule.FrequencyHours);
        Assert.Equal(defaults.Rule.RuleParameters, fromFile.Rule.RuleParameters);
        Assert.Equal(defaults.Rule.Reevaluation, fromFile.Rule.Reevaluation);
        Assert.Equal(defaults.Rule.CreateRecorder, fromFile.Rule.CreateRecorder);
        Assert.Equal(defaults.Functions.LogRetentionDays, fromFile.Functions.LogRetentionDays);
        Assert.Equal(defaults.Functions.EvaluateMemoryMb, fromFile.Functions.EvaluateMemoryMb);
        Assert.Equal(defaults.Functions.EvaluateTimeoutSeconds, fromFile.Functions.EvaluateTimeoutSeconds);
        Assert.Equal(defaults.Functions.TriggerTimeoutSeconds, fromFile.Functions.TriggerTimeoutSeconds);
    }

    [Fact]
    public void FromContext_MisspelledRuleParameter_FailsWithTheRulesOwnHint()
    {
        var error = Assert.Throws<ArgumentException>(() => Read(new Dictionary<string, object>
        {
            [RuleSettings.ParametersKey] = new Dictionary<string, object> { ["ExemptUsernames"] = "alice" },
        }));

        Assert.Contains("did you mean ExemptUserNames?", error.Message, StringComparison.Ordinal);
        Assert.Contains(RuleSettings.ParametersKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromContext_ParametersAsJsonStringFromTheCommandLine_AreAccepted()
    {
        var settings = Read(new Dictionary<string, object>
        {
            [RuleSettings.ParametersKey] = """{"ExemptUserNames":"break-glass","GracePeriodHours":"24"}""",
        });

        Assert.Equal("break-glass", settings.Rule.RuleParameters["ExemptUserNames"]);
        Assert.Equal("24", settings.Rule.RuleParameters["GracePeriodHours"]);
    }

    [Fact]
    public void FromContext_ReportChangesOnlyWithARefreshInterval_GoesIntoTheRuleAsGiven()
    {
        var settings = Read(new Dictionary<string, object>
        {
            [RuleSettings.ParametersKey] = """{"ReportChangesOnly":"true","RefreshDays":"14"}""",
        });

        Assert.Equal("true", settings.Rule.RuleParameters["ReportChangesOnly"]);
        Assert.Equal("14", settings.Rule.RuleParameters["RefreshDays"]);
    }

    [Fact]
    public void FromContext_RefreshDaysOutOfRange_FailsSynthesisWithTheRulesMessage()
    {
        var error = Assert.Throws<ArgumentException>(() => Read(new Dictionary<string, object>
        {
            [RuleSettings.ParametersKey] = new Dictionary<string, object> { ["ReportChangesOnly"] = "true", ["RefreshDays"] = "90" },
        }));

        Assert.Contains("RefreshDays value '90' must be a whole number of days from 1 to 30", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RuleSettings.FrequencyHoursKey, "5")]
    [InlineData(RuleSettings.ReevaluationKey, "yes")]
    [InlineData(FunctionSettings.LogRetentionDaysKey, "45")]
    [InlineData(RuleSettings.RuleNameKey, "has spaces")]
    [InlineData(FunctionSettings.EvaluateTimeoutSecondsKey, "1000")]
    [InlineData(FunctionSettings.TriggerTimeoutSecondsKey, "901")]
    [InlineData(FunctionSettings.TriggerTimeoutSecondsKey, "30")]
    [InlineData(MfaRuleSettings.AccountKey, "12345")]
    public void FromContext_ValueConfigOrLambdaWouldReject_FailsNamingTheKey(string key, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => Read(new Dictionary<string, object> { [key] = value }));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromContext_ParametersLongerThanConfigAccepts_FailsWithTheLimit()
    {
        var manyUsers = string.Join(',', Enumerable.Range(0, 100).Select(i => $"service-user-{i:D3}"));

        var error = Assert.Throws<ArgumentException>(() => Read(new Dictionary<string, object>
        {
            [RuleSettings.ParametersKey] = new Dictionary<string, object> { ["ExemptUserNames"] = manyUsers },
        }));

        Assert.Contains("1024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromContext_CommandLineStrings_AreReadLikeJsonValues()
    {
        var settings = Read(new Dictionary<string, object>
        {
            [RuleSettings.FrequencyHoursKey] = "12",
            [RuleSettings.ReevaluationKey] = "false",
            [RuleSettings.CreateRecorderKey] = "true",
        });

        Assert.Equal("Twelve_Hours", settings.Rule.MaximumExecutionFrequency);
        Assert.False(settings.Rule.Reevaluation);
        Assert.True(settings.Rule.CreateRecorder);
    }

    [Fact]
    public void FromContext_RegionInContext_WinsOverTheProfilesRegion()
    {
        var settings = Read(new Dictionary<string, object> { [MfaRuleSettings.RegionKey] = "ap-southeast-2" });

        Assert.Equal("ap-southeast-2", settings.Region);
    }

    [Fact]
    public void FromContext_BadValuesOfSeveralCapabilities_ListsEachUnderItsKeyInKeyOrder()
    {
        var error = Assert.Throws<ArgumentException>(() => Read(new Dictionary<string, object>
        {
            [RemediationSettings.ActionKey] = "DeleteUser",
            [SecurityHubFindingsSettings.SeverityKey] = "URGENT",
            [FunctionSettings.EvaluateMemoryMbKey] = "64",
            [RuleSettings.FrequencyHoursKey] = "5",
        }));

        var lines = error.Message.Split(System.Environment.NewLine);
        Assert.Equal(
            new[]
            {
                "invalid CDK context:",
                $"{RuleSettings.FrequencyHoursKey}: 5 is not a period Config offers; use one of 1, 3, 6, 12, 24 (hours)",
                $"{FunctionSettings.EvaluateMemoryMbKey}: 64 MB is outside 128-10240",
                $"{SecurityHubFindingsSettings.SeverityKey}: 'URGENT' is not LOW, MEDIUM, HIGH or CRITICAL",
                $"{RemediationSettings.ActionKey}: 'DeleteUser' is not a remediation action; use EnforceMfa (the default) or DisableConsoleAccess",
            },
            lines);
    }

    private static MfaRuleSettings Read(Dictionary<string, object> context) =>
        MfaRuleSettings.FromContext(new App(new AppProps { Context = context }).Node, SynthesizedApp.Account, "eu-west-1");

    private static object ToContextValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => ToContextValue(p.Value)),
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => value.GetString()!,
    };
}

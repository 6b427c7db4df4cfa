using System.Text.Json;
using Amazon.CDK;

namespace MfaConfigRule.Infra.Tests;

public sealed class MfaRuleSettingsTests
{
    [Fact]
    public void FromContext_NoContext_UsesTheDocumentedDefaults()
    {
        var settings = Read(new Dictionary<string, object>());

        Assert.Equal("mfa-enabled-for-iam-console-users", settings.RuleName);
        Assert.Equal("TwentyFour_Hours", settings.MaximumExecutionFrequency);
        Assert.True(settings.Reevaluation);
        Assert.False(settings.CreateRecorder);
        Assert.Equal(90, settings.LogRetentionDays);
        Assert.Equal(MfaRuleSettings.DefaultRuleParameters, settings.RuleParameters);
    }

    [Fact]
    public void FromContext_CdkJsonAtTheRoot_GivesTheSameValuesAsTheCodeDefaults()
    {
        var cdkJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(SynthesizedApp.RepositoryRoot(), "cdk.json"))).RootElement;
        var context = cdkJson.GetProperty("context").EnumerateObject().ToDictionary(p => p.Name, p => ToContextValue(p.Value));

        var fromFile = Read(context);
        var defaults = new MfaRuleSettings();

        Assert.Equal(defaults.RuleName, fromFile.RuleName);
        Assert.Equal(defaults.FrequencyHours, fromFile.FrequencyHours);
        Assert.Equal(defaults.RuleParameters, fromFile.RuleParameters);
        Assert.Equal(defaults.Reevaluation, fromFile.Reevaluation);
        Assert.Equal(defaults.CreateRecorder, fromFile.CreateRecorder);
        Assert.Equal(defaults.LogRetentionDays, fromFile.LogRetentionDays);
        Assert.Equal(defaults.EvaluateMemoryMb, fromFile.EvaluateMemoryMb);
        Assert.Equal(defaults.EvaluateTimeoutSeconds, fromFile.EvaluateTimeoutSeconds);
        Assert.Equal(defaults.TriggerTimeoutSeconds, fromFile.TriggerTimeoutSeconds);
    }

    [Fact]
    public void FromContext_MisspelledRuleParameter_FailsWithTheRulesOwnHint()
    {
        var error = Assert.Throws<ArgumentException>(() => Read(new Dictionary<string, object>
        {
            [MfaRuleSettings.ParametersKey] = new Dictionary<string, object> { ["ExemptUsernames"] = "alice" },
        }));

        Assert.Contains("did you mean ExemptUserNames?", error.Message, StringComparison.Ordinal);
        Assert.Contains(MfaRuleSettings.ParametersKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromContext_ParametersAsJsonStringFromTheCommandLine_AreAccepted()
    {
        var settings = Read(new Dictionary<string, object>
        {
            [MfaRuleSettings.ParametersKey] = """{"ExemptUserNames":"break-glass","GracePeriodHours":"24"}""",
        });

        Assert.Equal("break-glass", settings.RuleParameters["ExemptUserNames"]);
        Assert.Equal("24", settings.RuleParameters["GracePeriodHours"]);
    }

    [Fact]
    public void FromContext_ReportChangesOnlyWithARefreshInterval_GoesIntoTheRuleAsGiven()
    {
        var settings = Read(new Dictionary<string, object>
        {
            [MfaRuleSettings.ParametersKey] = """{"ReportChangesOnly":"true","RefreshDays":"14"}""",
        });

        Assert.Equal("true", settings.RuleParameters["ReportChangesOnly"]);
        Assert.Equal("14", settings.RuleParameters["RefreshDays"]);
    }

    [Fact]
    public void FromContext_RefreshDaysOutOfRange_FailsSynthesisWithTheRulesMessage()
    {
        var error = Assert.Throws<ArgumentException>(() => Read(new Dictionary<string, object>
        {
            [MfaRuleSettings.ParametersKey] = new Dictionary<string, object> { ["ReportChangesOnly"] = "true", ["RefreshDays"] = "90" },
        }));

        Assert.Contains("RefreshDays value '90' must be a whole number of days from 1 to 30", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MfaRuleSettings.FrequencyHoursKey, "5")]
    [InlineData(MfaRuleSettings.ReevaluationKey, "yes")]
    [InlineData(MfaRuleSettings.LogRetentionDaysKey, "45")]
    [InlineData(MfaRuleSettings.RuleNameKey, "has spaces")]
    [InlineData(MfaRuleSettings.EvaluateTimeoutSecondsKey, "1000")]
    [InlineData(MfaRuleSettings.TriggerTimeoutSecondsKey, "901")]
    [InlineData(MfaRuleSettings.TriggerTimeoutSecondsKey, "30")]
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
            [MfaRuleSettings.ParametersKey] = new Dictionary<string, object> { ["ExemptUserNames"] = manyUsers },
        }));

        Assert.Contains("1024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromContext_CommandLineStrings_AreReadLikeJsonValues()
    {
        var settings = Read(new Dictionary<string, object>
        {
            [MfaRuleSettings.FrequencyHoursKey] = "12",
            [MfaRuleSettings.ReevaluationKey] = "false",
            [MfaRuleSettings.CreateRecorderKey] = "true",
        });

        Assert.Equal("Twelve_Hours", settings.MaximumExecutionFrequency);
        Assert.False(settings.Reevaluation);
        Assert.True(settings.CreateRecorder);
    }

    [Fact]
    public void FromContext_RegionInContext_WinsOverTheProfilesRegion()
    {
        var settings = Read(new Dictionary<string, object> { [MfaRuleSettings.RegionKey] = "ap-southeast-2" });

        Assert.Equal("ap-southeast-2", settings.Region);
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

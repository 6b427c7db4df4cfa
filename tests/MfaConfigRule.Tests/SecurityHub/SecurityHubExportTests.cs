using System.Text.Json.Nodes;
using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.ConfigEvents;
using MfaConfigRule.Contract;
using MfaConfigRule.Functions;
using MfaConfigRule.Iam;
using MfaConfigRule.LambdaRuntime;
using MfaConfigRule.Logging;
using MfaConfigRule.SecurityHub;
using MfaConfigRule.Tests.Fakes;
using MfaConfigRule.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.SecurityHub;

/// <summary>The seam in the evaluate function: Config first, then Security Hub, whose problems are a warning in the log line.</summary>
public sealed class SecurityHubExportTests
{
    private readonly FakeTimeProvider _time = new(Now);
    private readonly FakeIamClient _iam;
    private readonly FakeConfigClient _config;
    private readonly FakeSecurityHubClient _hub;
    private readonly StringWriter _output = new();

    public SecurityHubExportTests()
    {
        _iam = new FakeIamClient(_time);
        _config = new FakeConfigClient(_time);
        _hub = new FakeSecurityHubClient(_time);
        _iam.AddUser("alice", Now.AddDays(-30), [Virtual("alice")]);
        _iam.AddUser("bob", Now.AddDays(-30));
        _iam.AddUser("erin");
        _iam.TakeReport(Now.AddHours(-1));
    }

    private async Task<(string Result, JsonObject Line)> InvokeAsync(string eventJson)
    {
        var handler = new ConfigRuleHandler(
            new UserAssessor(_iam, new FakeCloudTrailClient(), _time, new AssessorOptions()),
            new EvaluationReporter(_config, _time, new ReporterOptions { FailedEvaluationDelay = TimeSpan.Zero }),
            _config, _time, new HandlerOptions());
        var export = new SecurityHubExport(_hub, new FindingExporter(_time, new ExportOptions { FailedFindingDelay = TimeSpan.Zero }), "eu-west-1");
        var function = EvaluateFunction.Handler(handler, new ApiCallCounter(), new JsonLog(_output, _time), _time, export);
        var result = await function(new InvocationRequest("req-1", Now.AddMinutes(5), null, null, eventJson), CancellationToken.None);
        var line = (JsonObject)JsonNode.Parse(_output.ToString().Trim().Split('\n')[^1])!;
        return (result, line);
    }

    [Fact]
    public async Task Evaluate_DirectExport_OneFindingPerVerdictAfterConfigHasThem()
    {
        var configPutsAtFirstImport = -1;
        _hub.OnCall = () => { if (configPutsAtFirstImport < 0) configPutsAtFirstImport = _config.Puts.Count; };

        var (_, line) = await InvokeAsync(ScheduledEvent());

        Assert.Equal(1, configPutsAtFirstImport);
        Assert.Equal(3, _hub.Stored.Count);
        Assert.Contains(FindingBuilder.FindingId(AccountId, UserIdFor("bob")), _hub.Stored.Keys);
        Assert.Equal("INFO", line["level"]!.GetValue<string>());
        Assert.Equal(3, line["securityHub"]!["imported"]!.GetValue<int>());
        Assert.Equal(0, line["securityHub"]!["failed"]!.GetValue<int>());
        Assert.Null(line["securityHubWarning"]);
    }

    // A user that no longer exists gets the "no longer exists" finding whichever way the rule learned it: the flag on
    // the verdict (UserGone) travels from each source to the finding, whose title never depends on the annotation's text.

    private JsonObject StoredFinding(string userId) =>
        (JsonObject)JsonNode.Parse(_hub.Stored[FindingBuilder.FindingId(AccountId, userId)])!;

    private static void AssertVanished(JsonObject finding, string name)
    {
        Assert.Equal($"IAM user {name} no longer exists", finding["Title"]!.GetValue<string>());
        Assert.Equal(("NOT_AVAILABLE", "ARCHIVED"), (finding["Compliance"]!["Status"]!.GetValue<string>(), finding["RecordState"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Evaluate_SweepCleansUpAResultConfigHeldForADeletedUser_TheFindingSaysTheUserNoLongerExists()
    {
        _config.Held.Add(new EvaluationResultSummary("AWS::IAM::User", "AIDADELETEDUSER0000001", ComplianceType.NonCompliant, Now.AddDays(-1)));

        await InvokeAsync(ScheduledEvent());

        AssertVanished(StoredFinding("AIDADELETEDUSER0000001"), "AIDADELETEDUSER0000001");
        Assert.Equal("IAM user bob can sign in to the console without MFA", StoredFinding(UserIdFor("bob"))["Title"]!.GetValue<string>());
    }

    [Fact]
    public async Task Evaluate_ChangeForAUserDeletedSinceTheItem_TheFindingSaysTheUserNoLongerExists()
    {
        var dave = _iam.AddUser("dave", Now.AddDays(-30));
        _iam.DeleteUser("dave");

        await InvokeAsync(ChangeEvent(dave));

        Assert.Equal("The user no longer exists.", Assert.Single(_config.Accepted).Annotation);
        AssertVanished(StoredFinding(dave.UserId), "dave");
    }

    [Fact]
    public async Task Evaluate_ChangeWhoseItemSaysResourceDeleted_TheFindingSaysTheUserNoLongerExists()
    {
        var dave = _iam.AddUser("dave", Now.AddDays(-30));
        _iam.DeleteUser("dave");

        await InvokeAsync(ChangeEvent(dave, status: "ResourceDeleted"));

        Assert.Equal("Configuration item status ResourceDeleted: the user is deleted or not recorded.", Assert.Single(_config.Accepted).Annotation);
        AssertVanished(StoredFinding(dave.UserId), dave.UserId);
    }

    [Fact]
    public async Task Evaluate_ChangeWhoseItemIsNotRecorded_TheCheckDoesNotApplyButTheUserIsNotSaidToBeGone()
    {
        var dave = _iam.AddUser("dave", Now.AddDays(-30));

        await InvokeAsync(ChangeEvent(dave, status: "ResourceNotRecorded"));

        Assert.Equal($"IAM user {dave.UserId}: the console MFA check does not apply", StoredFinding(dave.UserId)["Title"]!.GetValue<string>());
    }

    [Fact]
    public async Task Evaluate_UserDeletedDuringTheSweep_TheFindingSaysTheUserNoLongerExists()
    {
        _iam.OnCall = call =>
        {
            if (call.Operation == FakeIamClient.GetCredentialReport) _iam.DeleteUser("bob");
        };

        await InvokeAsync(ScheduledEvent());

        Assert.Equal("The user no longer exists.", Assert.Single(_config.Accepted, e => e.ResourceId == UserIdFor("bob")).Annotation);
        AssertVanished(StoredFinding(UserIdFor("bob")), "bob");
        Assert.Equal("IAM user erin: the console MFA check does not apply", StoredFinding(UserIdFor("erin"))["Title"]!.GetValue<string>());
    }

    [Fact]
    public async Task Evaluate_SecurityHubNotEnabled_ConfigVerdictsStandAndTheLineWarns()
    {
        _hub.Failure = new AwsServiceException("securityhub", "BatchImportFindings", "InvalidAccessException", 401, "Account 123456789012 is not subscribed to AWS Security Hub");

        var (result, line) = await InvokeAsync(ScheduledEvent());

        Assert.Contains("\"evaluations\":3", result, StringComparison.Ordinal);
        Assert.Equal(3, _config.Accepted.Count);
        Assert.Equal("WARN", line["level"]!.GetValue<string>());
        Assert.Contains("Security Hub is not enabled in account 123456789012, Region eu-west-1", line["securityHubWarning"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, line["securityHub"]!["failed"]!.GetValue<int>());
    }

    [Fact]
    public async Task Evaluate_TestMode_ImportsNothing()
    {
        var (_, line) = await InvokeAsync(ScheduledEvent(resultToken: "TESTMODE"));

        Assert.Empty(_hub.Calls);
        Assert.Equal("test mode: no findings imported", line["securityHubNote"]!.GetValue<string>());
    }

    [Fact]
    public void OptionsFrom_UnsetOrOff_IsNoExport()
    {
        Assert.Null(SecurityHubExport.OptionsFrom(new FakeEnvironmentVariables(new Dictionary<string, string>())));
        Assert.Null(SecurityHubExport.OptionsFrom(new FakeEnvironmentVariables(new Dictionary<string, string> { ["SECURITY_HUB_FINDINGS"] = "off" })));
    }

    [Fact]
    public void OptionsFrom_Direct_DefaultsToHighAndTakesTheSeverity()
    {
        Assert.Equal(SeverityLabel.High, SecurityHubExport.OptionsFrom(new FakeEnvironmentVariables(new Dictionary<string, string> { ["SECURITY_HUB_FINDINGS"] = "direct" }))!.FailedSeverity);
        Assert.Equal(SeverityLabel.Medium, SecurityHubExport.OptionsFrom(new FakeEnvironmentVariables(new Dictionary<string, string>
        {
            ["SECURITY_HUB_FINDINGS"] = "direct",
            ["SECURITY_HUB_FAILED_SEVERITY"] = "medium",
        }))!.FailedSeverity);
    }

    [Theory]
    [InlineData("SECURITY_HUB_FINDINGS", "on", "SECURITY_HUB_FINDINGS='on'")]
    [InlineData("SECURITY_HUB_FAILED_SEVERITY", "INFORMATIONAL", "SECURITY_HUB_FAILED_SEVERITY='INFORMATIONAL' is not LOW, MEDIUM, HIGH or CRITICAL")]
    public void OptionsFrom_BadValue_NamesTheVariable(string name, string value, string message)
    {
        var environment = new Dictionary<string, string> { ["SECURITY_HUB_FINDINGS"] = "direct", [name] = value };

        var error = Assert.Throws<ArgumentException>(() => SecurityHubExport.OptionsFrom(new FakeEnvironmentVariables(environment)));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}

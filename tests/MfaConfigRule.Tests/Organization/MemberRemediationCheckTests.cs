using MfaConfigRule.Contract;
using MfaConfigRule.Organization;
using MfaConfigRule.Remediation;

namespace MfaConfigRule.Tests.Organization;

public sealed class MemberRemediationCheckTests
{
    private const string Member = "222222222222";
    private const string ExecutionId = "4f1c2b1e-8a3d-4c55-9e0f-1234567890ab";
    private const string UserId = "AIDAALICE000000000001";
    private const string Runbook = "MfaConfigRule-Remediation";

    private static MemberRemediationRequest Request(bool dryRun = false) =>
        new(new RemediationRequest(UserId, RemediationAction.EnforceMfa, dryRun), Member, ExecutionId);

    private static AutomationExecution Execution(string status = AutomationExecution.InProgress, string document = Runbook, params (string Name, string Value)[] parameters) =>
        new(ExecutionId, document, status, (parameters.Length == 0 ? [("IAMResourceId", UserId)] : parameters)
            .ToDictionary(p => p.Name, p => (IReadOnlyList<string>)[p.Value], StringComparer.Ordinal));

    private static string? Refusal(AutomationExecution? execution, MemberRemediationRequest? request = null) =>
        MemberRemediationCheck.Refusal(request ?? Request(), execution, Runbook, RemediationAction.EnforceMfa);

    [Fact]
    public void Refusal_RunningExecutionOfOurRunbookForTheSameUser_IsNone()
    {
        Assert.Null(Refusal(Execution()));
        Assert.Null(Refusal(Execution(parameters: [("IAMResourceId", UserId), ("Action", "EnforceMfa"), ("DryRun", "false")])));
    }

    [Fact]
    public void Refusal_NoSuchExecutionInTheNamedAccount_IsRefusedNamingTheAccount()
    {
        var reason = Refusal(null);

        Assert.Equal($"account {Member} has no automation execution {ExecutionId}: the request did not come from an automation running there", reason);
    }

    [Theory]
    [InlineData("Success")]
    [InlineData("Failed")]
    [InlineData("Cancelled")]
    [InlineData("Pending")]
    public void Refusal_ExecutionNotRunning_IsRefused(string status)
    {
        Assert.Contains($"is {status}, not InProgress", Refusal(Execution(status)), StringComparison.Ordinal);
    }

    [Fact]
    public void Refusal_AnotherDocument_IsRefused()
    {
        Assert.Contains("runs the document 'AWS-RunShellScript'", Refusal(Execution(document: "AWS-RunShellScript")), StringComparison.Ordinal);
    }

    [Fact]
    public void Refusal_ExecutionForAnotherUser_IsRefused()
    {
        Assert.Contains("was started for IAMResourceId 'AIDABOB00000000000001'", Refusal(Execution(parameters: [("IAMResourceId", "AIDABOB00000000000001")])), StringComparison.Ordinal);
    }

    [Fact]
    public void Refusal_DryRunExecutionAskingForARealChange_IsRefused()
    {
        var dryRunExecution = Execution(parameters: [("IAMResourceId", UserId), ("DryRun", "true")]);

        Assert.Contains("DryRun 'true', not 'false'", Refusal(dryRunExecution), StringComparison.Ordinal);
        Assert.Null(Refusal(dryRunExecution, Request(dryRun: true)));
    }

    [Fact]
    public void Refusal_AnotherAction_IsRefused()
    {
        Assert.Contains("Action 'DisableConsoleAccess'", Refusal(Execution(parameters: [("IAMResourceId", UserId), ("Action", "DisableConsoleAccess")])), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RunbookPayload_ReadsTheAccountAndExecution()
    {
        var request = MemberRemediationRequest.Parse($$"""{"IAMResourceId":"{{UserId}}","Action":"EnforceMfa","DryRun":"false","AccountId":"{{Member}}","AutomationExecutionId":"{{ExecutionId}}"}""");

        Assert.Equal(Request(), request);
    }

    [Theory]
    [InlineData("""{"IAMResourceId":"AIDAALICE000000000001","AutomationExecutionId":"4f1c2b1e-8a3d-4c55-9e0f-1234567890ab"}""", "AccountId '' is not a 12-digit AWS account ID")]
    [InlineData("""{"IAMResourceId":"AIDAALICE000000000001","AccountId":"22222222222x","AutomationExecutionId":"4f1c2b1e-8a3d-4c55-9e0f-1234567890ab"}""", "AccountId '22222222222x'")]
    [InlineData("""{"IAMResourceId":"AIDAALICE000000000001","AccountId":"222222222222"}""", "AutomationExecutionId '' is not an automation execution ID")]
    [InlineData("""{"IAMResourceId":"AIDAALICE000000000001","AccountId":"\ud800","AutomationExecutionId":"4f1c2b1e-8a3d-4c55-9e0f-1234567890ab"}""", "field AccountId is not valid Unicode text")]
    public void Parse_WithoutAProvableOrigin_NamesTheField(string json, string message)
    {
        var error = Assert.Throws<RemediationRequestException>(() => MemberRemediationRequest.Parse(json));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InAccount_EnforcementPolicyArn_KeepsPathAndNameAndChangesTheAccount()
    {
        var settings = new RemediationSettings(RemediationAction.EnforceMfa, "arn:aws:iam::123456789012:policy/mfa-config-rule/MfaConfigRule-EnforceMfa", MfaConfigRule.Compliance.RuleParameters.Default);

        Assert.Equal("arn:aws:iam::222222222222:policy/mfa-config-rule/MfaConfigRule-EnforceMfa", settings.InAccount(Member).EnforcementPolicyArn);
    }
}

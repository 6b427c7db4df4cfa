using System.Text.Json.Nodes;
using MfaConfigRule.Contract;
using MfaConfigRule.EndToEnd.Tests.Support;
using MfaConfigRule.Infra.Constructs.Remediation;

namespace MfaConfigRule.EndToEnd.Tests.Remediation;

/// <summary>
/// The remediation runbook as the CDK app writes it, run step by step: the invoke step calls the real binary (as a Lambda
/// runtime against the double) and the assert step runs its own Python on what the function returned.
/// </summary>
public sealed class RunbookTests(ITestOutputHelper output) : RemediationTest(output)
{
    private const string FunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:MfaConfigRule-RemediationRemediate";
    private const string AutomationRole = "arn:aws:iam::123456789012:role/MfaConfigRule-RemediationAutomationRole";

    private async Task<AutomationExecution> RunAsync(RemediationAction action, Dictionary<string, JsonNode?> parameters)
    {
        var function = await StartRemediateAsync(action.ToWire());
        var runbook = RunbookInterpreter.Parse(RemediationDocument.Content(FunctionArn, action, RuleName));
        parameters.TryAdd("AutomationAssumeRole", AutomationRole);
        return await new RunbookInterpreter(runbook, new Dictionary<string, LambdaFunction>(StringComparer.Ordinal) { [FunctionArn] = function }).RunAsync(parameters);
    }

    [Fact]
    public async Task Runbook_NonCompliantUser_SucceedsAndTheAssertStepReadsTheFunctionsOwnResult()
    {
        var alice = SeedUser("alice");

        var execution = await RunAsync(RemediationAction.EnforceMfa, new() { ["IAMResourceId"] = alice.UserId });

        Assert.True(execution.Succeeded, execution.FailureMessage);
        Assert.Equal("Remediated", execution.Outputs["AssertResult.Outcome"]!.GetValue<string>());
        Assert.True(execution.Outputs["AssertResult.Changed"]!.GetValue<bool>());
        var returned = JsonNode.Parse(execution.Outputs["Remediate.Payload"]!.GetValue<string>());
        var asserted = JsonNode.Parse(execution.Outputs["AssertResult.Result"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(returned, asserted), $"{returned}\n{asserted}");
        Assert.Equal([PolicyArn], AttachedTo("alice"));
    }

    [Fact]
    public async Task Runbook_UserAtThePolicyQuota_FailsTheAutomationWithTheOutcomeAndWhy()
    {
        var bob = SeedUser("bob", s => s with { AttachedPolicyArns = [.. Enumerable.Range(1, Account.ManagedPoliciesPerUser).Select(i => $"arn:aws:iam::aws:policy/Example{i}")] });

        var execution = await RunAsync(RemediationAction.EnforceMfa, new() { ["IAMResourceId"] = bob.UserId });

        Assert.False(execution.Succeeded);
        Assert.StartsWith("Step AssertResult failed: PolicyQuotaReached: ", execution.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(PolicyArn, AttachedTo("bob"));
    }

    [Fact]
    public async Task Runbook_DryRunAsABoolean_ReachesTheFunctionAndChangesNothing()
    {
        var carol = SeedUser("carol");

        var execution = await RunAsync(RemediationAction.EnforceMfa, new() { ["IAMResourceId"] = carol.UserId, ["DryRun"] = true });

        Assert.True(execution.Succeeded, execution.FailureMessage);
        Assert.False(execution.Outputs["AssertResult.Changed"]!.GetValue<bool>());
        Assert.StartsWith("Dry run:", execution.Outputs["AssertResult.Why"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(AttachedTo("carol"));
    }

    [Fact]
    public async Task Runbook_DisableConsoleAccess_SucceedsAndTheResultRecordsTheRemovedPassword()
    {
        var dave = SeedUser("dave");

        var execution = await RunAsync(RemediationAction.DisableConsoleAccess, new() { ["IAMResourceId"] = dave.UserId, ["Action"] = "DisableConsoleAccess" });

        Assert.True(execution.Succeeded, execution.FailureMessage);
        var result = JsonNode.Parse(execution.Outputs["AssertResult.Result"]!.GetValue<string>())!;
        Assert.NotNull(result["removed"]!["loginProfile"]!["createDate"]);
        Assert.Null(Account.FindUser("dave")!.LoginProfile);
    }

    [Fact]
    public async Task Runbook_UserNameInsteadOfAnId_IsRefusedByTheParameterPatternBeforeAnyStep()
    {
        SeedUser("erin");

        var execution = await RunAsync(RemediationAction.EnforceMfa, new() { ["IAMResourceId"] = "erin" });

        Assert.False(execution.Succeeded);
        Assert.StartsWith("InvalidParameters: IAMResourceId", execution.FailureMessage, StringComparison.Ordinal);
        Assert.Empty(execution.Outputs);
        Assert.Empty(AttachedTo("erin"));
    }

    [Fact]
    public async Task Runbook_UnknownUser_FailsTheAutomationNamingTheId()
    {
        var execution = await RunAsync(RemediationAction.EnforceMfa, new() { ["IAMResourceId"] = "AIDAUNKNOWNUSER000000" });

        Assert.False(execution.Succeeded);
        Assert.Contains("UserNotFound", execution.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("AIDAUNKNOWNUSER000000", execution.FailureMessage, StringComparison.Ordinal);
    }
}

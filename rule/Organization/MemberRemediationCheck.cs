using System.Text.Json;
using System.Text.RegularExpressions;
using MfaConfigRule.Contract;
using MfaConfigRule.Json;
using MfaConfigRule.Remediation;

namespace MfaConfigRule.Organization;

/// <summary>
/// What a member's runbook sends the central <c>remediate</c> function: the single-account request plus the account the
/// automation runs in (<c>{{global:ACCOUNT_ID}}</c>) and its execution ID (<c>{{automation:EXECUTION_ID}}</c>). The
/// account is a claim, not a fact: <see cref="MemberRemediationCheck"/> proves it before anything is changed.
/// </summary>
internal sealed partial record MemberRemediationRequest(RemediationRequest Request, string AccountId, string AutomationExecutionId)
{
    public const string AccountIdKey = "AccountId";
    public const string ExecutionIdKey = "AutomationExecutionId";

    public static MemberRemediationRequest Parse(string json)
    {
        using var document = RemediationRequest.Document(json);
        var request = RemediationRequest.From(document.RootElement);
        var account = Text(document.RootElement, AccountIdKey);
        if (account is null || !AccountIdPattern().IsMatch(account))
            throw new RemediationRequestException($"{AccountIdKey} '{account}' is not a 12-digit AWS account ID: the runbook passes {{{{global:ACCOUNT_ID}}}}");
        var execution = Text(document.RootElement, ExecutionIdKey);
        if (execution is null || !ExecutionIdPattern().IsMatch(execution))
            throw new RemediationRequestException($"{ExecutionIdKey} '{execution}' is not an automation execution ID (36 characters): the runbook passes {{{{automation:EXECUTION_ID}}}}");
        return new MemberRemediationRequest(request, account, execution);
    }

    private static string? Text(JsonElement root, string key) =>
        RemediationRequest.Read(() => JsonMessage.OptionalString(root, key)?.Trim());

    [GeneratedRegex("^[0-9]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex("^[0-9a-fA-F-]{36}$", RegexOptions.CultureInvariant)]
    private static partial Regex ExecutionIdPattern();
}

/// <summary>
/// The confused-deputy check of Organization remediation, pure: whoever can create a role of the members' Automation
/// role's name in an account of the Organization can reach the central function (through the invoker role, which trusts
/// that name), and its payload may name any account, so the function acts in the named account only if that account's
/// own Systems Manager holds the execution the payload names (read there, with the remediation role), and the execution
/// runs this deployment's runbook, is running now, and was started for the same user, action and dry-run setting. A member
/// cannot start an automation in another account, so it cannot make the function act there.
/// </summary>
internal static class MemberRemediationCheck
{
    /// <summary>Null when the request may be acted on; otherwise why not, for the result and the log line.</summary>
    public static string? Refusal(MemberRemediationRequest request, AutomationExecution? execution, string documentName, RemediationAction enabledAction)
    {
        ArgumentNullException.ThrowIfNull(request);
        var account = request.AccountId;
        if (execution is null)
            return $"account {account} has no automation execution {request.AutomationExecutionId}: the request did not come from an automation running there";
        if (execution.Id != request.AutomationExecutionId)
            return $"account {account} answered with execution {execution.Id}, not {request.AutomationExecutionId}";
        if (execution.DocumentName != documentName)
            return $"execution {execution.Id} in account {account} runs the document '{execution.DocumentName}', not this deployment's runbook '{documentName}'";
        if (execution.Status != AutomationExecution.InProgress)
            return $"execution {execution.Id} in account {account} is {execution.Status}, not {AutomationExecution.InProgress}: only a running automation may ask for its remediation";

        var user = Single(execution, RemediationRequest.UserIdKey);
        if (user != request.Request.UserId)
            return $"execution {execution.Id} in account {account} was started for {RemediationRequest.UserIdKey} '{user}', not '{request.Request.UserId}'";
        // Parameters hold what StartAutomationExecution was given; one left out took the runbook's default.
        var action = Single(execution, RemediationRequest.ActionKey) ?? enabledAction.ToWire();
        if (action != request.Request.Action.ToWire())
            return $"execution {execution.Id} in account {account} was started for {RemediationRequest.ActionKey} '{action}', not '{request.Request.Action.ToWire()}'";
        var dryRunText = Single(execution, RemediationRequest.DryRunKey);
        var dryRun = dryRunText is not null && bool.TryParse(dryRunText, out var parsed) ? parsed : dryRunText is not null ? (bool?)null : false;
        if (dryRun != request.Request.DryRun)
            return $"execution {execution.Id} in account {account} was started with {RemediationRequest.DryRunKey} '{dryRunText ?? "false"}', not '{request.Request.DryRun.ToString().ToLowerInvariant()}'";
        return null;
    }

    private static string? Single(AutomationExecution execution, string name) =>
        execution.Parameters.TryGetValue(name, out var values) && values.Count == 1 ? values[0].Trim() : values is { Count: > 1 } ? string.Join(",", values) : null;
}

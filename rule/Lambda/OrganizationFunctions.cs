using MfaConfigRule.Aws;
using MfaConfigRule.Logging;
using MfaConfigRule.Organization;
using MfaConfigRule.Rule;
using MfaConfigRule.SecurityHub;

namespace MfaConfigRule.Lambda;

/// <summary>
/// <c>evaluate</c> in Organization mode: the central function Config invokes from every member account. It admits the
/// event, assumes the member role, then runs the same handler and log line as the single-account function, in that member.
/// With the direct Security Hub export on, the member's findings go to the member's own Security Hub, in the rule's
/// Region, signed with the member role's session: Security Hub takes a default-product finding only from the account
/// it is about.
/// </summary>
internal static class OrganizationFunctions
{
    /// <param name="findings">The exporter shared by every member (it paces each account and Region on its own), or null when the export is off.</param>
    public static LambdaHandler Evaluate(MemberEvaluation evaluation, ApiCallCounter calls, JsonLog log, TimeProvider time, FindingExporter? findings = null) => async (request, cancellationToken) =>
    {
        MemberClients member;
        ConfigRuleHandler handler;
        try
        {
            (member, handler) = await evaluation.PrepareAsync(request.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (ConfigEventException e)
        {
            log.Error("the Config event cannot be read; nothing was reported", new LogFields { ["error"] = e.Message });
            throw new LambdaFunctionException("InvalidEvent", e.Message, e);
        }
        catch (MemberEventRefusedException e)
        {
            log.Error("event refused: nothing was read or written in any account", new LogFields
            {
                ["reason"] = e.Reason,
                ["account"] = e.Event.AccountId ?? string.Empty,
                ["configRuleArn"] = e.Event.ConfigRuleArn ?? string.Empty,
                ["executionRoleArn"] = e.Event.ExecutionRoleArn ?? string.Empty,
            });
            throw new LambdaFunctionException("EventRefused", e.Message);
        }
        catch (MemberRoleUnavailableException e)
        {
            log.Error("cannot act in the member account: its role could not be assumed; nothing was written", new LogFields
            {
                ["account"] = e.AccountId,
                ["role"] = e.RoleArn,
                ["errorCode"] = e.ErrorCode,
                ["error"] = e.Message,
            });
            throw new LambdaFunctionException("MemberRoleUnavailable", e.Message);
        }
        catch (MemberAccountsUnavailableException e)
        {
            log.Error("cannot check the event's account; nothing was read or written", new LogFields { ["error"] = e.Message });
            throw new LambdaFunctionException("MemberAccountsUnavailable", e.Message);
        }
        var securityHub = findings is null ? null : new SecurityHubExport(SecurityHubClient.Create(member.Aws), findings, member.Region);
        return await RuleFunctions.Evaluate(handler, calls, log, time, securityHub)(request, cancellationToken).ConfigureAwait(false);
    };

    /// <summary>The Organization-mode handler from the function's environment and the hub's own clients.</summary>
    public static LambdaHandler Evaluate(OrganizationSettings settings, AwsClients hub, AwsClientOptions template, JsonLog log, TimeProvider time, ExportOptions? findings = null)
    {
        var members = new MemberClientFactory(hub, settings.Role, template);
        IMemberAccounts accounts = settings.AllowedAccountIds is { } allowed
            ? new AllowedAccounts(allowed)
            : new OrganizationMembers(OrganizationsClient.Over(hub), time);
        log.Info("organization mode", new LogFields
        {
            ["memberRole"] = settings.Role.Name,
            ["accounts"] = accounts.Description,
            ["securityHubFindings"] = findings is null ? SecurityHubSettings.OffMode : SecurityHubSettings.DirectMode,
        });
        return Evaluate(new MemberEvaluation(members, accounts, time), hub.Calls, log, time, findings is null ? null : new FindingExporter(time, findings));
    }
}

using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using MfaConfigRule.Config;
using MfaConfigRule.ConfigEvents;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Organization;

/// <summary>
/// The central <c>evaluate</c> function's part in Organization mode: admit the event (one account throughout, and that
/// account among the Organization's or the allow-list's), assume the member role there, and hand back the rule's own
/// dispatcher wired to that member's IAM, CloudTrail and Config. Nothing is read or written in any account before the
/// event is admitted and the role assumed.
/// </summary>
internal sealed class MemberEvaluation(MemberClientFactory members, IMemberAccounts accounts, TimeProvider time)
{
    public async Task<(MemberClients Member, ConfigRuleHandler Handler)> PrepareAsync(string eventJson, CancellationToken cancellationToken)
    {
        var configEvent = ConfigEvent.Parse(eventJson);
        var admission = MemberEventCheck.Admit(configEvent);
        if (admission.Target is not { } target) throw new MemberEventRefusedException(configEvent, admission.Reason);

        bool member;
        try
        {
            member = await accounts.ContainsAsync(target.AccountId, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            throw new MemberAccountsUnavailableException($"cannot tell whether account {target.AccountId} belongs to {accounts.Description}: {e.ErrorCode}: {e.ServiceMessage}", e);
        }
        if (!member) throw new MemberEventRefusedException(configEvent, $"account {target.AccountId} is not one of {accounts.Description}");

        var clients = members.For(target.AccountId, target.Region, target.Partition);
        try
        {
            await clients.Credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            throw new MemberRoleUnavailableException(target.AccountId, clients.Credentials.RoleArn, e);
        }
        return (clients, Wiring.ConfigRuleHandler(clients.Aws, time));
    }
}

/// <summary>The event may not be acted on (foreign account, mismatched ARNs); nothing was read or written.</summary>
internal sealed class MemberEventRefusedException(ConfigEvent configEvent, string reason) : Exception($"event refused: {reason}")
{
    public ConfigEvent Event { get; } = configEvent;
    public string Reason { get; } = reason;
}

/// <summary>The member role could not be assumed (missing, not trusting the hub, wrong external ID); nothing was written.</summary>
internal sealed class MemberRoleUnavailableException(string accountId, string roleArn, AwsServiceException inner)
    : Exception($"cannot assume {roleArn} in account {accountId}: {inner.ErrorCode}: {inner.ServiceMessage}. Is the member stack deployed there, and does the role trust this function's role?", inner)
{
    public string AccountId { get; } = accountId;
    public string RoleArn { get; } = roleArn;
    public string ErrorCode { get; } = inner.ErrorCode;
}

/// <summary>The list of accounts to check the event against could not be read; the event was neither admitted nor refused.</summary>
internal sealed class MemberAccountsUnavailableException(string message, Exception inner) : Exception(message, inner);

using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using MfaConfigRule.Contract;
using MfaConfigRule.Logging;
using MfaConfigRule.Organization;

namespace MfaConfigRule.Functions;

/// <summary>
/// How a central function reaches the members: the member role it assumes, and which accounts are members — the
/// allow-list when the deployment names one, else the Organization's accounts. The one place that choice is made.
/// </summary>
/// <param name="ListAccounts">The accounts a sweep across the members visits: the allow-list in order, or the Organization's active accounts.</param>
internal sealed record MemberAccess(MemberClientFactory Members, IMemberAccounts Accounts, Func<CancellationToken, Task<IReadOnlyList<string>>> ListAccounts)
{
    public static MemberAccess For(MemberRole role, IReadOnlySet<string>? allowedAccountIds, AwsClients hub, AwsClientOptions template, TimeProvider time)
    {
        var members = new MemberClientFactory(hub, role, template);
        if (allowedAccountIds is { } allowed)
        {
            var ordered = allowed.Order(StringComparer.Ordinal).ToList();
            return new MemberAccess(members, new AllowedAccounts(allowed), _ => Task.FromResult<IReadOnlyList<string>>(ordered));
        }
        var organizations = OrganizationsClient.Over(hub);
        return new MemberAccess(members, new OrganizationMembers(organizations, time),
            async token => (await organizations.ListAccountsAsync(token).ConfigureAwait(false)).Where(a => a.IsActive).Select(a => a.Id).ToList());
    }

    /// <summary>The evaluate and trigger functions' start-up line; <paramref name="securityHubMode"/> for evaluate: whether it exports findings.</summary>
    public void LogOrganizationMode(JsonLog log, string? securityHubMode = null)
    {
        var fields = new LogFields { ["memberRole"] = Members.Role.Name, ["accounts"] = Accounts.Description };
        if (securityHubMode is not null) fields["securityHubFindings"] = securityHubMode;
        log.Info("organization mode", fields);
    }
}

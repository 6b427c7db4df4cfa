using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Composition;
using MfaConfigRule.Contract;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Organization;

/// <summary>One account's part of an Organization audit: its sweep, or why the account could not be read at all.</summary>
internal sealed record AccountAudit(string AccountId, SweepResult? Sweep, string? Error)
{
    public bool Reached => Sweep is not null;
}

/// <summary>
/// The CLI's audit of many accounts: the same sweep as one account, in each account through its member role, a bounded
/// number of accounts at a time. An account whose role cannot be assumed (or whose account-wide reads fail) is reported
/// with the cause and the others still complete; nothing is written anywhere.
/// </summary>
internal sealed class OrganizationAudit(MemberClientFactory members, TimeProvider time, AssessorOptions assessorOptions, int maxParallelAccounts)
{
    public const int DefaultMaxParallelAccounts = 16;

    /// <param name="progress">Accounts done and in all, reported as each account finishes.</param>
    public async Task<IReadOnlyList<AccountAudit>> RunAsync(
        IReadOnlyList<string> accountIds, string region, RuleParameters parameters, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallelAccounts, 1);
        var partition = MemberRole.PartitionOf(region);
        using var slots = new SemaphoreSlim(maxParallelAccounts, maxParallelAccounts);
        var done = 0;
        var audits = accountIds.Distinct(StringComparer.Ordinal).Select(async accountId =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await AuditAsync(accountId, region, partition, parameters, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
                progress?.Report((Interlocked.Increment(ref done), accountIds.Count));
            }
        }).ToList();
        return [.. (await Task.WhenAll(audits).ConfigureAwait(false)).OrderBy(a => a.AccountId, StringComparer.Ordinal)];
    }

    private async Task<AccountAudit> AuditAsync(string accountId, string region, string partition, RuleParameters parameters, CancellationToken cancellationToken)
    {
        var member = members.For(accountId, region, partition);
        try
        {
            await member.Credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            return new AccountAudit(accountId, null, $"cannot assume {member.Credentials.RoleArn}: {e.ErrorCode}: {e.ServiceMessage}");
        }
        try
        {
            var assessor = Wiring.Assessor(member.Aws.Iam, member.Aws.CloudTrail, time, assessorOptions);
            return new AccountAudit(accountId, await assessor.SweepAsync(parameters, cancellationToken).ConfigureAwait(false), null);
        }
        catch (AwsServiceException e)
        {
            return new AccountAudit(accountId, null, $"the account's users could not be listed: {e.ErrorCode}: {e.ServiceMessage}");
        }
    }

    /// <summary>The Organization's active accounts, for <c>--organization</c>.</summary>
    public static async Task<IReadOnlyList<string>> ActiveAccountsAsync(OrganizationsClient organizations, CancellationToken cancellationToken)
    {
        var accounts = await organizations.ListAccountsAsync(cancellationToken).ConfigureAwait(false);
        return [.. accounts.Where(a => a.IsActive).Select(a => a.Id).Order(StringComparer.Ordinal)];
    }
}

using MfaConfigRule.Aws;

namespace MfaConfigRule.Organization;

/// <summary>Which accounts the central function may act in.</summary>
internal interface IMemberAccounts
{
    /// <summary>Whether <paramref name="accountId"/> may be evaluated; an <see cref="AwsServiceException"/> when that cannot be known.</summary>
    Task<bool> ContainsAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>For log lines and refusals: "the allow-list", "the Organization's active accounts".</summary>
    string Description { get; }
}

/// <summary>A fixed allow-list of account IDs.</summary>
internal sealed class AllowedAccounts(IReadOnlySet<string> accountIds) : IMemberAccounts
{
    public string Description => $"the allow-list of {accountIds.Count} account(s)";

    public Task<bool> ContainsAsync(string accountId, CancellationToken cancellationToken) => Task.FromResult(accountIds.Contains(accountId));
}

/// <summary>
/// The Organization's active accounts, from <c>organizations:ListAccounts</c>, kept for <see cref="MaxAge"/>. An account
/// not in the list is looked up again (at most once a minute) before it is refused, so an account that just joined is
/// not turned away until the cache expires; one that left or was suspended is refused within <see cref="MaxAge"/>.
/// </summary>
internal sealed class OrganizationMembers(OrganizationsClient organizations, TimeProvider time) : IMemberAccounts, IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlySet<string>? _active;
    private DateTimeOffset _listedAt;

    public string Description => "the Organization's active accounts";

    public async Task<bool> ContainsAsync(string accountId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var age = time.GetUtcNow() - _listedAt;
            if (_active is null || age >= MaxAge || (!_active.Contains(accountId) && age >= MinRefreshInterval))
            {
                var accounts = await organizations.ListAccountsAsync(cancellationToken).ConfigureAwait(false);
                _active = accounts.Where(a => a.IsActive).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
                _listedAt = time.GetUtcNow();
            }
            return _active.Contains(accountId);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}

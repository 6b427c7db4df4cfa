using System.Globalization;

namespace AwsDouble.Organizations;

/// <summary>An account's membership as <c>ListAccounts</c> shows it.</summary>
public sealed record OrganizationMember(string AccountId, string Name, string Email, string State, string JoinedMethod, DateTimeOffset JoinedAt);

/// <summary>
/// AWS Organizations in the double: one Organization, its management account, members that join, leave and get
/// suspended, and delegated administrators (who may call ListAccounts like the management account). Thread-safe.
/// </summary>
public sealed class DoubleOrganization
{
    public const string Active = "ACTIVE";
    public const string Suspended = "SUSPENDED";

    private readonly Lock _gate = new();
    private readonly List<OrganizationMember> _members = [];
    private readonly HashSet<string> _delegatedAdministrators = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    internal DoubleOrganization(string id, string managementAccountId, TimeProvider clock)
    {
        Id = id;
        ManagementAccountId = managementAccountId;
        _clock = clock;
        _members.Add(new OrganizationMember(managementAccountId, "management", $"management@example.com", Active, "CREATED", clock.GetUtcNow()));
    }

    /// <summary><c>o-</c> and ten characters, as <c>aws:PrincipalOrgID</c> carries it.</summary>
    public string Id { get; }
    public string ManagementAccountId { get; }

    public IReadOnlyList<OrganizationMember> Members
    {
        get
        {
            lock (_gate) return [.. _members];
        }
    }

    public void Join(DoubleAccount account, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        lock (_gate)
        {
            if (_members.Any(m => m.AccountId == account.AccountId)) throw new InvalidOperationException($"account {account.AccountId} is already a member");
            var label = name ?? "member-" + account.AccountId[^4..];
            _members.Add(new OrganizationMember(account.AccountId, label, $"{label}@example.com", Active, "INVITED", _clock.GetUtcNow()));
        }
    }

    public void Leave(string accountId)
    {
        lock (_gate)
        {
            if (accountId == ManagementAccountId) throw new InvalidOperationException("the management account cannot leave");
            _members.RemoveAll(m => m.AccountId == accountId);
            _delegatedAdministrators.Remove(accountId);
        }
    }

    public void SetState(string accountId, string state)
    {
        lock (_gate)
        {
            var index = _members.FindIndex(m => m.AccountId == accountId);
            if (index < 0) throw new InvalidOperationException($"account {accountId} is not a member");
            _members[index] = _members[index] with { State = state };
        }
    }

    public void RegisterDelegatedAdministrator(string accountId)
    {
        lock (_gate)
        {
            if (!_members.Any(m => m.AccountId == accountId)) throw new InvalidOperationException($"account {accountId} is not a member");
            _delegatedAdministrators.Add(accountId);
        }
    }

    public bool IsMember(string accountId)
    {
        lock (_gate) return _members.Any(m => m.AccountId == accountId);
    }

    /// <summary>The management account and delegated administrators may list the Organization's accounts.</summary>
    internal bool MayListAccounts(string accountId)
    {
        lock (_gate) return accountId == ManagementAccountId || _delegatedAdministrators.Contains(accountId);
    }

    internal string AccountArn(string accountId) => string.Create(CultureInfo.InvariantCulture, $"arn:aws:organizations::{ManagementAccountId}:account/{Id}/{accountId}");
}

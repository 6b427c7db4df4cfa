using AwsDouble.Auth;
using AwsDouble.Iam;

namespace AwsDouble.Sts;

/// <summary>
/// One account's roles as STS sees them (name, unique ID, trust policy) and the temporary credentials of their
/// sessions. Roles live here rather than in <see cref="IamState"/>: the double serves no IAM role API, only AssumeRole.
/// </summary>
internal sealed class AccountRoles(string accountId, AwsDoubleState state, IamState iam)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string RoleId, TrustPolicy Trust)> _roles = new(StringComparer.Ordinal);

    /// <summary>
    /// A role STS may assume in this account, with its trust policy (AssumeRolePolicyDocument JSON); without one, any
    /// principal of this account may assume it, as with a role trusting <c>arn:aws:iam::ACCOUNT:root</c>. Returns its ARN;
    /// adding it again replaces the trust policy.
    /// </summary>
    public string Add(string roleName, string? trustPolicy = null)
    {
        var trust = trustPolicy is null ? TrustPolicy.SameAccount(accountId) : TrustPolicy.Parse(trustPolicy);
        lock (_gate)
        {
            var roleId = _roles.TryGetValue(roleName, out var existing) ? existing.RoleId : iam.NewUniqueId("AROA");
            _roles[roleName] = (roleId, trust);
            return Arn(roleName);
        }
    }

    /// <summary>
    /// A session of the role as a service hands it over (Lambda gives a function its execution role's session): issued
    /// without a trust check, valid for <paramref name="duration"/> on the double's clock.
    /// </summary>
    public Principal StartSession(string roleName, string sessionName, TimeSpan duration)
    {
        var role = Find(roleName) ?? throw new InvalidOperationException($"no role {roleName} in account {accountId}");
        return CreateSession(roleName, role.RoleId, sessionName, state.Clock.GetUtcNow() + duration);
    }

    public Principal CreateSession(string roleName, string roleId, string sessionName, DateTimeOffset expiration)
    {
        var principal = new Principal(
            "ASIA" + state.RandomText(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            state.RandomText(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            accountId,
            PrincipalKind.AssumedRole,
            $"arn:aws:sts::{accountId}:assumed-role/{roleName}/{sessionName}",
            $"{roleId}:{sessionName}",
            SessionToken: "IQoJb3JpZ2luX2VjE" + state.RandomText(300, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            Expiration: expiration);
        state.Credentials.Add(principal);
        return principal;
    }

    /// <summary>Deletes a role: sessions already handed out stay valid until they expire, as in IAM.</summary>
    public bool Delete(string roleName)
    {
        lock (_gate) return _roles.Remove(roleName);
    }

    public (string RoleId, TrustPolicy Trust)? Find(string roleName)
    {
        lock (_gate) return _roles.TryGetValue(roleName, out var role) ? role : null;
    }

    public string Arn(string roleName) => $"arn:aws:iam::{accountId}:role/{roleName}";
}

using System.Collections.Concurrent;
using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Organization;

/// <summary>The AWS clients of one member account and Region, signed with the member role's session.</summary>
internal sealed record MemberClients(string AccountId, string Region, AwsClients Aws, MemberRoleCredentials Credentials);

/// <summary>
/// Builds, and keeps for the life of the process (a warm Lambda, one CLI run), the clients that act in member accounts:
/// IAM reads and Config writes with the session of <c>arn:PARTITION:iam::MEMBER:role/NAME</c>, which the hub's own
/// credentials assume through STS. One session per account, shared by its Regions; every request counts in the hub's
/// <see cref="ApiCallCounter"/>. Config's role named in the event is never assumed: it is usually the service-linked
/// <c>AWSServiceRoleForConfig</c>, which only Config can assume.
/// </summary>
internal sealed class MemberClientFactory : IDisposable
{
    private readonly StsClient _sts;
    private readonly MemberRole _role;
    private readonly AwsClientOptions _template;
    private readonly ConcurrentDictionary<string, Lazy<MemberRoleCredentials>> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Account, string Region), Lazy<MemberClients>> _clients = new();

    /// <param name="hub">The hub's clients: their STS endpoint and credentials assume the member role.</param>
    /// <param name="template">Environment, clock, retry and counter for the member clients; its credentials are ignored.</param>
    public MemberClientFactory(AwsClients hub, MemberRole role, AwsClientOptions template)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(template);
        _sts = StsClient.Over(hub);
        _role = role;
        _template = template with { Counter = template.Counter ?? hub.Calls };
    }

    public MemberRole Role => _role;

    public MemberClients For(string accountId, string region, string partition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        return _clients.GetOrAdd((accountId, region), key => new Lazy<MemberClients>(() =>
        {
            var credentials = _sessions.GetOrAdd(accountId, _ => new Lazy<MemberRoleCredentials>(() =>
                new MemberRoleCredentials(_sts, _role.ArnIn(partition, accountId), _role.ExternalId, _template.TimeProvider))).Value;
            var source = AwsCredentialSource.FromProvider($"role {credentials.RoleArn}", credentials.GetAsync);
            var aws = AwsClients.Create(_template with { Region = key.Region, CredentialSource = source, Credentials = null, Profile = null });
            return new MemberClients(accountId, key.Region, aws, credentials);
        })).Value;
    }

    public void Dispose()
    {
        foreach (var clients in _clients.Values.Where(c => c.IsValueCreated)) clients.Value.Aws.Dispose();
        foreach (var session in _sessions.Values.Where(s => s.IsValueCreated)) session.Value.Dispose();
    }
}

using Amazon.Runtime;
using MfaConfigRule.Aws;

namespace MfaConfigRule.Organization;

/// <summary>
/// The credentials of the member role in one account: assumed on first use, kept until shortly before they expire, then
/// assumed again. A failure is an <see cref="Aws.AwsServiceException"/> from STS (AccessDenied when the role is missing or
/// does not trust the caller), so a sweep that loses its session mid-way fails closed per user like any other AWS error.
/// </summary>
internal sealed class MemberRoleCredentials(StsClient sts, string roleArn, string? externalId, TimeProvider time) : IDisposable
{
    /// <summary>Name of the session in the member's CloudTrail: the member sees who read its IAM.</summary>
    public const string SessionName = "mfa-config-rule";

    /// <summary>Sessions are renewed this long before they expire, so no request is signed with a key about to lapse.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (RoleSession Session, AWSCredentials Credentials)? _current;

    public string RoleArn => roleArn;

    public async Task<AWSCredentials> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } credentials) return credentials;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } renewed) return renewed;
            var session = await sts.AssumeRoleAsync(roleArn, SessionName, externalId, cancellationToken).ConfigureAwait(false);
            var fresh = new SessionAWSCredentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken);
            _current = (session, fresh);
            return fresh;
        }
        finally
        {
            _gate.Release();
        }
    }

    private AWSCredentials? Fresh() =>
        _current is { } current && current.Session.Expiration - RefreshMargin > time.GetUtcNow() ? current.Credentials : null;

    public void Dispose() => _gate.Dispose();
}

namespace AwsDouble.Auth;

/// <summary>What kind of identity signed a request.</summary>
public enum PrincipalKind
{
    /// <summary>The account's root user (the double's default access key belongs to it).</summary>
    Root,

    /// <summary>An IAM user's long-term access key.</summary>
    User,

    /// <summary>Temporary credentials from STS AssumeRole.</summary>
    AssumedRole,
}

/// <summary>An access key the double accepts, and who it belongs to.</summary>
public sealed record Principal(
    string AccessKeyId,
    string SecretAccessKey,
    string AccountId,
    PrincipalKind Kind,
    string Arn,
    string UserId,
    string? SessionToken = null,
    DateTimeOffset? Expiration = null)
{
    /// <summary>The name CloudTrail shows as <c>Username</c>: the IAM user, the role session, or "root".</summary>
    public string DisplayName => Kind switch
    {
        PrincipalKind.Root => "root",
        _ => Arn[(Arn.LastIndexOf('/') + 1)..],
    };

    /// <summary>
    /// The ARN policies name the caller by (<c>aws:PrincipalArn</c>): for a role session the role's
    /// <c>arn:aws:iam::ACCOUNT:role/NAME</c>, not the session's <c>arn:aws:sts::…:assumed-role/NAME/SESSION</c>; else the user or root ARN.
    /// </summary>
    public string IdentityArn => Kind == PrincipalKind.AssumedRole
        ? $"arn:aws:iam::{AccountId}:role/{Arn.Split(':', 6)[5].Split('/')[1]}"
        : Arn;
}

/// <summary>Every access key the double knows, long-term and temporary. Thread-safe.</summary>
internal sealed class CredentialStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Principal> _byAccessKey = new(StringComparer.Ordinal);

    public void Add(Principal principal)
    {
        lock (_gate) _byAccessKey[principal.AccessKeyId] = principal;
    }

    public Principal? Find(string accessKeyId)
    {
        lock (_gate) return _byAccessKey.GetValueOrDefault(accessKeyId);
    }
}

using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Aws;

/// <summary>
/// Where the signing credentials come from: fixed ones (tests, the local AWS double), a named profile (the CLI's
/// <c>--profile</c>), or the SDK's standard chain (environment, <c>AWS_PROFILE</c>/default profile, SSO, web identity,
/// container, instance metadata), which is what the Lambda uses. The SDK objects refresh temporary credentials
/// themselves; this class only picks and keeps the source.
/// </summary>
internal sealed class AwsCredentialSource : IDisposable
{
    private readonly AWSCredentials? _fixed;
    private readonly string? _profile;
    public const string WebIdentityTokenFileVariable = "AWS_WEB_IDENTITY_TOKEN_FILE";

    private readonly DefaultAWSCredentialsIdentityResolver? _chain;
    private readonly Func<CancellationToken, Task<AWSCredentials>>? _provider;
    private readonly string? _providerDescription;
    private readonly IEnvironmentVariables? _environment;
    private AWSCredentials? _fromProfile;

    private AwsCredentialSource(AWSCredentials? fixedCredentials, string? profile, DefaultAWSCredentialsIdentityResolver? chain,
        Func<CancellationToken, Task<AWSCredentials>>? provider = null, string? providerDescription = null, IEnvironmentVariables? environment = null)
    {
        _fixed = fixedCredentials;
        _profile = profile;
        _chain = chain;
        _provider = provider;
        _providerDescription = providerDescription;
        _environment = environment;
    }

    /// <summary>
    /// Credentials something else obtains and refreshes (an assumed role in another account): asked before every request,
    /// so the provider decides when to renew them.
    /// </summary>
    public static AwsCredentialSource FromProvider(string description, Func<CancellationToken, Task<AWSCredentials>> provider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        ArgumentNullException.ThrowIfNull(provider);
        return new(null, null, null, provider, description);
    }

    public static AwsCredentialSource Fixed(AWSCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return new(credentials, null, null);
    }

    /// <summary>Static keys; a session token makes them temporary credentials (sent as X-Amz-Security-Token).</summary>
    public static AwsCredentialSource Fixed(string accessKeyId, string secretAccessKey, string? sessionToken = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretAccessKey);
        return Fixed(string.IsNullOrEmpty(sessionToken)
            ? new BasicAWSCredentials(accessKeyId, secretAccessKey)
            : new SessionAWSCredentials(accessKeyId, secretAccessKey, sessionToken));
    }

    /// <summary>A profile from the shared config and credentials files (static keys, SSO, assume-role, credential_process).</summary>
    public static AwsCredentialSource Profile(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new(null, name, null);
    }

    /// <summary>The SDK's chain; <paramref name="environment"/> only shapes the error message when nothing is found.</summary>
    public static AwsCredentialSource DefaultChain(IEnvironmentVariables? environment = null) =>
        new(null, null, new DefaultAWSCredentialsIdentityResolver(), environment: environment);

    /// <summary>What the source is, for logs and error messages (never the keys).</summary>
    public string Description => _providerDescription is not null ? _providerDescription : _fixed is not null ? "fixed credentials" : _profile is not null ? $"profile '{_profile}'" : "the default credential chain";

    public async Task<AWSCredentials> GetAsync(CancellationToken cancellationToken)
    {
        if (_fixed is not null) return _fixed;
        if (_provider is not null) return await _provider(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_profile is not null) return _fromProfile ??= LoadProfile(_profile);
            return await _chain!.ResolveIdentityAsync(null, cancellationToken);
        }
        catch (AmazonClientException e)
        {
            var webIdentity = !string.IsNullOrEmpty(_environment?.Get(WebIdentityTokenFileVariable));
            throw new AwsCredentialsException($"No AWS credentials from {Description}: {(_chain is null ? e.Message : ChainFailure(e.Message, webIdentity))}", e);
        }
    }

    /// <summary>
    /// The SDK's "Exception N of M: …" list on one line, without the web-identity provider's complaint when no web
    /// identity is configured (it says the token file "must be an absolute path" when the variable is simply not set).
    /// </summary>
    internal static string ChainFailure(string sdkMessage, bool webIdentityConfigured)
    {
        var tried = sdkMessage.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("Exception ", StringComparison.Ordinal) && l.Contains(':', StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().TrimEnd('.'))
            .Where(l => webIdentityConfigured || !l.Contains("webIdentityTokenFile", StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (tried.Count == 0) return sdkMessage;
        return $"{string.Join("; ", tried)}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile NAME, or sign in (aws sso login).";
    }

    private static AWSCredentials LoadProfile(string name) =>
        new CredentialProfileStoreChain().TryGetAWSCredentials(name, out var credentials)
            ? credentials
            : throw new AwsCredentialsException($"No AWS profile named '{name}' in the shared config or credentials file.");

    public void Dispose() => _chain?.Dispose();
}

/// <summary>Credentials could not be found or loaded; nothing was sent.</summary>
internal sealed class AwsCredentialsException(string message, Exception? inner = null) : Exception(message, inner);

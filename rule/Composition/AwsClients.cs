using MfaConfigRule.Aws;
using MfaConfigRule.CloudTrail;
using MfaConfigRule.Config;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Composition;

/// <summary>
/// The IAM, Config and CloudTrail clients over one transport (one set of credentials, one call counter), built in one
/// line by the Lambda and CLI front doors: <c>using var aws = AwsClients.Create(options);</c>.
/// </summary>
internal sealed class AwsClients : IAwsConnection, IDisposable
{
    private AwsClients(AwsTransport transport, AwsEndpoints endpoints, AwsCredentialSource credentials)
    {
        Transport = transport;
        Endpoints = endpoints;
        CredentialSource = credentials.Description;
        var iam = new IamClient(new QueryProtocolClient(transport, AwsService.Iam, endpoints.Resolve(AwsService.Iam), IamClient.ApiVersion));
        Iam = iam;
        PolicyAttachments = iam;
        Config = new ConfigClient(new JsonProtocolClient(transport, AwsService.Config, endpoints.Resolve(AwsService.Config), ConfigClient.TargetPrefix));
        CloudTrail = new CloudTrailClient(new JsonProtocolClient(transport, AwsService.CloudTrail, endpoints.Resolve(AwsService.CloudTrail), CloudTrailClient.TargetPrefix));
    }

    public IIamClient Iam { get; }

    /// <summary>The IAM writes of remediation; only the <c>remediate</c> entry uses them.</summary>
    public IIamPolicyAttachments PolicyAttachments { get; }
    public IConfigClient Config { get; }
    public ICloudTrailClient CloudTrail { get; }

    /// <summary>Requests sent per operation, for the run's log line.</summary>
    public ApiCallCounter Calls => Transport.Counter;

    /// <summary>Where the credentials come from, for logs ("profile 'dev'", "the default credential chain").</summary>
    public string CredentialSource { get; }

    /// <summary>The shared transport and endpoints, for a client of another service (STS) built the same way.</summary>
    public AwsTransport Transport { get; }
    public AwsEndpoints Endpoints { get; }

    public static AwsClients Create(AwsClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Endpoints first: a bad Region or override URL fails here, before any credential lookup.
        var endpoints = new AwsEndpoints(options.Region, options.Environment);
        var credentials = options.CredentialSource is not null ? options.CredentialSource
            : options.Credentials is not null ? AwsCredentialSource.Fixed(options.Credentials)
            : options.Profile is { Length: > 0 } profile ? AwsCredentialSource.Profile(profile)
            : AwsCredentialSource.DefaultChain(options.Environment);
        var transport = new AwsTransport(credentials, options.TimeProvider, options.Retry, options.Counter ?? new ApiCallCounter(),
            options.AttemptTimeout, options.Jitter, options.HttpHandler, options.OnRetry);
        return new AwsClients(transport, endpoints, credentials);
    }

    public void Dispose() => Transport.Dispose();
}

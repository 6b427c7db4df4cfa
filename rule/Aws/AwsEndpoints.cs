using System.Text.RegularExpressions;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Aws;

/// <summary>Where to send a service's requests and which Region to sign them for.</summary>
internal sealed record AwsEndpoint(Uri Url, string SigningRegion);

/// <summary>
/// Resolves service endpoints the way the AWS SDKs do for the four services this project calls:
/// <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c> wins over <c>AWS_ENDPOINT_URL</c>, which wins over the default, and
/// <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c> switches both overrides off. IAM is global: one endpoint per
/// partition, signed for that partition's control-plane Region, whatever Region the rule runs in.
/// </summary>
/// <remarks>
/// An override changes only the URL, never the signing Region, so a request signed for the local AWS double is signed
/// exactly as the real service would see it.
/// </remarks>
internal sealed partial class AwsEndpoints
{
    public const string EndpointUrlVariable = "AWS_ENDPOINT_URL";
    public const string IgnoreConfiguredEndpointUrlsVariable = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

    private readonly IEnvironmentVariables _environment;

    public AwsEndpoints(string region, IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (string.IsNullOrWhiteSpace(region) || !RegionPattern().IsMatch(region))
            throw new AwsConfigurationException($"'{region}' is not an AWS Region name (such as us-east-1 or eu-west-1)");
        Region = region;
        _environment = environment;
    }

    /// <summary>The Region the rule runs in (Config, CloudTrail and STS are called there).</summary>
    public string Region { get; }

    public AwsEndpoint Resolve(AwsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var (defaultUrl, signingRegion) = Default(service);
        return new AwsEndpoint(Override(service) ?? defaultUrl, signingRegion);
    }

    /// <summary>The Region of the partition's IAM control plane, where IAM's CloudTrail events are recorded.</summary>
    public string IamRegion => Region switch
    {
        _ when Region.StartsWith("cn-", StringComparison.Ordinal) => "cn-north-1",
        _ when Region.StartsWith("us-gov-", StringComparison.Ordinal) => "us-gov-west-1",
        _ => "us-east-1",
    };

    private (Uri Url, string SigningRegion) Default(AwsService service)
    {
        if (service == AwsService.Iam)
        {
            return Region switch
            {
                _ when Region.StartsWith("cn-", StringComparison.Ordinal) => (new Uri("https://iam.cn-north-1.amazonaws.com.cn/"), IamRegion),
                _ when Region.StartsWith("us-gov-", StringComparison.Ordinal) => (new Uri("https://iam.us-gov.amazonaws.com/"), IamRegion),
                _ => (new Uri("https://iam.amazonaws.com/"), IamRegion),
            };
        }
        // Organizations, like IAM, has one control plane per partition.
        if (service == AwsService.Organizations)
        {
            return Region switch
            {
                _ when Region.StartsWith("cn-", StringComparison.Ordinal) => (new Uri("https://organizations.cn-northwest-1.amazonaws.com.cn/"), "cn-northwest-1"),
                _ when Region.StartsWith("us-gov-", StringComparison.Ordinal) => (new Uri("https://organizations.us-gov-west-1.amazonaws.com/"), "us-gov-west-1"),
                _ => (new Uri("https://organizations.us-east-1.amazonaws.com/"), "us-east-1"),
            };
        }
        // The rule reads CloudTrail only for IAM's own events, and IAM, being global, records them in its control-plane
        // Region's event history whatever Region the rule runs in.
        var region = service == AwsService.CloudTrail ? IamRegion : Region;
        var dnsSuffix = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return (new Uri($"https://{service.HostPrefix}.{region}.{dnsSuffix}/"), region);
    }

    private Uri? Override(AwsService service)
    {
        if (string.Equals(_environment.Get(IgnoreConfiguredEndpointUrlsVariable)?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
            return null;
        foreach (var variable in new[] { $"{EndpointUrlVariable}_{service.EndpointId}", EndpointUrlVariable })
        {
            var value = _environment.Get(variable)?.Trim();
            if (string.IsNullOrEmpty(value)) continue;
            if (Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp))
                return url;
            throw new AwsConfigurationException($"{variable}='{value}' is not an http(s) URL (such as http://127.0.0.1:4599)");
        }
        return null;
    }

    // Region names go into host names, so only the characters real Region names use are let through.
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();
}

/// <summary>A Region or endpoint setting that cannot be used; nothing was sent.</summary>
internal sealed class AwsConfigurationException(string message) : Exception(message);

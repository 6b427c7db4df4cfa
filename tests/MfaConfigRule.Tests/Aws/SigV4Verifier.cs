using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace MfaConfigRule.Tests.Aws;

/// <summary>
/// An independent SigV4 check of a request as it went on the wire: recomputes the signature from the captured method,
/// URL, signed headers and body with the secret key, the way the service does. Written from the AWS specification and
/// checked against the AWS SigV4 test suite, so that it can judge the SDK signer and our use of it.
/// </summary>
internal static partial class SigV4Verifier
{
    public sealed record Authorization(string AccessKeyId, string Date, string Region, string Service, IReadOnlyList<string> SignedHeaders, string Signature);

    public static Authorization Parse(string header)
    {
        var match = AuthorizationPattern().Match(header);
        Assert.True(match.Success, $"not a SigV4 Authorization header: {header}");
        return new Authorization(match.Groups["key"].Value, match.Groups["date"].Value, match.Groups["region"].Value, match.Groups["service"].Value,
            match.Groups["headers"].Value.Split(';'), match.Groups["signature"].Value);
    }

    /// <summary>The signature the service would compute for this request.</summary>
    public static string ExpectedSignature(CapturedRequest request, string secretAccessKey)
    {
        var authorization = Parse(request.Header("Authorization") ?? throw new InvalidOperationException("the request is not signed"));
        var amzDate = request.Header("X-Amz-Date") ?? throw new InvalidOperationException("the request has no X-Amz-Date");
        return Sign(request.Method.Method, request.Uri, name => name == "host" ? HostHeader(request.Uri) : request.Header(name),
            authorization.SignedHeaders, request.Body, amzDate, authorization.Region, authorization.Service, secretAccessKey);
    }

    public static string Sign(
        string method, Uri uri, Func<string, string?> header, IReadOnlyList<string> signedHeaders, byte[] body,
        string amzDate, string region, string service, string secretAccessKey)
    {
        var canonicalHeaders = string.Concat(signedHeaders.Select(name =>
            $"{name}:{Regex.Replace((header(name) ?? throw new InvalidOperationException($"signed header {name} is missing")).Trim(), " +", " ")}\n"));
        var canonicalQuery = string.Join("&", uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Contains('=') ? p : p + "=").Order(StringComparer.Ordinal));
        var canonicalRequest = string.Join("\n",
            method, uri.AbsolutePath, canonicalQuery, canonicalHeaders, string.Join(";", signedHeaders), Hex(SHA256.HashData(body)));
        var date = amzDate[..8];
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        foreach (var part in new[] { date, region, service, "aws4_request" }) key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>The Host header HttpClient sends: the port only when it is not the scheme's default.</summary>
    private static string HostHeader(Uri uri) => uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request, SignedHeaders=(?<headers>[a-z0-9;-]+), Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();
}

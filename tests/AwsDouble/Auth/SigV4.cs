using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AwsDouble.Auth;

/// <summary>What a request looks like to the signature check: exactly the bytes and header lines that arrived.</summary>
internal sealed record SignedRequest(
    string Method,
    string RawPath,
    string RawQuery,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body);

/// <summary>The parts of an <c>Authorization: AWS4-HMAC-SHA256 …</c> header.</summary>
internal sealed record SigV4Authorization(
    string AccessKeyId,
    string Date,
    string Region,
    string Service,
    IReadOnlyList<string> SignedHeaders,
    string Signature)
{
    public string Scope => $"{Date}/{Region}/{Service}/aws4_request";
}

/// <summary>
/// Signature Version 4, computed the way the AWS General Reference describes it (canonical request, string to sign,
/// derived key, HMAC-SHA256), so the double can recompute what an honest client must have sent.
/// </summary>
internal static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Parses the header; null and a reason when it is not a complete SigV4 authorization.</summary>
    public static SigV4Authorization? Parse(string header, out string problem)
    {
        problem = string.Empty;
        if (!header.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            problem = $"Authorization header requires the '{Algorithm}' algorithm.";
            return null;
        }
        var parts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in header[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) parts[part[..eq]] = part[(eq + 1)..];
        }
        foreach (var required in new[] { "Credential", "SignedHeaders", "Signature" })
        {
            if (!parts.ContainsKey(required))
            {
                problem = $"Authorization header requires '{required}' parameter. Authorization={header}";
                return null;
            }
        }
        var credential = parts["Credential"].Split('/');
        if (credential.Length != 5 || credential[4] != "aws4_request")
        {
            problem = $"Credential should be scoped to a valid region, not '{(credential.Length > 2 ? credential[2] : string.Empty)}'. ";
            return null;
        }
        return new SigV4Authorization(credential[0], credential[1], credential[2], credential[3],
            parts["SignedHeaders"].Split(';'), parts["Signature"]);
    }

    public static string CanonicalRequest(SignedRequest request, IReadOnlyList<string> signedHeaders)
    {
        var builder = new StringBuilder();
        builder.Append(request.Method).Append('\n');
        builder.Append(CanonicalPath(request.RawPath)).Append('\n');
        builder.Append(CanonicalQuery(request.RawQuery)).Append('\n');
        foreach (var name in signedHeaders)
        {
            var values = request.Headers
                .Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
                .Select(h => CollapseSpaces(h.Value.Trim()));
            builder.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }
        builder.Append('\n');
        builder.Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(Hex(SHA256.HashData(request.Body.Span)));
        return builder.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    public static string Signature(byte[] signingKey, string stringToSign) =>
        Hex(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

    public static bool SignaturesEqual(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given));

    public static bool TryParseAmzDate(string value, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(value, AmzDateFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    /// <summary>
    /// Every service but S3 signs the path as it went on the wire, each segment URI-encoded once more (so an already
    /// percent-encoded path is encoded twice, as the spec says); an empty path signs as "/".
    /// </summary>
    public static string CanonicalPath(string rawPath)
    {
        if (rawPath.Length == 0) return "/";
        return string.Join('/', rawPath.Split('/').Select(segment => UriEncode(segment)));
    }

    /// <summary>Parameters decoded (a '+' is a space), re-encoded RFC 3986 style, sorted by name then value.</summary>
    public static string CanonicalQuery(string rawQuery)
    {
        var query = rawQuery.StartsWith('?') ? rawQuery[1..] : rawQuery;
        if (query.Length == 0) return string.Empty;
        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? pair : pair[..eq];
                var value = eq < 0 ? string.Empty : pair[(eq + 1)..];
                return (Name: UriEncode(FormDecode(name)), Value: UriEncode(FormDecode(value)));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => $"{p.Name}={p.Value}"));
    }

    /// <summary>RFC 3986 percent-encoding of everything but the unreserved characters, with upper-case hex.</summary>
    public static string UriEncode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~')
                builder.Append(c);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    private static string CollapseSpaces(string value)
    {
        if (!value.Contains("  ", StringComparison.Ordinal)) return value;
        var builder = new StringBuilder(value.Length);
        var previousSpace = false;
        foreach (var c in value)
        {
            if (c == ' ' && previousSpace) continue;
            builder.Append(c);
            previousSpace = c == ' ';
        }
        return builder.ToString();
    }
}

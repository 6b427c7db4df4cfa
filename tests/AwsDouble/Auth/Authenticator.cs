using System.Globalization;

namespace AwsDouble.Auth;

/// <summary>Why a request's signature was refused; each protocol names it with its own error code.</summary>
internal enum AuthFailure
{
    MissingAuthentication,
    IncompleteSignature,
    UnknownAccessKey,
    SignatureMismatch,
    SignatureExpired,
    ExpiredToken,
    WrongScope,
}

internal sealed class AuthenticationException(AuthFailure failure, string message) : Exception(message)
{
    public AuthFailure Failure { get; } = failure;
}

/// <summary>
/// Checks a request's SigV4 signature against the keys the double knows, and that it was signed for the service and
/// Region the request is for. Temporary credentials must come with their session token and must not have expired on
/// the double's clock; the signing time is checked against the wall clock, since clients sign with real time.
/// </summary>
internal sealed class Authenticator(CredentialStore credentials, TimeProvider doubleClock, TimeProvider wallClock, TimeSpan maxSkew)
{
    public const string SignatureMismatchMessage =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    public const string InvalidTokenMessage = "The security token included in the request is invalid.";

    /// <param name="requiredRegion">The only Region the service accepts (IAM: us-east-1), or null for any.</param>
    public Principal Authenticate(SignedRequest request, string service, string? requiredRegion, out string signingRegion)
    {
        signingRegion = string.Empty;
        var header = Header(request, "Authorization");
        if (header is null)
            throw new AuthenticationException(AuthFailure.MissingAuthentication, "Request is missing Authentication Token");
        var authorization = SigV4.Parse(header, out var problem)
            ?? throw new AuthenticationException(AuthFailure.IncompleteSignature, problem);

        var principal = credentials.Find(authorization.AccessKeyId)
            ?? throw new AuthenticationException(AuthFailure.UnknownAccessKey, InvalidTokenMessage);
        var token = Header(request, "X-Amz-Security-Token");
        if (!string.Equals(token, principal.SessionToken, StringComparison.Ordinal))
            throw new AuthenticationException(AuthFailure.UnknownAccessKey, InvalidTokenMessage);

        if (!string.Equals(authorization.Service, service, StringComparison.Ordinal))
            throw new AuthenticationException(AuthFailure.WrongScope, $"Credential should be scoped to correct service: '{service}'. ");
        if (requiredRegion is not null && !string.Equals(authorization.Region, requiredRegion, StringComparison.Ordinal))
            throw new AuthenticationException(AuthFailure.WrongScope, $"Credential should be scoped to a valid region, not '{authorization.Region}'. ");
        if (!IsRegionName(authorization.Region))
            throw new AuthenticationException(AuthFailure.WrongScope, $"Credential should be scoped to a valid region, not '{authorization.Region}'. ");
        if (!authorization.SignedHeaders.Contains("host", StringComparer.Ordinal))
            throw new AuthenticationException(AuthFailure.IncompleteSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

        var amzDate = Header(request, "X-Amz-Date");
        if (amzDate is null || !SigV4.TryParseAmzDate(amzDate, out var signedAt))
            throw new AuthenticationException(AuthFailure.IncompleteSignature,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        if (!amzDate.StartsWith(authorization.Date, StringComparison.Ordinal))
            throw new AuthenticationException(AuthFailure.SignatureMismatch,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{authorization.Date}' != '{amzDate[..Math.Min(8, amzDate.Length)]}', from '{amzDate}'.");

        var canonical = SigV4.CanonicalRequest(request, authorization.SignedHeaders);
        var stringToSign = SigV4.StringToSign(amzDate, authorization.Scope, canonical);
        var expected = SigV4.Signature(
            SigV4.SigningKey(principal.SecretAccessKey, authorization.Date, authorization.Region, authorization.Service), stringToSign);
        if (!SigV4.SignaturesEqual(expected, authorization.Signature))
        {
            throw new AuthenticationException(AuthFailure.SignatureMismatch,
                $"{SignatureMismatchMessage}\n\nThe Canonical String for this request should have been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{stringToSign}'\n");
        }

        var wallNow = wallClock.GetUtcNow();
        if ((wallNow - signedAt).Duration() > maxSkew)
        {
            var format = SigV4.AmzDateFormat;
            throw new AuthenticationException(AuthFailure.SignatureExpired, signedAt < wallNow
                ? $"Signature expired: {amzDate} is now earlier than {(wallNow - maxSkew).ToString(format, CultureInfo.InvariantCulture)} ({wallNow.ToString(format, CultureInfo.InvariantCulture)} - {maxSkew.TotalMinutes} min.)"
                : $"Signature not yet current: {amzDate} is still later than {(wallNow + maxSkew).ToString(format, CultureInfo.InvariantCulture)} ({wallNow.ToString(format, CultureInfo.InvariantCulture)} + {maxSkew.TotalMinutes} min.)");
        }
        if (principal.Expiration is { } expiration && doubleClock.GetUtcNow() >= expiration)
            throw new AuthenticationException(AuthFailure.ExpiredToken, "The security token included in the request is expired");

        signingRegion = authorization.Region;
        return principal;
    }

    private static string? Header(SignedRequest request, string name)
    {
        var values = request.Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(',', values);
    }

    /// <summary>Shaped like an AWS Region name (us-east-1, eu-west-1, us-gov-west-1, cn-north-1).</summary>
    private static bool IsRegionName(string region) =>
        region.Length is > 3 and < 30
        && region.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && char.IsAsciiDigit(region[^1])
        && region.Contains('-', StringComparison.Ordinal);
}

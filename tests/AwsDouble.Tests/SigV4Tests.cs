using System.Text;
using AwsDouble.Auth;

namespace AwsDouble.Tests;

/// <summary>The double's signature arithmetic against the published AWS SigV4 test suite (aws-sig-v4-test-suite).</summary>
public sealed class SigV4Tests
{
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Scope = "20150830/us-east-1/service/aws4_request";
    private const string AmzDate = "20150830T123600Z";

    [Theory]
    [InlineData("get-vanilla", "GET", "/", "", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1", "", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    [InlineData("get-utf8", "GET", "/\u1234", "", "", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85")]
    [InlineData("post-vanilla", "POST", "/", "", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    public void Signature_AwsTestSuiteRequest_MatchesPublishedSignature(string vector, string method, string path, string query, string body, string expected)
    {
        var request = new SignedRequest(method, path, query,
            [new("Host", "example.amazonaws.com"), new("X-Amz-Date", AmzDate)], Encoding.UTF8.GetBytes(body));

        var canonical = SigV4.CanonicalRequest(request, ["host", "x-amz-date"]);
        var signature = SigV4.Signature(SigV4.SigningKey(SecretKey, "20150830", "us-east-1", "service"), SigV4.StringToSign(AmzDate, Scope, canonical));

        Assert.True(expected == signature, $"{vector}: expected {expected}, got {signature}; canonical request:\n{canonical}");
    }

    [Fact]
    public void CanonicalRequest_GetVanilla_IsThePublishedCanonicalForm()
    {
        var request = new SignedRequest("GET", "/", "", [new("Host", "example.amazonaws.com"), new("X-Amz-Date", AmzDate)], Array.Empty<byte>());

        var canonical = SigV4.CanonicalRequest(request, ["host", "x-amz-date"]);

        Assert.Equal(
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            canonical);
        Assert.Equal("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            SigV4.StringToSign(AmzDate, Scope, canonical).Split('\n')[^1]);
    }

    [Fact]
    public void CanonicalRequest_RepeatedHeaderWithRunsOfSpaces_JoinsTrimmedCollapsedValues()
    {
        var request = new SignedRequest("GET", "/", "",
            [new("Host", "example.amazonaws.com"), new("My-Header1", "  value1  a   b "), new("My-Header1", "value2")], Array.Empty<byte>());

        var canonical = SigV4.CanonicalRequest(request, ["host", "my-header1"]);

        Assert.Contains("my-header1:value1 a b,value2\n", canonical, StringComparison.Ordinal);
    }

    [Fact]
    public void CanonicalPath_AlreadyEncodedPath_IsEncodedAgainAsNonS3ServicesSign()
    {
        Assert.Equal("/a%2520b", SigV4.CanonicalPath("/a%20b"));
    }

    [Fact]
    public void Parse_HeaderWithoutSignature_IsRefusedWithReason()
    {
        var parsed = SigV4.Parse("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host", out var problem);

        Assert.Null(parsed);
        Assert.Contains("Signature", problem, StringComparison.Ordinal);
    }
}

using System.Text;
using Amazon.Runtime;
using MfaConfigRule.Aws;

namespace MfaConfigRule.Tests.Aws;

public sealed class SigningTests
{
    // The AWS SigV4 test suite's credentials and its published signatures for get-vanilla and post-vanilla.
    private const string SuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    [Theory]
    [InlineData("GET", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("POST", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    public void Verifier_AwsTestSuiteVanillaRequest_ReproducesThePublishedSignature(string method, string signature)
    {
        var headers = new Dictionary<string, string> { ["host"] = "example.amazonaws.com", ["x-amz-date"] = "20150830T123600Z" };

        var computed = SigV4Verifier.Sign(method, new Uri("https://example.amazonaws.com/"), name => headers[name], ["host", "x-amz-date"], [],
            "20150830T123600Z", "us-east-1", "service", SuiteSecret);

        Assert.Equal(signature, computed);
    }

    [Fact]
    public async Task IamRequest_RuleInEuWest1_IsSignedForUsEast1AndVerifies()
    {
        using var aws = new AwsTestContext(region: "eu-west-1");
        aws.Handler.RespondXml(Fixture.Read("Iam/GenerateCredentialReport.xml"));

        await aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None);

        var request = aws.Handler.SingleRequest;
        var authorization = request.Header("Authorization")!;
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/iam/aws4_request, SignedHeaders=", authorization, StringComparison.Ordinal);
        Assert.Equal("20261129T123600Z", request.Header("X-Amz-Date"));
        Assert.Equal(SigV4Verifier.Parse(authorization).Signature, SigV4Verifier.ExpectedSignature(request, AwsTestContext.SecretAccessKey));
        Assert.Contains("content-type", SigV4Verifier.Parse(authorization).SignedHeaders);
    }

    [Fact]
    public async Task ConfigRequest_IsSignedForTheRulesRegionIncludingTheTarget()
    {
        using var aws = new AwsTestContext(region: "eu-west-1");
        aws.Handler.RespondJson("{}");

        await aws.Clients.Config.StartConfigRulesEvaluationAsync(["mfa-for-console-users"], CancellationToken.None);

        var request = aws.Handler.SingleRequest;
        var authorization = SigV4Verifier.Parse(request.Header("Authorization")!);
        Assert.Equal(("AKIDEXAMPLE", "eu-west-1", "config"), (authorization.AccessKeyId, authorization.Region, authorization.Service));
        Assert.Contains("x-amz-target", authorization.SignedHeaders);
        Assert.Equal(authorization.Signature, SigV4Verifier.ExpectedSignature(request, AwsTestContext.SecretAccessKey));
    }

    [Fact]
    public async Task Request_WithSessionToken_SendsAndSignsTheSecurityToken()
    {
        using var aws = new AwsTestContext(credentials: new SessionAWSCredentials("ASIAEXAMPLE", AwsTestContext.SecretAccessKey, "FwoGZXIvYXdzEXAMPLE//token+with/slashes="));
        aws.Handler.RespondXml(Fixture.Read("Iam/GenerateCredentialReport.xml"));

        await aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None);

        var request = aws.Handler.SingleRequest;
        Assert.Equal("FwoGZXIvYXdzEXAMPLE//token+with/slashes=", request.Header("X-Amz-Security-Token"));
        var authorization = SigV4Verifier.Parse(request.Header("Authorization")!);
        Assert.Equal("ASIAEXAMPLE", authorization.AccessKeyId);
        Assert.Contains("x-amz-security-token", authorization.SignedHeaders);
        Assert.Equal(authorization.Signature, SigV4Verifier.ExpectedSignature(request, AwsTestContext.SecretAccessKey));
    }

    [Fact]
    public async Task Request_ToOverriddenEndpointWithPort_SignsTheHostAndPortItIsSentTo()
    {
        using var aws = new AwsTestContext(environment: new Dictionary<string, string> { ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566" });
        aws.Handler.RespondXml(Fixture.Read("Iam/GenerateCredentialReport.xml"));

        await aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None);

        var request = aws.Handler.SingleRequest;
        Assert.Equal(new Uri("http://127.0.0.1:4566/"), request.Uri);
        Assert.Equal(SigV4Verifier.Parse(request.Header("Authorization")!).Signature, SigV4Verifier.ExpectedSignature(request, AwsTestContext.SecretAccessKey));
    }

    [Fact]
    public async Task Request_BodyChangedAfterSigning_WouldNotVerify()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/GenerateCredentialReport.xml"));
        await aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None);
        var request = aws.Handler.SingleRequest;

        var tampered = request with { Body = Encoding.UTF8.GetBytes(request.BodyText + "&UserName=mallory") };

        Assert.NotEqual(SigV4Verifier.Parse(request.Header("Authorization")!).Signature, SigV4Verifier.ExpectedSignature(tampered, AwsTestContext.SecretAccessKey));
    }
}

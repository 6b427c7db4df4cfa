using System.Net;
using System.Text;
using MfaConfigRule.Aws;
using MfaConfigRule.SecurityHub;
using MfaConfigRule.Tests.Aws;

namespace MfaConfigRule.Tests.SecurityHub;

/// <summary>BatchImportFindings on the wire: REST-JSON POST /findings/import, signed for securityhub, errors by x-amzn-ErrorType.</summary>
public sealed class SecurityHubClientTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"Findings":[{"Id":"a"}]}""");

    [Fact]
    public async Task BatchImportFindings_PostsTheBodyToFindingsImportSignedForSecurityHub()
    {
        using var aws = new AwsTestContext();
        aws.Handler.Respond(HttpStatusCode.OK, """{"FailedCount":1,"SuccessCount":0,"FailedFindings":[{"Id":"a","ErrorCode":"InvalidInput","ErrorMessage":"Finding does not adhere to Amazon Finding Format."}]}""", "application/json");

        var failed = await SecurityHubClient.Create(aws.Clients).BatchImportFindingsAsync(Body, CancellationToken.None);

        var request = aws.Handler.SingleRequest;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("https://securityhub.eu-west-1.amazonaws.com/findings/import"), request.Uri);
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Null(request.Header("X-Amz-Target"));
        Assert.Equal(Body, request.Body);
        var authorization = SigV4Verifier.Parse(request.Header("Authorization")!);
        Assert.Equal(("eu-west-1", "securityhub"), (authorization.Region, authorization.Service));
        Assert.Equal(authorization.Signature, SigV4Verifier.ExpectedSignature(request, AwsTestContext.SecretAccessKey));
        Assert.Equal(new FailedFinding("a", "InvalidInput", "Finding does not adhere to Amazon Finding Format."), Assert.Single(failed));
        Assert.Equal(1, aws.Clients.Calls.Snapshot()["securityhub:BatchImportFindings"]);
    }

    [Fact]
    public async Task BatchImportFindings_EndpointOverride_KeepsThePathAndTheSigningRegion()
    {
        using var aws = new AwsTestContext(environment: new Dictionary<string, string> { ["AWS_ENDPOINT_URL_SECURITYHUB"] = "http://127.0.0.1:4599/" });
        aws.Handler.Respond(HttpStatusCode.OK, """{"FailedCount":0,"SuccessCount":1}""", "application/json");

        Assert.Empty(await SecurityHubClient.Create(aws.Clients).BatchImportFindingsAsync(Body, CancellationToken.None));

        Assert.Equal(new Uri("http://127.0.0.1:4599/findings/import"), aws.Handler.SingleRequest.Uri);
        Assert.Equal("eu-west-1", SigV4Verifier.Parse(aws.Handler.SingleRequest.Header("Authorization")!).Region);
    }

    [Fact]
    public async Task BatchImportFindings_NotEnabled_IsInvalidAccessExceptionWithoutRetrying()
    {
        using var aws = new AwsTestContext();
        aws.Handler.Respond((HttpStatusCode)401, """{"Code":"InvalidAccessException","Message":"Account 123456789012 is not subscribed to AWS Security Hub"}""",
            "application/json", ("x-amzn-ErrorType", "InvalidAccessException:http://internal.amazon.com/coral/com.amazonaws.securityhub/"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => SecurityHubClient.Create(aws.Clients).BatchImportFindingsAsync(Body, CancellationToken.None));

        Assert.Equal("InvalidAccessException", error.ErrorCode);
        Assert.Equal(401, error.StatusCode);
        Assert.Contains("not subscribed", error.ServiceMessage, StringComparison.Ordinal);
        Assert.Single(aws.Handler.Requests);
    }

    [Fact]
    public async Task BatchImportFindings_Throttled429_IsRetriedByTheTransport()
    {
        using var aws = new AwsTestContext();
        aws.Handler.Respond((HttpStatusCode)429, """{"Code":"TooManyRequestsException","Message":"Rate exceeded"}""", "application/json")
            .Respond(HttpStatusCode.OK, """{"FailedCount":0,"SuccessCount":1,"FailedFindings":[]}""", "application/json");

        Assert.Empty(await SecurityHubClient.Create(aws.Clients).BatchImportFindingsAsync(Body, CancellationToken.None));

        Assert.Equal(2, aws.Handler.Requests.Count);
    }

    [Fact]
    public async Task BatchImportFindings_ErrorCodeOnlyInTheBody_IsStillNamed()
    {
        using var aws = new AwsTestContext();
        aws.Handler.Respond(HttpStatusCode.BadRequest, """{"Code":"InvalidInputException","Message":"bad"}""", "application/json");

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => SecurityHubClient.Create(aws.Clients).BatchImportFindingsAsync(Body, CancellationToken.None));

        Assert.Equal("InvalidInputException", error.ErrorCode);
    }
}

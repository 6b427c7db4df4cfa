using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using AwsDouble.Auth;
using AwsDouble.Hosting;
using AwsDouble.Iam;
using AwsDouble.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AwsDouble.Tests;

/// <summary>Requests signed by AWS's own signer are accepted; everything a real endpoint refuses is refused with its code.</summary>
public sealed class AuthenticationTests : DoubleTest
{
    [Fact]
    public async Task Iam_SignedByAwsSdkSigner_IsAccepted()
    {
        var answer = await Aws.IamAsync("ListUsers");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("ListUsersResponse", answer.Body.Root!.Name.LocalName);
        Assert.Equal(QueryAnswer.Iam, answer.Body.Root.Name.Namespace);
    }

    [Fact]
    public async Task Iam_ActionInTheQueryStringOfAGet_IsAcceptedWithItsCanonicalQuery()
    {
        Account.SeedUsers([new UserSeed("alice")]);
        using var client = new HttpClient(new Amazon.Runtime.Signing.SigV4SigningHandler(
            new BasicAWSCredentials(Account.RootCredentials.AccessKeyId, Account.RootCredentials.SecretAccessKey),
            RegionEndpoint.USEast1, "iam", new SocketsHttpHandler()));

        var body = await client.GetStringAsync(new Uri(Server.BaseUrl, "?Version=2010-05-08&Action=GetUser&UserName=alice"));

        Assert.Contains("<UserName>alice</UserName>", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Iam_UnknownAccessKey_IsInvalidClientTokenId()
    {
        using var stranger = new AwsClient(Server.BaseUrl, new BasicAWSCredentials("AKIAUNKNOWNKEY000000", "secret"));

        var answer = await stranger.IamAsync("ListUsers");

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("InvalidClientTokenId", answer.ErrorCode);
        Assert.Equal("Sender", answer.ErrorType);
    }

    [Fact]
    public async Task Iam_WrongSecret_IsSignatureDoesNotMatch()
    {
        using var forger = new AwsClient(Server.BaseUrl, new BasicAWSCredentials(AwsDoubleState.DefaultAccessKeyId, "not-the-secret"));

        var answer = await forger.IamAsync("ListUsers");

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("SignatureDoesNotMatch", answer.ErrorCode);
        Assert.Contains("The Canonical String for this request should have been", answer.Value("Message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Iam_SignedForEuWest1_IsRefusedBecauseIamIsSignedInUsEast1()
    {
        var answer = await Aws.QueryAsync("iam", "eu-west-1", "2010-05-08", "ListUsers");

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("SignatureDoesNotMatch", answer.ErrorCode);
        Assert.Contains("eu-west-1", answer.Value("Message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Iam_SignedForAnotherService_IsSignatureDoesNotMatch()
    {
        var answer = await Aws.QueryAsync("sts", "us-east-1", "2010-05-08", "ListUsers");

        Assert.Equal("SignatureDoesNotMatch", answer.ErrorCode);
        Assert.Contains("'iam'", answer.Value("Message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Iam_Unsigned_IsMissingAuthenticationToken()
    {
        var (status, body) = await RawHttp.PostAsync(Server.BaseUrl, "Action=ListUsers&Version=2010-05-08", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("<Code>MissingAuthenticationToken</Code>", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Iam_UnknownAction_IsInvalidAction()
    {
        var answer = await Aws.IamAsync("ListRoles");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("InvalidAction", answer.ErrorCode);
    }

    [Fact]
    public async Task Config_WrongSecret_IsInvalidSignatureException()
    {
        using var forger = new AwsClient(Server.BaseUrl, new BasicAWSCredentials(AwsDoubleState.DefaultAccessKeyId, "not-the-secret"));

        var answer = await forger.ConfigAsync("DescribeConfigRules", []);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("InvalidSignatureException", answer.ErrorType);
    }

    [Fact]
    public async Task CloudTrail_UnknownAccessKey_IsUnrecognizedClientException()
    {
        using var stranger = new AwsClient(Server.BaseUrl, new BasicAWSCredentials("AKIAUNKNOWNKEY000000", "secret"));

        var answer = await stranger.CloudTrailAsync("LookupEvents", []);

        Assert.Equal("UnrecognizedClientException", answer.ErrorType);
    }

    [Fact]
    public async Task Config_SignedAsCloudTrail_IsInvalidSignatureException()
    {
        var answer = await Aws.JsonAsync("cloudtrail", "us-east-1", "StarlingDoveService.DescribeConfigRules", []);

        Assert.Equal("InvalidSignatureException", answer.ErrorType);
    }

    [Fact]
    public async Task AssumeRole_TemporaryCredentials_AreAcceptedWithTheirSessionToken()
    {
        var roleArn = Account.AddRole("auditor");

        var assumed = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "sweep"));
        var temporary = new Principal(assumed.Value("AccessKeyId")!, assumed.Value("SecretAccessKey")!, Account.AccountId,
            PrincipalKind.AssumedRole, assumed.Value("Arn")!, assumed.Value("AssumedRoleId")!, assumed.Value("SessionToken"));
        using var asRole = AwsClient.For(Server, temporary);
        var identity = await asRole.StsAsync("GetCallerIdentity");
        using var withoutToken = new AwsClient(Server.BaseUrl, new BasicAWSCredentials(temporary.AccessKeyId, temporary.SecretAccessKey));
        var refused = await withoutToken.StsAsync("GetCallerIdentity");

        Assert.StartsWith("ASIA", temporary.AccessKeyId, StringComparison.Ordinal);
        Assert.Equal($"arn:aws:sts::{Account.AccountId}:assumed-role/auditor/sweep", identity.Value("Arn"));
        Assert.Matches("^AROA[A-Z0-9]{17}:sweep$", identity.Value("UserId"));
        Assert.Equal("InvalidClientTokenId", refused.ErrorCode);
    }

    [Fact]
    public async Task AssumeRole_CredentialsPastExpiration_AreExpiredToken()
    {
        var roleArn = Account.AddRole("auditor");
        var assumed = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "sweep"), ("DurationSeconds", "900"));
        using var asRole = new AwsClient(Server.BaseUrl,
            new SessionAWSCredentials(assumed.Value("AccessKeyId"), assumed.Value("SecretAccessKey"), assumed.Value("SessionToken")));

        Clock.Advance(TimeSpan.FromMinutes(16));
        var answer = await asRole.IamAsync("ListUsers");

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("ExpiredToken", answer.ErrorCode);
    }

    [Fact]
    public async Task AssumeRole_RoleTheAccountDoesNotHave_IsAccessDenied()
    {
        var answer = await Aws.StsAsync("AssumeRole", ("RoleArn", $"arn:aws:iam::{Account.AccountId}:role/nope"), ("RoleSessionName", "sweep"));

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("AccessDenied", answer.ErrorCode);
        Assert.Equal(QueryAnswer.Sts, answer.Body.Root!.Name.Namespace);
    }

    [Fact]
    public async Task AssumeRole_IntoAnotherAccount_ActsInThatAccount()
    {
        var member = Server.State.AddAccount("210987654321");
        member.SeedUsers([new UserSeed("member-only")]);
        var roleArn = member.AddRole("MfaRuleReader", $$"""
            {"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Account.AccountId}}:root"},"Action":"sts:AssumeRole"}]}
            """);

        var assumed = await Aws.StsAsync("AssumeRole", ("RoleArn", roleArn), ("RoleSessionName", "org-sweep"));
        using var inMember = new AwsClient(Server.BaseUrl,
            new SessionAWSCredentials(assumed.Value("AccessKeyId"), assumed.Value("SecretAccessKey"), assumed.Value("SessionToken")));
        var users = await inMember.IamAsync("ListUsers");

        Assert.Equal(["member-only"], users.All("UserName").Select(e => e.Value));
    }

    [Fact]
    public async Task RealAwsSdkStsClient_AssumeRoleThenGetCallerIdentity_Works()
    {
        var roleArn = Account.AddRole("auditor");
        var root = Account.RootCredentials;
        using var sts = new AmazonSecurityTokenServiceClient(new BasicAWSCredentials(root.AccessKeyId, root.SecretAccessKey),
            new AmazonSecurityTokenServiceConfig { ServiceURL = Server.BaseUrl.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

        var assumed = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "sdk" });
        using var asRole = new AmazonSecurityTokenServiceClient(assumed.Credentials,
            new AmazonSecurityTokenServiceConfig { ServiceURL = Server.BaseUrl.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
        var identity = await asRole.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal(Account.AccountId, identity.Account);
        Assert.Equal($"arn:aws:sts::{Account.AccountId}:assumed-role/auditor/sdk", identity.Arn);
        Assert.Equal(Clock.GetUtcNow().AddHours(1).UtcDateTime, assumed.Credentials.Expiration?.ToUniversalTime());
    }

    [Fact]
    public async Task Signature_FromMoreThanFifteenMinutesAgo_IsExpired()
    {
        var farFuture = new FakeTimeProvider(TimeProvider.System.GetUtcNow().AddHours(1));
        await using var strict = await AwsDoubleServer.StartAsync(new AwsDoubleOptions { SigningClock = farFuture });
        using var client = AwsClient.For(strict);

        var answer = await client.IamAsync("ListUsers");

        Assert.Equal("SignatureDoesNotMatch", answer.ErrorCode);
        Assert.StartsWith("Signature expired", answer.Value("Message"), StringComparison.Ordinal);
    }
}

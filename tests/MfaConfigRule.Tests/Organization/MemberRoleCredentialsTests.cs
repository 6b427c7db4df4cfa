using System.Net;
using MfaConfigRule.Aws;
using MfaConfigRule.Organization;
using MfaConfigRule.Tests.Aws;

namespace MfaConfigRule.Tests.Organization;

public sealed class MemberRoleCredentialsTests
{
    private const string RoleArn = "arn:aws:iam::222222222222:role/MfaRuleMember";

    internal static string AssumeRoleXml(DateTimeOffset expiration, string keyId = "ASIAEXAMPLEKEY000001") => $"""
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleResult>
            <Credentials>
              <AccessKeyId>{keyId}</AccessKeyId>
              <SecretAccessKey>secret/EXAMPLE+key</SecretAccessKey>
              <SessionToken>IQoJb3JpZ2luX2VjEXAMPLE</SessionToken>
              <Expiration>{expiration.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}</Expiration>
            </Credentials>
            <AssumedRoleUser>
              <AssumedRoleId>AROAEXAMPLE:mfa-config-rule</AssumedRoleId>
              <Arn>arn:aws:sts::222222222222:assumed-role/MfaRuleMember/mfa-config-rule</Arn>
            </AssumedRoleUser>
          </AssumeRoleResult>
          <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
        </AssumeRoleResponse>
        """;

    [Fact]
    public async Task GetAsync_Request_AssumesTheMemberRoleWithExternalIdForAShortSession()
    {
        using var aws = new AwsTestContext(region: "eu-west-1");
        aws.Handler.RespondXml(AssumeRoleXml(AwsTestContext.Now.AddMinutes(15)));
        using var credentials = new MemberRoleCredentials(StsClient.Over(aws.Clients), RoleArn, "org-o-abc123", aws.Time);

        var session = await credentials.GetAsync(CancellationToken.None);

        var request = aws.Handler.SingleRequest;
        Assert.Equal(new Uri("https://sts.eu-west-1.amazonaws.com/"), request.Uri);
        Assert.Equal("AssumeRole", request.Form["Action"]);
        Assert.Equal(RoleArn, request.Form["RoleArn"]);
        Assert.Equal("mfa-config-rule", request.Form["RoleSessionName"]);
        Assert.Equal("org-o-abc123", request.Form["ExternalId"]);
        Assert.Equal("900", request.Form["DurationSeconds"]);
        Assert.Equal("ASIAEXAMPLEKEY000001", (await session.GetCredentialsAsync()).AccessKey);
    }

    [Fact]
    public async Task GetAsync_SessionStillFresh_IsReusedWithoutAnotherCall()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(AssumeRoleXml(AwsTestContext.Now.AddMinutes(15)));
        using var credentials = new MemberRoleCredentials(StsClient.Over(aws.Clients), RoleArn, null, aws.Time);

        await credentials.GetAsync(CancellationToken.None);
        aws.Time.Advance(TimeSpan.FromMinutes(9));
        await credentials.GetAsync(CancellationToken.None);

        Assert.Single(aws.Handler.Requests);
        Assert.False(aws.Handler.SingleRequest.Form.ContainsKey("ExternalId"));
    }

    [Fact]
    public async Task GetAsync_WithinFiveMinutesOfExpiry_AssumesTheRoleAgain()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(AssumeRoleXml(AwsTestContext.Now.AddMinutes(15)))
            .RespondXml(AssumeRoleXml(AwsTestContext.Now.AddMinutes(26), "ASIAEXAMPLEKEY000002"));
        using var credentials = new MemberRoleCredentials(StsClient.Over(aws.Clients), RoleArn, null, aws.Time);

        await credentials.GetAsync(CancellationToken.None);
        aws.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var renewed = await credentials.GetAsync(CancellationToken.None);

        Assert.Equal(2, aws.Handler.Requests.Count);
        Assert.Equal("ASIAEXAMPLEKEY000002", (await renewed.GetCredentialsAsync()).AccessKey);
    }

    [Fact]
    public async Task GetAsync_RoleNotTrustingTheCaller_IsTheStsAccessDeniedError()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml("""
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::111111111111:assumed-role/hub/fn is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/MfaRuleMember</Message></Error>
              <RequestId>1</RequestId>
            </ErrorResponse>
            """, HttpStatusCode.Forbidden);
        using var credentials = new MemberRoleCredentials(StsClient.Over(aws.Clients), RoleArn, null, aws.Time);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => credentials.GetAsync(CancellationToken.None));

        Assert.Equal(("sts", "AccessDenied"), (error.Service, error.ErrorCode));
        Assert.Single(aws.Handler.Requests);
    }
}

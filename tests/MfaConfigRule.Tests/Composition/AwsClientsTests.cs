using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using MfaConfigRule.Tests.Aws;

namespace MfaConfigRule.Tests.Composition;

public sealed class AwsClientsTests
{
    [Fact]
    public async Task Create_WithEndpointOverrides_SendsEachServiceWhereItsVariableSays()
    {
        using var aws = new AwsTestContext(region: "eu-west-1", environment: new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566",
            ["AWS_ENDPOINT_URL_IAM"] = "http://127.0.0.1:4567",
        });
        aws.Handler.RespondXml(Fixture.Read("Iam/GenerateCredentialReport.xml")).RespondJson("{}").RespondJson("""{"Events":[]}""");

        await aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None);
        await aws.Clients.Config.StartConfigRulesEvaluationAsync(["rule"], CancellationToken.None);
        await aws.Clients.CloudTrail.LookupEventsAsync("Username", "Bob", AwsTestContext.Now.AddHours(-1), AwsTestContext.Now, CancellationToken.None);

        Assert.Equal(
            ["http://127.0.0.1:4567/", "http://127.0.0.1:4566/", "http://127.0.0.1:4566/"],
            aws.Handler.Requests.Select(r => r.Uri.ToString()));
        Assert.Equal(
            ["us-east-1/iam", "eu-west-1/config", "us-east-1/cloudtrail"],
            aws.Handler.Requests.Select(r => SigV4Verifier.Parse(r.Header("Authorization")!)).Select(a => $"{a.Region}/{a.Service}"));
    }

    [Fact]
    public void Create_NotARegion_Throws() =>
        Assert.Throws<AwsConfigurationException>(() => AwsClients.Create(new AwsClientOptions { Region = "eu-west-1/", Environment = new MfaConfigRule.Tests.TestDoubles.FakeEnvironmentVariables() }));

    [Fact]
    public void Create_FixedCredentials_AreDescribedWithoutTheKeys()
    {
        using var aws = new AwsTestContext();

        Assert.Equal("fixed credentials", aws.Clients.CredentialSource);
    }
}

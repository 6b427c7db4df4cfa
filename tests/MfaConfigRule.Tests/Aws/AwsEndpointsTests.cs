using MfaConfigRule.Aws;

namespace MfaConfigRule.Tests.Aws;

public sealed class AwsEndpointsTests
{
    private static AwsEndpoints Endpoints(string region, params (string Name, string Value)[] variables) =>
        new(region, new MfaConfigRule.Tests.TestDoubles.FakeEnvironmentVariables(variables.ToDictionary(v => v.Name, v => v.Value)));

    [Theory]
    [InlineData("eu-west-1", "https://iam.amazonaws.com/", "us-east-1")]
    [InlineData("us-east-1", "https://iam.amazonaws.com/", "us-east-1")]
    [InlineData("ap-southeast-2", "https://iam.amazonaws.com/", "us-east-1")]
    [InlineData("cn-northwest-1", "https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1")]
    [InlineData("us-gov-east-1", "https://iam.us-gov.amazonaws.com/", "us-gov-west-1")]
    public void Resolve_Iam_IsThePartitionsGlobalEndpoint(string region, string url, string signingRegion)
    {
        var endpoint = Endpoints(region).Resolve(AwsService.Iam);

        Assert.Equal(new Uri(url), endpoint.Url);
        Assert.Equal(signingRegion, endpoint.SigningRegion);
    }

    [Theory]
    [InlineData("config", "eu-west-1", "https://config.eu-west-1.amazonaws.com/")]
    [InlineData("sts", "eu-west-1", "https://sts.eu-west-1.amazonaws.com/")]
    [InlineData("config", "cn-north-1", "https://config.cn-north-1.amazonaws.com.cn/")]
    [InlineData("config", "us-gov-west-1", "https://config.us-gov-west-1.amazonaws.com/")]
    public void Resolve_RegionalService_IsTheRulesRegion(string signingName, string region, string url)
    {
        var service = new[] { AwsService.Config, AwsService.CloudTrail, AwsService.Sts }.Single(s => s.SigningName == signingName);

        var endpoint = Endpoints(region).Resolve(service);

        Assert.Equal(new Uri(url), endpoint.Url);
        Assert.Equal(region, endpoint.SigningRegion);
    }

    [Theory]
    [InlineData("eu-west-1", "https://cloudtrail.us-east-1.amazonaws.com/", "us-east-1")]
    [InlineData("us-east-1", "https://cloudtrail.us-east-1.amazonaws.com/", "us-east-1")]
    [InlineData("cn-northwest-1", "https://cloudtrail.cn-north-1.amazonaws.com.cn/", "cn-north-1")]
    [InlineData("us-gov-east-1", "https://cloudtrail.us-gov-west-1.amazonaws.com/", "us-gov-west-1")]
    public void Resolve_CloudTrail_IsWhereIamRecordsItsEvents(string region, string url, string signingRegion)
    {
        var endpoint = Endpoints(region).Resolve(AwsService.CloudTrail);

        Assert.Equal(new Uri(url), endpoint.Url);
        Assert.Equal(signingRegion, endpoint.SigningRegion);
    }

    [Fact]
    public void Resolve_GeneralOverride_AppliesToEveryService()
    {
        var endpoints = Endpoints("eu-west-1", ("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"));

        Assert.All(new[] { AwsService.Iam, AwsService.Config, AwsService.CloudTrail, AwsService.Sts },
            service => Assert.Equal(new Uri("http://127.0.0.1:4566/"), endpoints.Resolve(service).Url));
    }

    [Theory]
    [InlineData("IAM", "iam")]
    [InlineData("CONFIG_SERVICE", "config")]
    [InlineData("CLOUDTRAIL", "cloudtrail")]
    [InlineData("STS", "sts")]
    public void Resolve_ServiceOverride_WinsOverGeneralOverride(string serviceId, string signingName)
    {
        var endpoints = Endpoints("eu-west-1",
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
            ($"AWS_ENDPOINT_URL_{serviceId}", "http://127.0.0.1:5000"));
        var services = new[] { AwsService.Iam, AwsService.Config, AwsService.CloudTrail, AwsService.Sts };

        foreach (var service in services)
        {
            var expected = service.SigningName == signingName ? "http://127.0.0.1:5000/" : "http://127.0.0.1:4566/";
            Assert.Equal(new Uri(expected), endpoints.Resolve(service).Url);
        }
    }

    [Fact]
    public void Resolve_Override_KeepsTheSigningRegion()
    {
        var endpoints = Endpoints("eu-west-1", ("AWS_ENDPOINT_URL", "http://localhost:4566"));

        Assert.Equal("us-east-1", endpoints.Resolve(AwsService.Iam).SigningRegion);
        Assert.Equal("eu-west-1", endpoints.Resolve(AwsService.Config).SigningRegion);
    }

    [Fact]
    public void Resolve_IgnoreConfiguredEndpointUrls_UsesDefaults()
    {
        var endpoints = Endpoints("eu-west-1",
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
            ("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:5000"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"));

        Assert.Equal(new Uri("https://iam.amazonaws.com/"), endpoints.Resolve(AwsService.Iam).Url);
        Assert.Equal(new Uri("https://config.eu-west-1.amazonaws.com/"), endpoints.Resolve(AwsService.Config).Url);
    }

    [Fact]
    public void Resolve_EmptyServiceOverride_FallsBackToGeneralOverride()
    {
        var endpoints = Endpoints("eu-west-1", ("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"), ("AWS_ENDPOINT_URL_IAM", "  "));

        Assert.Equal(new Uri("http://127.0.0.1:4566/"), endpoints.Resolve(AwsService.Iam).Url);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("/relative")]
    public void Resolve_OverrideThatIsNotAnHttpUrl_ThrowsNamingTheVariable(string value)
    {
        var endpoints = Endpoints("eu-west-1", ("AWS_ENDPOINT_URL_CONFIG_SERVICE", value));

        var error = Assert.Throws<AwsConfigurationException>(() => endpoints.Resolve(AwsService.Config));
        Assert.Contains("AWS_ENDPOINT_URL_CONFIG_SERVICE", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("EU-WEST-1")]
    [InlineData("eu-west-1.evil.example/")]
    [InlineData("eu west 1")]
    [InlineData("euwest1")]
    public void Constructor_NotARegionName_Throws(string region) =>
        Assert.Throws<AwsConfigurationException>(() => Endpoints(region));
}

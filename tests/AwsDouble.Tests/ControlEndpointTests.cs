using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>The unsigned /_double/ endpoint drives a running double by hand.</summary>
public sealed class ControlEndpointTests : DoubleTest
{
    [Fact]
    public async Task Clock_AdvanceSeconds_MovesTheDoublesClock()
    {
        var answer = await PostAsync("_double/clock", new JsonObject { ["advanceSeconds"] = 4 * 3600 });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(DoubleClock.DefaultStart.AddHours(4), Clock.GetUtcNow());
    }

    [Fact]
    public async Task Faults_PostedThrottling_ThrottlesTheNextCallOnly()
    {
        await PostAsync("_double/faults", new JsonObject { ["service"] = "iam", ["operation"] = "ListUsers", ["fault"] = "throttling", ["schedule"] = "next", ["calls"] = 1 });

        var first = await Aws.IamAsync("ListUsers");
        var second = await Aws.IamAsync("ListUsers");

        Assert.Equal("Throttling", first.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, second.Status);
    }

    [Fact]
    public async Task ResultToken_IssuedByControl_IsAcceptedByPutEvaluations()
    {
        var issued = await PostAsync("/_double/config/result-token", new JsonObject { ["region"] = "us-east-1", ["ruleName"] = "mfa" });

        var put = await Aws.ConfigAsync("PutEvaluations", new JsonObject
        {
            ["ResultToken"] = issued.Body["resultToken"]!.GetValue<string>(),
            ["Evaluations"] = new JsonArray(new JsonObject
            {
                ["ComplianceResourceType"] = "AWS::IAM::User",
                ["ComplianceResourceId"] = "AIDAALICE",
                ["ComplianceType"] = "COMPLIANT",
                ["OrderingTimestamp"] = DoubleClock.DefaultStart.ToUnixTimeSeconds(),
            }),
        });

        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal("COMPLIANT", Assert.Single(Account.Config("us-east-1").Results("mfa")).ComplianceType);
    }

    [Fact]
    public async Task UnknownControlCall_IsA400ThatListsTheCalls()
    {
        var answer = await PostAsync("_double/nope", []);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("/_double/state", answer.Body["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string path, JsonObject body)
    {
        using var client = new HttpClient();
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(Server.BaseUrl, path), content);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}

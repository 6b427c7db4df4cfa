using System.Net;
using System.Text.Json.Nodes;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>Systems Manager's GetAutomationExecution as SSM validates it, for clients that do not check the ID first.</summary>
public sealed class SsmTests : DoubleTest
{
    private Task<JsonAnswer> GetAsync(string id, string region = "eu-west-1") =>
        Aws.JsonAsync("ssm", region, "AmazonSSM.GetAutomationExecution", new JsonObject { ["AutomationExecutionId"] = id });

    [Fact]
    public async Task GetAutomationExecution_IdNot36Characters_IsAValidationException()
    {
        var answer = await GetAsync("abc");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("ValidationException", answer.ErrorType);
        Assert.Contains("'automationExecutionId'", answer.Body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAutomationExecution_UnknownId_IsAutomationExecutionNotFound()
    {
        var answer = await GetAsync("00000000-0000-0000-0000-000000000000");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("AutomationExecutionNotFoundException", answer.ErrorType);
    }

    [Fact]
    public async Task GetAutomationExecution_SignedForAnotherService_IsRefused()
    {
        var id = Account.Ssm("eu-west-1").StartAutomationExecution("doc", new Dictionary<string, IReadOnlyList<string>>()).AutomationExecutionId;

        var answer = await Aws.JsonAsync("config", "eu-west-1", "AmazonSSM.GetAutomationExecution", new JsonObject { ["AutomationExecutionId"] = id });

        Assert.Equal("InvalidSignatureException", answer.ErrorType);
    }
}

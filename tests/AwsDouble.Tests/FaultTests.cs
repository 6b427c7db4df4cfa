using System.Net;
using System.Text.Json.Nodes;
using AwsDouble.Faults;
using AwsDouble.Iam;
using AwsDouble.Protocol;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>Injected faults look like the services' own failures, and hit exactly the calls their schedule says.</summary>
public sealed class FaultTests : DoubleTest
{
    [Fact]
    public async Task IamThrottling_NextTwoCalls_AreThrottlingXmlThenTheCallSucceeds()
    {
        var fault = Server.Faults.Inject(AwsServiceNames.Iam, "ListUsers", Fault.Throttling(), FaultSchedule.NextCalls(2));

        var answers = new[] { await Aws.IamAsync("ListUsers"), await Aws.IamAsync("ListUsers"), await Aws.IamAsync("ListUsers") };
        var other = await Aws.IamAsync("GetUser");

        Assert.Equal(["Throttling", "Throttling", null], answers.Select(a => a.ErrorCode));
        Assert.Equal(HttpStatusCode.BadRequest, answers[0].Status);
        Assert.Equal("ErrorResponse", answers[0].Body.Root!.Name.LocalName);
        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.Equal(2, fault.TimesFired);
    }

    [Fact]
    public async Task ConfigAndCloudTrailThrottling_AreThrottlingExceptionJson()
    {
        Server.Faults.Inject(null, null, Fault.Throttling(), FaultSchedule.UntilCleared());

        var config = await Aws.ConfigAsync("DescribeConfigRules", []);
        var cloudTrail = await Aws.CloudTrailAsync("LookupEvents", []);

        Assert.Equal((HttpStatusCode.BadRequest, "ThrottlingException"), (config.Status, config.ErrorType));
        Assert.Equal((HttpStatusCode.BadRequest, "ThrottlingException"), (cloudTrail.Status, cloudTrail.ErrorType));
    }

    [Theory]
    [InlineData(500, "ServiceFailure", "InternalFailure")]
    [InlineData(503, "ServiceUnavailable", "ServiceUnavailable")]
    public async Task ServerError_IsTheServicesOwn5xxCode(int status, string queryCode, string jsonCode)
    {
        Server.Faults.Inject(null, null, Fault.ServerError(status), FaultSchedule.UntilCleared());

        var iam = await Aws.IamAsync("ListUsers");
        var config = await Aws.ConfigAsync("DescribeConfigRules", []);

        Assert.Equal(((HttpStatusCode)status, queryCode, "Receiver"), (iam.Status, iam.ErrorCode, iam.ErrorType));
        Assert.Equal(((HttpStatusCode)status, jsonCode), (config.Status, config.ErrorType));
    }

    [Fact]
    public async Task UntilCleared_FailsEveryCallUntilDisposed()
    {
        var fault = Server.Faults.Inject(AwsServiceNames.Iam, null, Fault.ServerError(), FaultSchedule.UntilCleared());

        var during = new[] { await Aws.IamAsync("ListUsers"), await Aws.IamAsync("GenerateCredentialReport"), await Aws.IamAsync("ListUsers") };
        fault.Dispose();
        var after = await Aws.IamAsync("ListUsers");

        Assert.All(during, a => Assert.Equal("ServiceFailure", a.ErrorCode));
        Assert.Equal(HttpStatusCode.OK, after.Status);
    }

    [Fact]
    public async Task Probability_SameSeed_HitsTheSameCallsInTwoDoubles()
    {
        await using var twin = await Hosting.AwsDoubleServer.StartAsync();
        using var twinClient = AwsClient.For(twin);
        Server.Faults.Inject(AwsServiceNames.Iam, "ListUsers", Fault.Throttling(), FaultSchedule.WithProbability(0.3, seed: 42));
        twin.Faults.Inject(AwsServiceNames.Iam, "ListUsers", Fault.Throttling(), FaultSchedule.WithProbability(0.3, seed: 42));

        var pattern = new List<bool>();
        var twinPattern = new List<bool>();
        for (var i = 0; i < 40; i++)
        {
            pattern.Add((await Aws.IamAsync("ListUsers")).ErrorCode is null);
            twinPattern.Add((await twinClient.IamAsync("ListUsers")).ErrorCode is null);
        }

        Assert.Equal(pattern, twinPattern);
        Assert.Contains(false, pattern);
        Assert.Contains(true, pattern);
    }

    [Fact]
    public async Task DropConnection_AbortsWithoutAResponse()
    {
        Server.Faults.Inject(AwsServiceNames.Iam, "ListUsers", Fault.DropConnection(), FaultSchedule.NextCalls(1));

        await Assert.ThrowsAsync<HttpRequestException>(() => Aws.IamAsync("ListUsers"));
        var next = await Aws.IamAsync("ListUsers");

        Assert.Equal(HttpStatusCode.OK, next.Status);
    }

    [Fact]
    public async Task Latency_LongerThanTheClientsTimeout_TimesTheClientOut()
    {
        Server.Faults.Inject(AwsServiceNames.Iam, "ListUsers", Fault.Latency(TimeSpan.FromSeconds(30)), FaultSchedule.NextCalls(1));
        using var impatient = new AwsClient(Server.BaseUrl,
            new Amazon.Runtime.BasicAWSCredentials(Account.RootCredentials.AccessKeyId, Account.RootCredentials.SecretAccessKey))
        {
            Timeout = TimeSpan.FromMilliseconds(300),
        };

        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.IamAsync("ListUsers"));
    }

    [Fact]
    public async Task Latency_Short_StillAnswersCorrectly()
    {
        Account.SeedUsers([new UserSeed("alice")]);
        var fault = Server.Faults.Inject(AwsServiceNames.Iam, "ListUsers", Fault.Latency(TimeSpan.FromMilliseconds(50)), FaultSchedule.NextCalls(1));

        var answer = await Aws.IamAsync("ListUsers");

        Assert.Equal("alice", answer.Value("UserName"));
        Assert.Equal(1, fault.TimesFired);
    }

    [Fact]
    public async Task FailEvaluations_ReturnsTheLastOfTheBatchInFailedEvaluationsAndStoresTheRest()
    {
        var config = Account.Config("us-east-1");
        config.PutCustomLambdaRule("rule");
        var token = config.IssueResultToken("rule");
        Server.Faults.Inject(AwsServiceNames.Config, "PutEvaluations", Fault.FailEvaluations(3), FaultSchedule.NextCalls(1));

        var answer = await Aws.ConfigAsync("PutEvaluations", new JsonObject
        {
            ["ResultToken"] = token,
            ["Evaluations"] = new JsonArray(Enumerable.Range(0, 10).Select(i => (JsonNode)new JsonObject
            {
                ["ComplianceResourceType"] = "AWS::IAM::User",
                ["ComplianceResourceId"] = $"AIDA{i:D17}",
                ["ComplianceType"] = "COMPLIANT",
                ["OrderingTimestamp"] = DoubleClock.DefaultStart.ToUnixTimeSeconds(),
            }).ToArray()),
        });

        var failed = answer.Body["FailedEvaluations"]!.AsArray().Select(e => e!["ComplianceResourceId"]!.GetValue<string>());
        Assert.Equal(["AIDA00000000000000007", "AIDA00000000000000008", "AIDA00000000000000009"], failed);
        Assert.Equal(7, config.Results("rule").Count);
    }

    [Fact]
    public async Task ErrorFault_AnyCode_IsSentAsGiven()
    {
        Server.Faults.Inject(AwsServiceNames.Iam, "GenerateCredentialReport",
            Fault.Error(409, "LimitExceeded", "No more capacity to launch new report generation tasks"), FaultSchedule.NextCalls(1));

        var answer = await Aws.IamAsync("GenerateCredentialReport");

        Assert.Equal((HttpStatusCode.Conflict, "LimitExceeded"), (answer.Status, answer.ErrorCode));
    }

    [Fact]
    public async Task Fault_DoesNotHideABadSignature()
    {
        Server.Faults.Inject(null, null, Fault.Throttling(), FaultSchedule.UntilCleared());
        using var forger = new AwsClient(Server.BaseUrl, new Amazon.Runtime.BasicAWSCredentials(AwsDoubleState.DefaultAccessKeyId, "wrong"));

        var answer = await forger.IamAsync("ListUsers");

        Assert.Equal("SignatureDoesNotMatch", answer.ErrorCode);
    }
}

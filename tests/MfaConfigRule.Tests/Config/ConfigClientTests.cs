using System.Net;
using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Tests.Aws;

namespace MfaConfigRule.Tests.Config;

public sealed class ConfigClientTests
{
    private static readonly DateTimeOffset Ordering = DateTimeOffset.FromUnixTimeMilliseconds(1795897560123);

    [Fact]
    public async Task PutEvaluations_SendsEachEvaluationInTheWireShape()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson(Fixture.Read("Config/PutEvaluations.none.json"));
        Evaluation[] evaluations =
        [
            Evaluation.ForUser("AIDAIOSFODNN7EXAMPLE", ComplianceType.NonCompliant, "Console password with no MFA device.", Ordering),
            Evaluation.ForUser("AIDACKCEVSQ6C2EXAMPLE", ComplianceType.Compliant, string.Empty, Ordering),
        ];

        var failed = await aws.Clients.Config.PutEvaluationsAsync(evaluations, "result-token-from-event", testMode: false, CancellationToken.None);

        Assert.Empty(failed);
        var request = aws.Handler.SingleRequest;
        Assert.Equal("StarlingDoveService.PutEvaluations", request.Header("X-Amz-Target"));
        Assert.Equal(
            """{"Evaluations":[{"ComplianceResourceType":"AWS::IAM::User","ComplianceResourceId":"AIDAIOSFODNN7EXAMPLE","ComplianceType":"NON_COMPLIANT","Annotation":"Console password with no MFA device.","OrderingTimestamp":1795897560.123},{"ComplianceResourceType":"AWS::IAM::User","ComplianceResourceId":"AIDACKCEVSQ6C2EXAMPLE","ComplianceType":"COMPLIANT","OrderingTimestamp":1795897560.123}],"ResultToken":"result-token-from-event","TestMode":false}""",
            request.BodyText);
    }

    [Fact]
    public async Task PutEvaluations_TestMode_IsSent()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson(Fixture.Read("Config/PutEvaluations.none.json"));

        await aws.Clients.Config.PutEvaluationsAsync([Evaluation.ForUser("AIDA1", ComplianceType.NotApplicable, "x", Ordering)], string.Empty, testMode: true, CancellationToken.None);

        Assert.True(aws.Handler.SingleRequest.Json.GetProperty("TestMode").GetBoolean());
        Assert.Equal(string.Empty, aws.Handler.SingleRequest.Json.GetProperty("ResultToken").GetString());
    }

    [Fact]
    public async Task PutEvaluations_FailedEvaluations_AreTheCallersOwnEvaluations()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson(Fixture.Read("Config/PutEvaluations.failed.json"));
        var failing = Evaluation.ForUser("AIDAIOSFODNN7EXAMPLE", ComplianceType.NonCompliant, "Console password with no MFA device.", Ordering);
        var passing = Evaluation.ForUser("AIDACKCEVSQ6C2EXAMPLE", ComplianceType.Compliant, "ok", Ordering);

        var failed = await aws.Clients.Config.PutEvaluationsAsync([passing, failing], "token", testMode: false, CancellationToken.None);

        Assert.Same(failing, Assert.Single(failed));
    }

    [Fact]
    public async Task PutEvaluations_FailedEvaluationNotSent_IsReadFromTheWire()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson(Fixture.Read("Config/PutEvaluations.failed.json"));

        var failed = await aws.Clients.Config.PutEvaluationsAsync([Evaluation.ForUser("AIDAOTHER", ComplianceType.Compliant, "ok", Ordering)], "token", false, CancellationToken.None);

        var evaluation = Assert.Single(failed);
        Assert.Equal(("AWS::IAM::User", "AIDAIOSFODNN7EXAMPLE", ComplianceType.NonCompliant, Ordering),
            (evaluation.ResourceType, evaluation.ResourceId, evaluation.Compliance, evaluation.OrderingTimestamp));
    }

    [Fact]
    public async Task PutEvaluations_MoreThan100_ThrowsBeforeSending()
    {
        using var aws = new AwsTestContext();
        var evaluations = Enumerable.Range(0, 101).Select(i => Evaluation.ForUser($"AIDA{i}", ComplianceType.Compliant, "ok", Ordering)).ToList();

        await Assert.ThrowsAsync<ArgumentException>(() => aws.Clients.Config.PutEvaluationsAsync(evaluations, "token", false, CancellationToken.None));
        Assert.Empty(aws.Handler.Requests);
    }

    [Fact]
    public async Task PutEvaluations_Exactly100_AreSentInOneCall()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson(Fixture.Read("Config/PutEvaluations.none.json"));
        var evaluations = Enumerable.Range(0, 100).Select(i => Evaluation.ForUser($"AIDA{i}", ComplianceType.Compliant, "ok", Ordering)).ToList();

        await aws.Clients.Config.PutEvaluationsAsync(evaluations, "token", false, CancellationToken.None);

        Assert.Equal(100, aws.Handler.SingleRequest.Json.GetProperty("Evaluations").GetArrayLength());
    }

    [Theory]
    [InlineData("InvalidResultTokenException", "The resultToken provided is invalid")]
    [InlineData("InvalidParameterValueException", "One or more of the specified parameters are invalid.")]
    [InlineData("NoSuchConfigRuleException", "The ConfigRule 'mfa' provided in the request is invalid.")]
    public async Task PutEvaluations_ServiceRejects_SurfacesTheCode(string code, string message)
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson($$"""{"__type":"{{code}}","message":"{{message}}"}""", HttpStatusCode.BadRequest);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            aws.Clients.Config.PutEvaluationsAsync([Evaluation.ForUser("AIDA1", ComplianceType.Compliant, "ok", Ordering)], "token", false, CancellationToken.None));

        Assert.Equal((code, message), (error.ErrorCode, error.ServiceMessage));
        Assert.Single(aws.Handler.Requests);
    }

    [Fact]
    public async Task GetComplianceDetails_TwoPages_ReturnsResultsOfTheAskedTypes()
    {
        using var aws = new AwsTestContext();
        aws.Handler
            .RespondJson(Fixture.Read("Config/GetComplianceDetailsByConfigRule.page1.json"))
            .RespondJson(Fixture.Read("Config/GetComplianceDetailsByConfigRule.page2.json"));

        var results = await aws.Clients.Config.GetComplianceDetailsByConfigRuleAsync(
            "mfa-for-console-users", [ComplianceType.NonCompliant, ComplianceType.Compliant, ComplianceType.NotApplicable], CancellationToken.None);

        Assert.Equal(
            [
                new EvaluationResultSummary("AWS::IAM::User", "AIDACKCEVSQ6C2EXAMPLE", ComplianceType.NonCompliant, Ordering)
                {
                    Annotation = "Console password with no MFA device.",
                    ResultRecordedTime = DateTimeOffset.FromUnixTimeMilliseconds(1795897561500),
                },
                // No Annotation member: Config stores none for an evaluation sent without one.
                new EvaluationResultSummary("AWS::IAM::User", "AIDAEXAMPLE36EXAMPLEC", ComplianceType.Compliant, Ordering) { ResultRecordedTime = DateTimeOffset.FromUnixTimeMilliseconds(1795897561500) },
                new EvaluationResultSummary("AWS::IAM::User", "AIDAGONEUSER1EXAMPLE", ComplianceType.NotApplicable, DateTimeOffset.FromUnixTimeSeconds(1795800000))
                {
                    ResultRecordedTime = DateTimeOffset.FromUnixTimeSeconds(1795800001),
                },
            ],
            results);
        var first = aws.Handler.Requests[0];
        Assert.Equal("StarlingDoveService.GetComplianceDetailsByConfigRule", first.Header("X-Amz-Target"));
        Assert.Equal("""{"ConfigRuleName":"mfa-for-console-users","ComplianceTypes":["NON_COMPLIANT","COMPLIANT","NOT_APPLICABLE"],"Limit":100}""", first.BodyText);
        Assert.Equal("eyJleGFtcGxlIjoidG9rZW4tMSJ9", aws.Handler.Requests[1].Json.GetProperty("NextToken").GetString());
    }

    [Fact]
    public async Task GetComplianceDetails_ResultWithoutResourceId_IsMalformed()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson("""{"EvaluationResults":[{"EvaluationResultIdentifier":{"EvaluationResultQualifier":{"ResourceType":"AWS::IAM::User"}},"ComplianceType":"COMPLIANT"}]}""");

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            aws.Clients.Config.GetComplianceDetailsByConfigRuleAsync("mfa", [ComplianceType.Compliant], CancellationToken.None));

        Assert.Equal(AwsTransport.MalformedResponseCode, error.ErrorCode);
    }

    [Fact]
    public async Task GetLastEvaluationTime_TwoPages_IsTheInvocationTimeOfThisRulesResultOnly()
    {
        using var aws = new AwsTestContext();
        aws.Handler
            .RespondJson(Fixture.Read("Config/GetComplianceDetailsByResource.page1.json"))
            .RespondJson(Fixture.Read("Config/GetComplianceDetailsByResource.page2.json"));

        var invoked = await aws.Clients.Config.GetLastEvaluationTimeAsync("mfa-for-console-users", "AWS::IAM::User", "AIDACKCEVSQ6C2EXAMPLE", CancellationToken.None);

        // Security Hub's own rule evaluated the user later; only this rule's result says when this rule last ran for it.
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1795897559900), invoked);
        var first = aws.Handler.Requests[0];
        Assert.Equal("StarlingDoveService.GetComplianceDetailsByResource", first.Header("X-Amz-Target"));
        Assert.Equal(
            """{"ResourceType":"AWS::IAM::User","ResourceId":"AIDACKCEVSQ6C2EXAMPLE","ComplianceTypes":["COMPLIANT","NON_COMPLIANT","NOT_APPLICABLE"]}""",
            first.BodyText);
        Assert.Equal("eyJleGFtcGxlIjoiYnktcmVzb3VyY2UtMSJ9", aws.Handler.Requests[1].Json.GetProperty("NextToken").GetString());
        Assert.Equal(2, aws.Handler.Requests.Count);
    }

    [Fact]
    public async Task GetLastEvaluationTime_OnlyOtherRulesResults_IsNull()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson(Fixture.Read("Config/GetComplianceDetailsByResource.page2.json"));

        Assert.Null(await aws.Clients.Config.GetLastEvaluationTimeAsync("mfa-for-console-users", "AWS::IAM::User", "AIDACKCEVSQ6C2EXAMPLE", CancellationToken.None));
    }

    [Fact]
    public async Task GetLastEvaluationTime_ResultWithoutInvocationTime_ProvesNothing()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson("""{"EvaluationResults":[{"EvaluationResultIdentifier":{"EvaluationResultQualifier":{"ConfigRuleName":"mfa","ResourceType":"AWS::IAM::User","ResourceId":"AIDA1"}},"ComplianceType":"COMPLIANT","ResultRecordedTime":1795897561.5}]}""");

        Assert.Null(await aws.Clients.Config.GetLastEvaluationTimeAsync("mfa", "AWS::IAM::User", "AIDA1", CancellationToken.None));
    }

    [Fact]
    public async Task GetLastEvaluationTime_InvokedTimeAfterTheOrderingTimestamp_IsTheOrderingTimestamp()
    {
        // Were ConfigRuleInvokedTime the time the result was recorded, a run that read IAM before a change (its notification
        // created at ...500) but was recorded after it (...900) must not look as if it covered the change.
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson("""{"EvaluationResults":[{"EvaluationResultIdentifier":{"OrderingTimestamp":1795897500,"EvaluationResultQualifier":{"ConfigRuleName":"mfa","ResourceType":"AWS::IAM::User","ResourceId":"AIDA1"}},"ComplianceType":"COMPLIANT","ConfigRuleInvokedTime":1795897900,"ResultRecordedTime":1795897900.5}]}""");

        var covered = await aws.Clients.Config.GetLastEvaluationTimeAsync("mfa", "AWS::IAM::User", "AIDA1", CancellationToken.None);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795897500), covered);
    }

    [Fact]
    public async Task GetLastEvaluationTime_OrderingTimestampAfterTheInvocation_IsTheInvocationTime()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson("""{"EvaluationResults":[{"EvaluationResultIdentifier":{"OrderingTimestamp":1795897600,"EvaluationResultQualifier":{"ConfigRuleName":"mfa","ResourceType":"AWS::IAM::User","ResourceId":"AIDA1"}},"ComplianceType":"COMPLIANT","ConfigRuleInvokedTime":1795897560}]}""");

        var covered = await aws.Clients.Config.GetLastEvaluationTimeAsync("mfa", "AWS::IAM::User", "AIDA1", CancellationToken.None);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795897560), covered);
    }

    [Fact]
    public async Task GetLatestConfigurationItem_User_MapsTheHistoryFieldsToTheEventsShape()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson(Fixture.Read("Config/GetResourceConfigHistory.user.json"));
        var captured = DateTimeOffset.Parse("2017-07-27T20:07:35.770Z", System.Globalization.CultureInfo.InvariantCulture);

        var item = await aws.Clients.Config.GetLatestConfigurationItemAsync("AWS::IAM::User", "AIDAIEJCNPAE4EONMASRY", captured, CancellationToken.None);

        Assert.NotNull(item);
        Assert.Equal(("AWS::IAM::User", "AIDAIEJCNPAE4EONMASRY", "config-test-user1", "arn:aws:iam::123456789012:user/config-test-user1", "OK", captured),
            (item.ResourceType, item.ResourceId, item.ResourceName, item.Arn, item.Status, item.CaptureTime));
        Assert.Equal("config-test-user1", JsonDocument.Parse(item.ConfigurationJson!).RootElement.GetProperty("userName").GetString());
        Assert.Equal(new Dictionary<string, string> { ["Team"] = "Accounting" }, item.Tags);
        var request = aws.Handler.SingleRequest;
        Assert.Equal("StarlingDoveService.GetResourceConfigHistory", request.Header("X-Amz-Target"));
        Assert.Equal("""{"resourceType":"AWS::IAM::User","resourceId":"AIDAIEJCNPAE4EONMASRY","limit":1,"laterTime":1501186055.77}""", request.BodyText);
    }

    [Fact]
    public async Task GetLatestConfigurationItem_NoLaterTime_LeavesItOut()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson(Fixture.Read("Config/GetResourceConfigHistory.user.json"));

        await aws.Clients.Config.GetLatestConfigurationItemAsync("AWS::IAM::User", "AIDAIEJCNPAE4EONMASRY", null, CancellationToken.None);

        Assert.False(aws.Handler.SingleRequest.Json.TryGetProperty("laterTime", out _));
    }

    [Fact]
    public async Task GetLatestConfigurationItem_DeletedUser_HasStatusAndNoConfiguration()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson(Fixture.Read("Config/GetResourceConfigHistory.deleted.json"));

        var item = await aws.Clients.Config.GetLatestConfigurationItemAsync("AWS::IAM::User", "AIDAGONEUSER1EXAMPLE", null, CancellationToken.None);

        Assert.NotNull(item);
        Assert.Equal("ResourceDeleted", item.Status);
        Assert.Null(item.ConfigurationJson);
        Assert.Null(item.ResourceName);
        Assert.Empty(item.Tags);
    }

    [Fact]
    public async Task GetLatestConfigurationItem_ResourceNotDiscovered_ReturnsNull()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson("""{"__type":"ResourceNotDiscoveredException","message":"Resource AIDAX of resourceType:AWS::IAM::User is unknown or has not been discovered"}""", HttpStatusCode.BadRequest);

        Assert.Null(await aws.Clients.Config.GetLatestConfigurationItemAsync("AWS::IAM::User", "AIDAX", null, CancellationToken.None));
    }

    [Fact]
    public async Task GetLatestConfigurationItem_NoItems_ReturnsNull()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson("""{"configurationItems":[]}""");

        Assert.Null(await aws.Clients.Config.GetLatestConfigurationItemAsync("AWS::IAM::User", "AIDAX", null, CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"configurationItems":[{"resourceType":"AWS::IAM::User","resourceId":"ID_OVER_768","configurationItemStatus":"OK","configurationItemCaptureTime":1501186055.77}]}""", "resourceId is 769 characters")]
    [InlineData("""{"configurationItems":[{"resourceType":"AWS::IAM::User","resourceId":"AIDAX","configurationItemStatus":"OK","configurationItemCaptureTime":-62135596800}]}""", "configurationItemCaptureTime 0001-01-01T00:00:00.0000000+00:00 is before 1970")]
    public async Task GetLatestConfigurationItem_ItemNoEvaluationCouldCarry_IsMalformed(string body, string message)
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson(body.Replace("ID_OVER_768", new string('A', 769), StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            aws.Clients.Config.GetLatestConfigurationItemAsync("AWS::IAM::User", "AIDAX", null, CancellationToken.None));

        Assert.Equal(AwsTransport.MalformedResponseCode, error.ErrorCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartConfigRulesEvaluation_TooManyRules_ThrowsBeforeSending()
    {
        using var aws = new AwsTestContext();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            aws.Clients.Config.StartConfigRulesEvaluationAsync(Enumerable.Range(0, 26).Select(i => $"rule-{i}").ToList(), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => aws.Clients.Config.StartConfigRulesEvaluationAsync([], CancellationToken.None));
        Assert.Empty(aws.Handler.Requests);
    }
}

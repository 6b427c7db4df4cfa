using System.Net;
using System.Text.Json.Nodes;
using AwsDouble.Config;
using AwsDouble.Iam;
using AwsDouble.Protocol;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>Config keeps what PutEvaluations reports, checks the result token, and limits on-demand evaluations.</summary>
public sealed class ConfigTests : DoubleTest
{
    private const string Rule = "mfa-for-console-users";
    private const string UserType = "AWS::IAM::User";

    [Fact]
    public async Task PutEvaluations_ValidToken_IsStoredAndReadableThroughTheCSharpApi()
    {
        var answer = await PutAsync(IssueToken(), testMode: false, Evaluation("AIDAALICE", "NON_COMPLIANT", "no MFA"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Empty(answer.Body["FailedEvaluations"]!.AsArray());
        var stored = Assert.Single(Config.Results(Rule));
        Assert.Equal(("AIDAALICE", "NON_COMPLIANT", "no MFA"), (stored.ResourceId, stored.ComplianceType, stored.Annotation));
        Assert.Equal(DoubleClock.DefaultStart.AddMinutes(-5), stored.OrderingTimestamp);
    }

    [Fact]
    public async Task PutEvaluations_TestMode_ChangesNothingEvenWithAnUnknownToken()
    {
        Config.PutCustomLambdaRule(Rule);

        var answer = await PutAsync("not-a-token", testMode: true, Evaluation("AIDAALICE", "COMPLIANT"));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Empty(Config.Results(Rule));
        Assert.True(Assert.Single(Config.Calls()).TestMode);
    }

    [Fact]
    public async Task PutEvaluations_UnknownToken_IsInvalidResultTokenException()
    {
        Config.PutCustomLambdaRule(Rule);

        var answer = await PutAsync("eyJmade-up", testMode: false, Evaluation("AIDAALICE", "COMPLIANT"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("InvalidResultTokenException", answer.ErrorType);
    }

    [Fact]
    public async Task PutEvaluations_MoreThanAHundred_IsValidationException()
    {
        var token = IssueToken();

        var answer = await PutAsync(token, testMode: false, Enumerable.Range(0, 101).Select(i => Evaluation($"AIDA{i:D17}", "COMPLIANT")).ToArray());

        Assert.Equal("ValidationException", answer.ErrorType);
        Assert.Empty(Config.Results(Rule));
    }

    [Fact]
    public async Task PutEvaluations_InsufficientData_IsInvalidParameterValueException()
    {
        var answer = await PutAsync(IssueToken(), testMode: false, Evaluation("AIDAALICE", "INSUFFICIENT_DATA"));

        Assert.Equal("InvalidParameterValueException", answer.ErrorType);
    }

    [Fact]
    public async Task PutEvaluations_AnnotationLongerThan256_IsValidationException()
    {
        var answer = await PutAsync(IssueToken(), testMode: false, Evaluation("AIDAALICE", "NON_COMPLIANT", new string('x', 257)));

        Assert.Equal("ValidationException", answer.ErrorType);
    }

    [Fact]
    public async Task PutEvaluations_OrderingTimestampAsIsoString_IsSerializationException()
    {
        var evaluation = Evaluation("AIDAALICE", "COMPLIANT");
        evaluation["OrderingTimestamp"] = "2026-01-15T09:00:00Z";

        var answer = await PutAsync(IssueToken(), testMode: false, evaluation);

        Assert.Equal("SerializationException", answer.ErrorType);
    }

    [Fact]
    public async Task PutEvaluations_OlderOrderingTimestamp_DoesNotReplaceANewerResult()
    {
        var token = IssueToken();
        await PutAsync(token, testMode: false, Evaluation("AIDAALICE", "COMPLIANT", ordering: DoubleClock.DefaultStart));

        await PutAsync(token, testMode: false, Evaluation("AIDAALICE", "NON_COMPLIANT", ordering: DoubleClock.DefaultStart.AddHours(-1)));

        Assert.Equal("COMPLIANT", Assert.Single(Config.Results(Rule)).ComplianceType);
    }

    [Fact]
    public async Task GetComplianceDetailsByConfigRule_FilterAndLimit_PagesThroughMatchingResults()
    {
        var token = IssueToken();
        await PutAsync(token, testMode: false, Enumerable.Range(0, 25)
            .Select(i => Evaluation($"AIDA{i:D17}", i % 5 == 0 ? "COMPLIANT" : "NON_COMPLIANT", $"user {i}")).ToArray());

        var ids = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var body = new JsonObject { ["ConfigRuleName"] = Rule, ["ComplianceTypes"] = new JsonArray("NON_COMPLIANT"), ["Limit"] = 8 };
            if (next is not null) body["NextToken"] = next;
            var page = await Aws.ConfigAsync("GetComplianceDetailsByConfigRule", body);
            pages++;
            foreach (var result in page.Body["EvaluationResults"]!.AsArray())
            {
                var qualifier = result!["EvaluationResultIdentifier"]!["EvaluationResultQualifier"]!;
                Assert.Equal(UserType, qualifier["ResourceType"]!.GetValue<string>());
                Assert.Equal("NON_COMPLIANT", result["ComplianceType"]!.GetValue<string>());
                ids.Add(qualifier["ResourceId"]!.GetValue<string>());
            }
            next = page.Body["NextToken"]?.GetValue<string>();
        }
        while (next is not null);

        Assert.Equal(3, pages);
        Assert.Equal(20, ids.Distinct().Count());
    }

    [Fact]
    public async Task GetComplianceDetailsByConfigRule_Result_CarriesItsTimesAndAnnotationOnlyWhenThereIsOne()
    {
        var token = IssueToken();
        var invoked = Clock.GetUtcNow();
        Clock.Advance(TimeSpan.FromSeconds(30));
        await PutAsync(token, testMode: false, Evaluation("AIDAALICE", "NON_COMPLIANT", "no MFA"), Evaluation("AIDABOB", "COMPLIANT"));

        var page = await Aws.ConfigAsync("GetComplianceDetailsByConfigRule", new JsonObject { ["ConfigRuleName"] = Rule });

        var results = page.Body["EvaluationResults"]!.AsArray().ToDictionary(r => r!["EvaluationResultIdentifier"]!["EvaluationResultQualifier"]!["ResourceId"]!.GetValue<string>());
        var alice = results["AIDAALICE"]!.AsObject();
        Assert.Equal("no MFA", alice["Annotation"]!.GetValue<string>());
        Assert.Equal(JsonTime(DoubleClock.DefaultStart.AddMinutes(-5)), alice["EvaluationResultIdentifier"]!["OrderingTimestamp"]!.ToJsonString());
        Assert.Equal(JsonTime(invoked), alice["ConfigRuleInvokedTime"]!.ToJsonString());
        Assert.Equal(JsonTime(invoked.AddSeconds(30)), alice["ResultRecordedTime"]!.ToJsonString());
        Assert.False(results["AIDABOB"]!.AsObject().ContainsKey("Annotation"));
    }

    [Fact]
    public async Task AgeResults_MovesEveryStoredTimeBackSoANewerEvaluationStillReplacesIt()
    {
        await PutAsync(IssueToken(), testMode: false, Evaluation("AIDAALICE", "NON_COMPLIANT", "no MFA"));

        Config.AgeResults(Rule, TimeSpan.FromDays(8));
        var aged = Assert.Single(Config.Results(Rule));
        await PutAsync(IssueToken(), testMode: false, Evaluation("AIDAALICE", "COMPLIANT", "MFA", ordering: DoubleClock.DefaultStart.AddDays(-1)));

        Assert.Equal(Clock.GetUtcNow().AddDays(-8), aged.ResultRecordedTime);
        Assert.Equal(DoubleClock.DefaultStart.AddMinutes(-5).AddDays(-8), aged.OrderingTimestamp);
        Assert.Equal("COMPLIANT", Assert.Single(Config.Results(Rule)).ComplianceType);
        Assert.Equal(2, Config.EvaluationsWritten(Rule));
    }

    [Fact]
    public async Task GetComplianceDetailsByConfigRule_UnknownRule_IsNoSuchConfigRuleException()
    {
        var answer = await Aws.ConfigAsync("GetComplianceDetailsByConfigRule", new JsonObject { ["ConfigRuleName"] = "nope" });

        Assert.Equal("NoSuchConfigRuleException", answer.ErrorType);
    }

    [Fact]
    public async Task StartConfigRulesEvaluation_TwiceWithinAMinute_IsLimitExceededThenAllowedAfterAMinute()
    {
        Config.PutCustomLambdaRule(Rule);
        var started = new List<RuleEvaluationStart>();
        Config.EvaluationStarted += (_, start) => started.Add(start);
        var body = new JsonObject { ["ConfigRuleNames"] = new JsonArray(Rule) };

        var first = await Aws.ConfigAsync("StartConfigRulesEvaluation", body.DeepClone().AsObject());
        Clock.Advance(TimeSpan.FromSeconds(59));
        var second = await Aws.ConfigAsync("StartConfigRulesEvaluation", body.DeepClone().AsObject());
        Clock.Advance(TimeSpan.FromSeconds(1));
        var third = await Aws.ConfigAsync("StartConfigRulesEvaluation", body.DeepClone().AsObject());

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("LimitExceededException", second.ErrorType);
        Assert.Equal(HttpStatusCode.OK, third.Status);
        Assert.Equal([DoubleClock.DefaultStart, DoubleClock.DefaultStart.AddMinutes(1)], started.Select(s => s.At));
    }

    [Fact]
    public async Task StartConfigRulesEvaluation_WhileInProgress_IsLimitExceeded()
    {
        await using var slow = await Hosting.AwsDoubleServer.StartAsync(new AwsDoubleOptions { ConfigEvaluationDuration = TimeSpan.FromMinutes(10) });
        using var client = AwsClient.For(slow);
        slow.DefaultAccount.Config("us-east-1").PutCustomLambdaRule(Rule);
        var body = new JsonObject { ["ConfigRuleNames"] = new JsonArray(Rule) };

        await client.ConfigAsync("StartConfigRulesEvaluation", body.DeepClone().AsObject());
        slow.Clock.Advance(TimeSpan.FromMinutes(5));
        var answer = await client.ConfigAsync("StartConfigRulesEvaluation", body.DeepClone().AsObject());

        Assert.Equal("LimitExceededException", answer.ErrorType);
    }

    [Fact]
    public async Task GetComplianceDetailsByResource_ResultsOfEveryRule_CarryTheInvocationAndRecordingTimes()
    {
        const string other = "iam-user-no-policies-check";
        var start = DoubleClock.DefaultStart;
        var token = IssueToken();
        Config.PutCustomLambdaRule(other);
        // The function invoked with the token reports two minutes later; the other rule's function at once.
        Clock.Advance(TimeSpan.FromMinutes(2));
        await PutAsync(token, testMode: false, Evaluation("AIDAALICE", "NON_COMPLIANT", "no MFA"), Evaluation("AIDABOB", "COMPLIANT"));
        Clock.Advance(TimeSpan.FromMinutes(1));
        await PutAsync(Config.IssueResultToken(other), testMode: false, Evaluation("AIDAALICE", "COMPLIANT"));

        var answer = await Aws.ConfigAsync("GetComplianceDetailsByResource", new JsonObject
        {
            ["ResourceType"] = UserType,
            ["ResourceId"] = "AIDAALICE",
            ["ComplianceTypes"] = new JsonArray("COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"),
        });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var results = answer.Body["EvaluationResults"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal([other, Rule], results.Select(r => r["EvaluationResultIdentifier"]!["EvaluationResultQualifier"]!["ConfigRuleName"]!.GetValue<string>()));
        Assert.All(results, r => Assert.Equal("AIDAALICE", r["EvaluationResultIdentifier"]!["EvaluationResultQualifier"]!["ResourceId"]!.GetValue<string>()));
        var mine = results[1];
        Assert.Equal("NON_COMPLIANT", mine["ComplianceType"]!.GetValue<string>());
        Assert.Equal(start.ToUnixTimeSeconds(), mine["ConfigRuleInvokedTime"]!.GetValue<double>());
        Assert.Equal(start.AddMinutes(2).ToUnixTimeSeconds(), mine["ResultRecordedTime"]!.GetValue<double>());
        Assert.Equal(start.AddMinutes(3).ToUnixTimeSeconds(), results[0]["ConfigRuleInvokedTime"]!.GetValue<double>());
        Assert.Null(answer.Body["NextToken"]);
    }

    [Fact]
    public async Task GetComplianceDetailsByResource_FilterAndPageSize_PagesThroughMatchingResults()
    {
        var token = IssueToken();
        foreach (var rule in new[] { "rule-a", "rule-b" })
        {
            Config.PutCustomLambdaRule(rule);
            await PutAsync(Config.IssueResultToken(rule), testMode: false, Evaluation("AIDAALICE", "NON_COMPLIANT"));
        }
        await PutAsync(token, testMode: false, Evaluation("AIDAALICE", "COMPLIANT"));
        Config.ResourceCompliancePageSize = 1;

        var rules = new List<string>();
        string? next = null;
        do
        {
            var body = new JsonObject { ["ResourceType"] = UserType, ["ResourceId"] = "AIDAALICE", ["ComplianceTypes"] = new JsonArray("NON_COMPLIANT") };
            if (next is not null) body["NextToken"] = next;
            var page = await Aws.ConfigAsync("GetComplianceDetailsByResource", body);
            rules.AddRange(page.Body["EvaluationResults"]!.AsArray()
                .Select(r => r!["EvaluationResultIdentifier"]!["EvaluationResultQualifier"]!["ConfigRuleName"]!.GetValue<string>()));
            next = page.Body["NextToken"]?.GetValue<string>();
        }
        while (next is not null);

        Assert.Equal(["rule-a", "rule-b"], rules);
    }

    [Fact]
    public async Task GetComplianceDetailsByResource_NoResults_IsAnEmptyList()
    {
        Config.PutCustomLambdaRule(Rule);

        var answer = await Aws.ConfigAsync("GetComplianceDetailsByResource", new JsonObject { ["ResourceType"] = UserType, ["ResourceId"] = "AIDANOBODY" });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Empty(answer.Body["EvaluationResults"]!.AsArray());
    }

    [Fact]
    public async Task GetComplianceDetailsByResource_InsufficientDataFilter_IsInvalidParameterValueException()
    {
        var answer = await Aws.ConfigAsync("GetComplianceDetailsByResource", new JsonObject
        {
            ["ResourceType"] = UserType,
            ["ResourceId"] = "AIDAALICE",
            ["ComplianceTypes"] = new JsonArray("INSUFFICIENT_DATA"),
        });

        Assert.Equal("InvalidParameterValueException", answer.ErrorType);
    }

    [Fact]
    public async Task PutConfigRule_ThenDescribeConfigRules_ReturnsTheRuleWithArnAndId()
    {
        var put = await Aws.ConfigAsync("PutConfigRule", new JsonObject
        {
            ["ConfigRule"] = new JsonObject
            {
                ["ConfigRuleName"] = Rule,
                ["Source"] = new JsonObject { ["Owner"] = "CUSTOM_LAMBDA", ["SourceIdentifier"] = "arn:aws:lambda:eu-west-1:123456789012:function:mfa" },
                ["InputParameters"] = "{\"GracePeriodHours\":\"24\"}",
            },
        }, region: "eu-west-1");
        var described = await Aws.ConfigAsync("DescribeConfigRules", new JsonObject { ["ConfigRuleNames"] = new JsonArray(Rule) }, region: "eu-west-1");
        var elsewhere = await Aws.ConfigAsync("DescribeConfigRules", new JsonObject { ["ConfigRuleNames"] = new JsonArray(Rule) });

        Assert.Equal(HttpStatusCode.OK, put.Status);
        var rule = described.Body["ConfigRules"]![0]!;
        Assert.StartsWith("arn:aws:config:eu-west-1:123456789012:config-rule/config-rule-", rule["ConfigRuleArn"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("{\"GracePeriodHours\":\"24\"}", rule["InputParameters"]!.GetValue<string>());
        Assert.Equal("NoSuchConfigRuleException", elsewhere.ErrorType);
    }

    [Fact]
    public async Task GetResourceConfigHistory_LaterTimeAndLimitOne_ReturnsTheItemAtOrBeforeItWithConfigurationAsAString()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));
        var userId = Account.FindUser("alice")!.UserId;
        Clock.Advance(TimeSpan.FromHours(1));
        await Aws.IamAsync("TagUser", ("UserName", "alice"), ("Tags.member.1.Key", "team"), ("Tags.member.1.Value", "ops"));

        var atCreation = await Aws.ConfigAsync("GetResourceConfigHistory", new JsonObject
        {
            ["resourceType"] = UserType,
            ["resourceId"] = userId,
            ["laterTime"] = DoubleClock.DefaultStart.AddMinutes(30).ToUnixTimeSeconds(),
            ["limit"] = 1,
        });
        var latest = await Aws.ConfigAsync("GetResourceConfigHistory", new JsonObject { ["resourceType"] = UserType, ["resourceId"] = userId, ["limit"] = 1 });

        var first = atCreation.Body["configurationItems"]![0]!;
        Assert.Equal("ResourceDiscovered", first["configurationItemStatus"]!.GetValue<string>());
        Assert.Equal("alice", first["resourceName"]!.GetValue<string>());
        var configuration = JsonNode.Parse(first["configuration"]!.GetValue<string>())!;
        Assert.Equal(userId, configuration["userId"]!.GetValue<string>());
        var newest = latest.Body["configurationItems"]![0]!;
        Assert.Equal("OK", newest["configurationItemStatus"]!.GetValue<string>());
        Assert.Equal("ops", newest["tags"]!["team"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetResourceConfigHistory_LaterTimeCopiedFromTheItem_FindsItDespiteASubMillisecondCreateDate()
    {
        var created = DoubleClock.DefaultStart.AddDays(-3).AddTicks(6_789);
        Account.SeedUsers([new UserSeed("alice") { CreateDate = created }]);
        var item = Assert.Single(Account.ConfigurationHistory(Account.FindUser("alice")!.UserId));

        var answer = await Aws.ConfigAsync("GetResourceConfigHistory", new JsonObject
        {
            ["resourceType"] = UserType,
            ["resourceId"] = item.ResourceId,
            ["laterTime"] = item.CaptureTime.ToUnixTimeMilliseconds() / 1000.0,
            ["limit"] = 1,
        });

        Assert.Equal(created.AddTicks(-6_789), item.CaptureTime);
        Assert.Single(answer.Body["configurationItems"]!.AsArray());
    }

    [Fact]
    public async Task GetResourceConfigHistory_UnknownResource_IsResourceNotDiscoveredException()
    {
        var answer = await Aws.ConfigAsync("GetResourceConfigHistory", new JsonObject { ["resourceType"] = UserType, ["resourceId"] = "AIDANOBODY" });

        Assert.Equal("ResourceNotDiscoveredException", answer.ErrorType);
    }

    [Fact]
    public async Task ListDiscoveredResources_ResourceIds_GivesNamesAndLeavesDeletedUsersOut()
    {
        Account.SeedUsers([new UserSeed("alice"), new UserSeed("bob")]);
        var ids = Account.Users.ToDictionary(u => u.UserName, u => u.UserId);
        await Aws.IamAsync("DeleteUser", ("UserName", "bob"));

        var answer = await Aws.ConfigAsync("ListDiscoveredResources", new JsonObject
        {
            ["resourceType"] = UserType,
            ["resourceIds"] = new JsonArray(ids["alice"], ids["bob"]),
        });

        var identifier = Assert.Single(answer.Body["resourceIdentifiers"]!.AsArray())!;
        Assert.Equal(ids["alice"], identifier["resourceId"]!.GetValue<string>());
        Assert.Equal("alice", identifier["resourceName"]!.GetValue<string>());
    }

    private ConfigRegion Config => Account.Config("us-east-1");

    private string IssueToken()
    {
        Config.PutCustomLambdaRule(Rule);
        return Config.IssueResultToken(Rule);
    }

    private static string JsonTime(DateTimeOffset time) => JsonBody.Time(time).ToJsonString();

    private static JsonObject Evaluation(string userId, string compliance, string? annotation = null, DateTimeOffset? ordering = null)
    {
        var evaluation = new JsonObject
        {
            ["ComplianceResourceType"] = UserType,
            ["ComplianceResourceId"] = userId,
            ["ComplianceType"] = compliance,
            ["OrderingTimestamp"] = (ordering ?? DoubleClock.DefaultStart.AddMinutes(-5)).ToUnixTimeMilliseconds() / 1000.0,
        };
        if (annotation is not null) evaluation["Annotation"] = annotation;
        return evaluation;
    }

    private Task<JsonAnswer> PutAsync(string token, bool testMode, params JsonObject[] evaluations) =>
        Aws.ConfigAsync("PutEvaluations", new JsonObject
        {
            ["Evaluations"] = new JsonArray(evaluations.Select(e => (JsonNode)e).ToArray()),
            ["ResultToken"] = token,
            ["TestMode"] = testMode,
        });
}

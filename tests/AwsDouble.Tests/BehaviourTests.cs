using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AwsDouble.Config;
using AwsDouble.Iam;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>
/// Each switch of <see cref="AwsBehaviours"/> does what it says, through the API the rule calls, and can be set from the
/// C# API, the control endpoint and the command line's parser; today's behaviour is the default.
/// </summary>
public sealed class BehaviourTests : DoubleTest
{
    private const string Rule = "mfa-for-console-users";
    private const string UserType = "AWS::IAM::User";
    private static readonly DateTimeOffset Start = DoubleClock.DefaultStart;

    private ConfigRegion Config => Account.Config("us-east-1");

    [Fact]
    public void Defaults_AreTodaysBehaviour()
    {
        Assert.Equal(AwsBehaviours.Today with { CloudTrailDelay = new AwsDoubleOptions().CloudTrailLag }, Server.State.Behaviours);
        Assert.Equal("today", AwsBehaviours.Today.ToString());
    }

    [Theory]
    [InlineData(EvaluationOrdering.NewestOrderingTimestampWins, "COMPLIANT")]
    [InlineData(EvaluationOrdering.LastWriteWins, "NON_COMPLIANT")]
    public async Task Ordering_AnOlderEvaluationWrittenLater_IsKeptOnlyUnderLastWriteWins(EvaluationOrdering ordering, string held)
    {
        Server.State.Behaviours = AwsBehaviours.Today with { Ordering = ordering };
        var token = IssueToken();
        await PutAsync(token, Evaluation("AIDAALICE", "COMPLIANT", Start));

        await PutAsync(token, Evaluation("AIDAALICE", "NON_COMPLIANT", Start.AddDays(-60)));

        Assert.Equal(held, Assert.Single(Config.Results(Rule)).ComplianceType);
    }

    [Theory]
    [InlineData(OnDemandDelivery.ScheduledNotification, true, 0)]
    [InlineData(OnDemandDelivery.ChangePerUser, false, 2)]
    [InlineData(OnDemandDelivery.Both, true, 2)]
    public async Task OnDemand_StartConfigRulesEvaluation_RaisesAStartThatSaysWhatConfigDelivers(OnDemandDelivery delivery, bool scheduled, int replayed)
    {
        Server.State.Behaviours = AwsBehaviours.Today with { OnDemand = delivery };
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));
        await Aws.IamAsync("CreateUser", ("UserName", "bob"));
        await Aws.IamAsync("CreateUser", ("UserName", "gone"));
        await Aws.IamAsync("DeleteUser", ("UserName", "gone"));
        Clock.Advance(TimeSpan.FromDays(60));
        Config.PutCustomLambdaRule(Rule);
        var starts = new List<RuleEvaluationStart>();
        Config.EvaluationStarted += (_, start) => starts.Add(start);

        var answer = await Aws.ConfigAsync("StartConfigRulesEvaluation", new JsonObject { ["ConfigRuleNames"] = new JsonArray(Rule) });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var start = Assert.Single(starts);
        Assert.Equal(delivery, start.Delivery);
        Assert.Equal(scheduled, start.DeliversScheduled);
        Assert.Equal(replayed, start.ReplayedItems.Count);
        // The users' last items, captured when they were created 60 days ago; the deleted user is not in scope.
        Assert.All(start.ReplayedItems, i => Assert.Equal(Start, i.CaptureTime, TimeSpan.FromSeconds(1)));
        Assert.Equal(replayed == 0 ? [] : ["alice", "bob"], start.ReplayedItems.Select(i => i.ResourceName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    public async Task CloudTrailDelay_AnEventIsVisibleExactlyAfterTheDelay(int minutes)
    {
        Server.State.Behaviours = AwsBehaviours.Today with { CloudTrailDelay = TimeSpan.FromMinutes(minutes) };
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));

        if (minutes > 0)
        {
            Clock.Advance(TimeSpan.FromMinutes(minutes) - TimeSpan.FromSeconds(1));
            Assert.Empty(await CreateUserEventsAsync());
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Single(await CreateUserEventsAsync());
        Assert.Equal(TimeSpan.FromMinutes(minutes), Account.CloudTrailLag);
    }

    [Theory]
    [InlineData(UnrestatedResults.Kept, new[] { "AIDAALICE", "AIDABOB" })]
    [InlineData(UnrestatedResults.Dropped, new[] { "AIDABOB" })]
    public async Task Unrestated_APeriodicRunThatDoesNotRestateAResult_KeepsOrDropsIt(UnrestatedResults unrestated, string[] held)
    {
        Server.State.Behaviours = AwsBehaviours.Today with { Unrestated = unrestated };
        await PutAsync(IssueToken(), Evaluation("AIDAALICE", "NON_COMPLIANT", Start), Evaluation("AIDABOB", "COMPLIANT", Start));
        Clock.Advance(TimeSpan.FromDays(1));
        var periodic = Config.IssueResultToken(Rule, periodic: true);

        await PutAsync(periodic, Evaluation("AIDABOB", "COMPLIANT", Clock.GetUtcNow()));
        // A second call of the same run drops nothing more, and a change-triggered token never drops.
        await PutAsync(periodic);
        await PutAsync(Config.IssueResultToken(Rule), Evaluation("AIDACAROL", "COMPLIANT", Clock.GetUtcNow()));

        Assert.Equal([.. held, "AIDACAROL"], Config.Results(Rule).Select(r => r.ResourceId));
    }

    [Theory]
    [InlineData(RootPasswordEnabled.NotSupported, "not_supported")]
    [InlineData(RootPasswordEnabled.False, "false")]
    [InlineData(RootPasswordEnabled.True, "true")]
    public async Task RootPassword_TheReportsRootRowSaysIt(RootPasswordEnabled value, string expected)
    {
        Server.State.Behaviours = AwsBehaviours.Today with { RootPassword = value };

        await Aws.IamAsync("GenerateCredentialReport");
        Clock.Advance(CredentialReportTiming.Default.GenerationDelay);
        var report = await Aws.IamAsync("GetCredentialReport");

        var root = Encoding.UTF8.GetString(Convert.FromBase64String(report.Value("Content")!)).Split('\n')[1].Split(',');
        Assert.Equal(("<root_account>", expected), (root[0], root[3]));
    }

    [Fact]
    public async Task CredentialReportNeverCompletes_StaysInProgressUntilTheSwitchIsOff()
    {
        Server.State.Behaviours = AwsBehaviours.Today with { CredentialReportNeverCompletes = true };

        var started = await Aws.IamAsync("GenerateCredentialReport");
        Clock.Advance(TimeSpan.FromHours(1));
        var again = await Aws.IamAsync("GenerateCredentialReport");
        var get = await Aws.IamAsync("GetCredentialReport");
        Server.State.Behaviours = AwsBehaviours.Today;
        var after = await Aws.IamAsync("GetCredentialReport");

        Assert.Equal("STARTED", started.Value("State"));
        Assert.Equal("INPROGRESS", again.Value("State"));
        Assert.Equal("ReportInProgress", get.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, after.Status);
    }

    [Theory]
    [InlineData(InvokedTimeMeaning.InvocationTime, 0)]
    [InlineData(InvokedTimeMeaning.ResultRecordedTime, 3)]
    public async Task InvokedTime_IsTheTokensIssueOrTheRecording(InvokedTimeMeaning meaning, int minutesAfterIssue)
    {
        Server.State.Behaviours = AwsBehaviours.Today with { InvokedTime = meaning };
        var token = IssueToken();
        Clock.Advance(TimeSpan.FromMinutes(3));

        await PutAsync(token, Evaluation("AIDAALICE", "COMPLIANT", Start));
        var answer = await Aws.ConfigAsync("GetComplianceDetailsByResource", new JsonObject { ["ResourceType"] = UserType, ["ResourceId"] = "AIDAALICE" });

        var result = answer.Body["EvaluationResults"]![0]!;
        Assert.Equal(Start.AddMinutes(minutesAfterIssue).ToUnixTimeSeconds(), result["ConfigRuleInvokedTime"]!.GetValue<double>());
        Assert.Equal(Start.AddMinutes(3).ToUnixTimeSeconds(), result["ResultRecordedTime"]!.GetValue<double>());
    }

    [Fact]
    public async Task ControlEndpoint_SetsSwitchesByNameAndAnswersAllOfThem()
    {
        var set = await ControlAsync(HttpMethod.Post, "_double/behaviours", new JsonObject
        {
            ["ordering"] = "last-write-wins",
            ["on-demand"] = "both",
            ["cloudtrail-delay-seconds"] = 900,
            ["unrestated"] = "dropped",
            ["root-password"] = "false",
            ["report-never-completes"] = "true",
            ["invoked-time"] = "recorded",
        });
        var read = await ControlAsync(HttpMethod.Get, "_double/behaviours", null);

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal(new AwsBehaviours
        {
            Ordering = EvaluationOrdering.LastWriteWins,
            OnDemand = OnDemandDelivery.Both,
            CloudTrailDelay = TimeSpan.FromMinutes(15),
            Unrestated = UnrestatedResults.Dropped,
            RootPassword = RootPasswordEnabled.False,
            CredentialReportNeverCompletes = true,
            InvokedTime = InvokedTimeMeaning.ResultRecordedTime,
        }, Server.State.Behaviours);
        Assert.Equal("900", read.Body["cloudtrail-delay-seconds"]!.GetValue<string>());
        Assert.Equal("dropped", read.Body["unrestated"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("ordering", "oldest-wins", "is not one of newest-wins | last-write-wins")]
    [InlineData("cloudtrail-delay-seconds", "901", "from 0 to 900")]
    [InlineData("weather", "sunny", "unknown behaviour 'weather'")]
    public async Task ControlEndpoint_ABadSwitch_IsA400NamingItAndChangesNothing(string name, string value, string message)
    {
        var answer = await ControlAsync(HttpMethod.Post, "_double/behaviours", new JsonObject { ["unrestated"] = "dropped", [name] = value });

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(message, answer.Body["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(UnrestatedResults.Kept, Server.State.Behaviours.Unrestated);
    }

    [Theory]
    [InlineData(AggregatorNotApplicable.Dropped, 1)]
    [InlineData(AggregatorNotApplicable.Carried, 2)]
    public async Task AggregatorNotApplicable_DecidesWhetherTheAggregateDetailsCarryIt(AggregatorNotApplicable behaviour, int results)
    {
        Server.State.Behaviours = AwsBehaviours.Today with { AggregatorNotApplicable = behaviour };
        Config.PutCustomLambdaRule(Rule);
        Config.SeedResults(Rule, [new StoredEvaluation(Rule, UserType, "AIDAALICE", "NON_COMPLIANT", "no MFA", Start, Start, Start),
            new StoredEvaluation(Rule, UserType, "AIDABOB", "NOT_APPLICABLE", null, Start, Start, Start)]);
        Account.AddConfigurationAggregator("us-east-1", "org", [Account.AccountId]);

        var answer = await Aws.ConfigAsync("GetAggregateComplianceDetailsByConfigRule", new JsonObject
        {
            ["ConfigurationAggregatorName"] = "org", ["ConfigRuleName"] = Rule, ["AccountId"] = Account.AccountId, ["AwsRegion"] = "us-east-1",
        });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(results, answer.Body["AggregateEvaluationResults"]!.AsArray().Count);
    }

    [Fact]
    public async Task AggregatorRate_PastTheBucket_IsThrottlingException_AndOtherCallsAreNotLimited()
    {
        Server.State.Behaviours = AwsBehaviours.Today with { AggregatorRate = 1 };
        Account.AddConfigurationAggregator("us-east-1", "org", [Account.AccountId]);
        var describe = new JsonObject { ["ConfigurationAggregatorName"] = "org" };

        var first = await Aws.ConfigAsync("DescribeAggregateComplianceByConfigRules", describe.DeepClone().AsObject());
        var second = await Aws.ConfigAsync("DescribeAggregateComplianceByConfigRules", describe.DeepClone().AsObject());
        var other = await Aws.ConfigAsync("DescribeConfigRules", new JsonObject());

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal((HttpStatusCode.BadRequest, "ThrottlingException"), (second.Status, second.ErrorType));
        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.Equal(1, Server.State.AggregateCallsThrottled);
    }

    [Fact]
    public void With_EveryNameRoundTripsThroughToNames()
    {
        var all = new AwsBehaviours
        {
            Ordering = EvaluationOrdering.LastWriteWins,
            OnDemand = OnDemandDelivery.ChangePerUser,
            CloudTrailDelay = TimeSpan.Zero,
            Unrestated = UnrestatedResults.Dropped,
            RootPassword = RootPasswordEnabled.True,
            CredentialReportNeverCompletes = true,
            InvokedTime = InvokedTimeMeaning.ResultRecordedTime,
            AggregatorNotApplicable = AggregatorNotApplicable.Carried,
            AggregatorRate = 25,
        };

        var rebuilt = all.ToNames().Aggregate(AwsBehaviours.Today, (b, p) => b.With(p.Key, p.Value));

        Assert.Equal(all, rebuilt);
        Assert.Equal(AwsBehaviours.Names.Keys.Order(StringComparer.Ordinal), all.ToNames().Keys.Order(StringComparer.Ordinal));
        Assert.Equal("ordering=last-write-wins on-demand=change-per-user cloudtrail-delay-seconds=0 unrestated=dropped root-password=true report-never-completes=true invoked-time=recorded aggregator-not-applicable=carried aggregator-rate=25", all.ToString());
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> ControlAsync(HttpMethod method, string path, JsonObject? body)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(method, new Uri(Server.BaseUrl, path));
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private string IssueToken()
    {
        Config.PutCustomLambdaRule(Rule);
        return Config.IssueResultToken(Rule);
    }

    private async Task<IReadOnlyList<JsonNode>> CreateUserEventsAsync()
    {
        var answer = await Aws.CloudTrailAsync("LookupEvents", new JsonObject
        {
            ["LookupAttributes"] = new JsonArray(new JsonObject { ["AttributeKey"] = "EventName", ["AttributeValue"] = "CreateUser" }),
        });
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Body["Events"]!.AsArray().Select(e => e!).ToList();
    }

    private static JsonObject Evaluation(string userId, string compliance, DateTimeOffset ordering) => new()
    {
        ["ComplianceResourceType"] = UserType,
        ["ComplianceResourceId"] = userId,
        ["ComplianceType"] = compliance,
        ["OrderingTimestamp"] = ordering.ToUnixTimeMilliseconds() / 1000.0,
    };

    private async Task PutAsync(string token, params JsonObject[] evaluations)
    {
        var answer = await Aws.ConfigAsync("PutEvaluations", new JsonObject
        {
            ["Evaluations"] = new JsonArray(evaluations.Select(e => (JsonNode)e).ToArray()),
            ["ResultToken"] = token,
        });
        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }
}

using System.Text.Json.Nodes;
using AwsDouble.Iam;
using AwsDouble.Population;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// Bad input through the front door: each bad event gets a clear error naming what is wrong, the runtime takes the
/// next event as if nothing happened, and nothing is reported for a bad event.
/// </summary>
public sealed class BadInputTests(ITestOutputHelper output) : EndToEndTest(output)
{
    public static TheoryData<string, string, string> BadEvents => new()
    {
        // name, event, what the error must say
        { "not JSON", "{\"invokingEvent\": ", "not valid JSON" },
        { "a JSON array", "[]", "must be a JSON object" },
        { "no invokingEvent", Without(Scheduled(), "invokingEvent"), "invokingEvent" },
        { "no resultToken", Without(Scheduled(), "resultToken"), "resultToken" },
        { "invokingEvent not JSON", WithInvoking("{messageType: Scheduled"), "invokingEvent is not valid JSON" },
        { "invokingEvent an object, not a string", Replace(Scheduled(), "invokingEvent", new JsonObject { ["messageType"] = "ScheduledNotification" }), "invokingEvent" },
        { "no messageType", WithInvoking("""{"notificationCreationTime":"2026-11-29T06:00:00.000Z"}"""), "messageType" },
        { "change without configurationItem", WithInvoking("""{"messageType":"ConfigurationItemChangeNotification","notificationCreationTime":"2026-11-29T06:00:00.000Z"}"""), "configurationItem" },
        { "configurationItem without capture time", WithInvoking("""{"messageType":"ConfigurationItemChangeNotification","configurationItem":{"resourceType":"AWS::IAM::User","resourceId":"AIDAEXAMPLE","configurationItemStatus":"OK"}}"""), "configurationItemCaptureTime" },
        { "unknown messageType", WithInvoking("""{"messageType":"ComplianceChangeNotification","notificationCreationTime":"2026-11-29T06:00:00.000Z"}"""), "unknown messageType 'ComplianceChangeNotification'" },
        { "ruleParameters an object, not a string", Replace(Scheduled(), "ruleParameters", new JsonObject { ["ExemptUserNames"] = "alice" }), "ruleParameters must be a JSON string (the InputParameters object written as text), got a JSON object" },
        { "ruleParameters a number", Replace(Scheduled(), "ruleParameters", 24), "ruleParameters must be a JSON string (the InputParameters object written as text), got a JSON number" },
        { "ruleParameters an array", Replace(Scheduled(), "ruleParameters", new JsonArray("ExemptUserNames")), "got a JSON array" },
        { "a resourceId over Config's 768 characters", WithInvoking(ChangeInvoking(new string('A', 800), "2026-11-29T06:00:00.000Z")), "configurationItem resourceId is 800 characters; Config's limit for a resource id (ComplianceResourceId) is 768" },
        { "a capture time of year one", WithInvoking(ChangeInvoking("AIDAEXAMPLE", "0001-01-01T00:00:00.000Z")), "configurationItemCaptureTime '0001-01-01T00:00:00.000Z' is before 1970" },
        { "an unpaired surrogate in a tag", WithInvoking(ChangeInvoking("AIDAEXAMPLE", "2026-11-29T06:00:00.000Z", tagValue: "\\ud800")), "field tags.mfa-exempt-until is not valid Unicode text" },
    };

    public static TheoryData<string, string, string> BadParameters => new()
    {
        { "a misspelt key", """{"ExemptUsernames":"alice"}""", "ExemptUsernames" },
        { "a negative grace period", """{"GracePeriodHours":"-5"}""", "GracePeriodHours" },
        { "an MFA kind that does not exist", """{"AllowedMfaTypes":"sms"}""", "sms" },
        { "the root path as an exemption", """{"ExemptPathPrefixes":"/"}""", "ExemptPathPrefixes" },
        { "a NoPasswordResult Config has no use for", """{"NoPasswordResult":"NON_COMPLIANT"}""", "NoPasswordResult" },
        { "parameters that are not JSON", "ExemptUserNames=alice", "not valid JSON" },
    };

    [Fact]
    public async Task Evaluate_EveryKindOfBadEventInTurn_EachAClearErrorThenAGoodEventStillWorks()
    {
        var users = SeedPopulation(25);
        var function = await StartFunctionAsync();
        var failures = new List<string>();

        foreach (var row in BadEvents)
        {
            var (name, body, says) = ((string)row[0], (string)row[1], (string)row[2]);
            var outcome = await function.InvokeAsync(body.Replace("RESULT_TOKEN", Config.IssueResultToken(RuleName), StringComparison.Ordinal));
            Output.WriteLine($"{name}: {outcome.Body}");
            if (outcome.Succeeded || outcome.ErrorType != "InvalidEvent" || !outcome.ErrorMessage.Contains(says, StringComparison.Ordinal))
                failures.Add($"{name}: expected InvalidEvent saying \"{says}\", got {outcome}");
        }
        foreach (var row in BadParameters)
        {
            var (name, parameters, says) = ((string)row[0], (string)row[1], (string)row[2]);
            var outcome = await function.InvokeAsync(ConfigEvents.Scheduled(RuleName, Config.IssueResultToken(RuleName), parameters, Now));
            Output.WriteLine($"{name}: {outcome.Body}");
            if (outcome.Succeeded || outcome.ErrorType != "InvalidParameterValueException" || !outcome.ErrorMessage.Contains(says, StringComparison.Ordinal))
                failures.Add($"{name}: expected InvalidParameterValueException saying \"{says}\", got {outcome}");
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Empty(Config.Calls());
        Assert.False(function.HasExited);
        // The same process, after all that: a good event gets every verdict right.
        var good = await function.InvokeAsync(ScheduledEvent(RulePolicy.WithExemptions));
        Assert.True(good.Succeeded, good.ToString());
        VerdictAssert.Exactly(RulePolicy.WithExemptions.ExpectedById(users), StoredResults(), NamesById());
        // And it asks for the next event, as a runtime that survived does.
        await WaitUntilAsync(() => function.RuntimeApi.NextRequests == BadEvents.Count + BadParameters.Count + 2, TimeSpan.FromSeconds(30), "the runtime's next request");
        Assert.Empty(function.NonJsonStdout);
        Assert.All(function.LogLines.Where(l => l["level"]!.GetValue<string>() == "ERROR"), l => Assert.NotNull(l["requestId"]));
        Assert.Equal(0, await function.StopAsync());
    }

    [Fact]
    public async Task Evaluate_ChangeForAnotherResourceType_IsIgnoredAndNothingIsReported()
    {
        var users = SeedPopulation(5);
        var item = Account.ConfigurationHistory(users[0].UserId)[^1] with { ResourceType = "AWS::IAM::Role" };
        var function = await StartFunctionAsync();

        var outcome = await function.InvokeAsync(ConfigEvents.Change(item, RuleName, Config.IssueResultToken(RuleName), null, Now));

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Empty(Config.Results(RuleName));
        Assert.Contains("AWS::IAM::Role", SummaryLine(function, outcome.RequestId)["note"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_CredentialReportWithOddRows_UsersOnThemAreReadLiveAndEveryVerdictIsRight()
    {
        var users = SeedPopulation(40);
        var policy = RulePolicy.WithExemptions;
        var noMfa = First(users, PopulationCase.PasswordWithoutMfa);
        var virtualMfa = First(users, PopulationCase.PasswordWithVirtualMfa);
        var noPassword = First(users, PopulationCase.NoPassword);
        var fido = First(users, PopulationCase.PasswordWithFidoMfa);
        Account.CredentialReportRewriter = csv =>
        {
            var lines = csv.Split('\n').ToList();
            string[] Fields(string user) => lines.First(l => l.StartsWith(user + ",", StringComparison.Ordinal)).Split(',');
            void Put(string user, string line) => lines[lines.FindIndex(l => l.StartsWith(user + ",", StringComparison.Ordinal))] = line;
            Put(noMfa.UserName, string.Join(',', Fields(noMfa.UserName).Take(6)));                        // cut short
            var changed = Fields(virtualMfa.UserName);
            changed[5] = "last tuesday";                                                                  // password_last_changed
            Put(virtualMfa.UserName, string.Join(',', changed));
            var maybe = Fields(noPassword.UserName);
            maybe[7] = "maybe";                                                                           // mfa_active
            Put(noPassword.UserName, string.Join(',', maybe));
            lines.Add(string.Join(',', Fields(fido.UserName)));                                           // the same user twice
            lines.Insert(3, string.Empty);                                                                // a blank line
            lines.Add("ghost-user,arn:aws:iam::123456789012:user/ghost-user," + string.Join(',', Fields(noMfa.UserName).Skip(2).Concat(Enumerable.Repeat("N/A", 16))));
            return string.Join('\n', lines);
        };
        var function = await StartFunctionAsync();

        var outcome = await function.InvokeAsync(ScheduledEvent(policy));

        Assert.True(outcome.Succeeded, outcome.ToString());
        VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
        var summary = SummaryLine(function, outcome.RequestId);
        var warnings = summary["warnings"]!.AsArray().Select(w => w!.GetValue<string>()).ToList();
        Assert.True(warnings.Count(w => w.StartsWith("credential report line", StringComparison.Ordinal)) >= 4, string.Join('\n', warnings));
        Assert.Equal("credential-report+live", summary["mode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Evaluate_CredentialReportThatIsNotAReport_EveryUserIsReadLiveAndEveryVerdictIsRight()
    {
        var users = SeedPopulation(30);
        var policy = RulePolicy.WithExemptions;
        Account.CredentialReportRewriter = _ => "<html><body>Service Unavailable</body></html>";
        var function = await StartFunctionAsync();

        var outcome = await function.InvokeAsync(ScheduledEvent(policy));

        Assert.True(outcome.Succeeded, outcome.ToString());
        VerdictAssert.Exactly(policy.ExpectedById(users), StoredResults(), NamesById());
        var summary = SummaryLine(function, outcome.RequestId);
        Assert.Equal("live", summary["mode"]!.GetValue<string>());
        Assert.Contains("credential report unreadable", summary["warnings"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runtime_UnknownHandler_ReportsAnInitializationErrorListingTheHandlersAndExits()
    {
        var function = await StartFunctionAsync(handler: "evaluate-all");

        var error = await function.RuntimeApi.InitializationError.WaitAsync(LambdaFunction.OutcomeWait);

        Assert.Equal("Runtime.HandlerNotFound", error.ErrorType);
        Assert.Contains("evaluate-all", error.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("evaluate", error.ErrorMessage.Replace("evaluate-all", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.NotEqual(0, await function.StopAsync());
    }

    [Fact]
    public async Task Evaluate_PoisonValuesOnUsers_EveryUserGetsTheirVerdictOnTheSweepAndTheChangePath()
    {
        var passwordSet = Now.AddDays(-30);
        var sms = $"arn:aws:iam::{ConfigEvents.AccountId}:sms-mfa/sms-user";
        Account.SeedUsers(
        [
            // "Never expires": once overflowed the end-of-day arithmetic and took the whole sweep down.
            new UserSeed("forever-exempt") { LoginProfile = new LoginProfileSeed(passwordSet), Tags = [KeyValuePair.Create("mfa-exempt-until", "9999-12-31")] },
            // An MFA serial of a kind the rule does not know: not hardware, only good for a policy accepting every kind.
            new UserSeed("sms-user") { LoginProfile = new LoginProfileSeed(passwordSet), MfaDevices = [new MfaDeviceSeed(MfaDeviceKind.Hardware, passwordSet, sms)] },
            new UserSeed("no-mfa") { LoginProfile = new LoginProfileSeed(passwordSet) },
            new UserSeed("hardware-user") { LoginProfile = new LoginProfileSeed(passwordSet), MfaDevices = [new MfaDeviceSeed(MfaDeviceKind.Hardware, passwordSet)] },
        ]);
        var function = await StartFunctionAsync();

        var sweep = await function.InvokeAsync(ConfigEvents.Scheduled(RuleName, Config.IssueResultToken(RuleName), null, Now));

        Assert.True(sweep.Succeeded, sweep.ToString());
        var byName = StoredByName();
        Assert.Equal(["forever-exempt", "hardware-user", "no-mfa", "sms-user"], byName.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Verdict.NotApplicable, byName["forever-exempt"].ComplianceType);
        Assert.StartsWith("Exempt with no end date (tag mfa-exempt-until)", byName["forever-exempt"].Annotation, StringComparison.Ordinal);
        Assert.Equal(Verdict.Compliant, byName["sms-user"].ComplianceType);
        Assert.Contains("serial kind sms-mfa", byName["sms-user"].Annotation, StringComparison.Ordinal);
        Assert.Equal(Verdict.NonCompliant, byName["no-mfa"].ComplianceType);

        var narrow = await function.InvokeAsync(ConfigEvents.Scheduled(RuleName, Config.IssueResultToken(RuleName), """{"AllowedMfaTypes":"hardware,fido"}""", Now));

        Assert.True(narrow.Succeeded, narrow.ToString());
        var sent = LastPut().ToDictionary(e => NamesById()[e.ComplianceResourceId], StringComparer.Ordinal);
        Assert.Equal(Verdict.NonCompliant, sent["sms-user"].ComplianceType);
        Assert.Contains("only unrecognised-kind MFA (serial kind sms-mfa), which this rule does not accept", sent["sms-user"].Annotation, StringComparison.Ordinal);
        Assert.Equal(Verdict.Compliant, sent["hardware-user"].ComplianceType);

        var item = Account.ConfigurationHistory(UserIdOf("forever-exempt"))[^1];
        Assert.Equal("9999-12-31", item.Tags["mfa-exempt-until"]);
        var change = await function.InvokeAsync(ConfigEvents.Change(item, RuleName, Config.IssueResultToken(RuleName), null, Now));

        Assert.True(change.Succeeded, change.ToString());
        var changed = Assert.Single(LastPut());
        Assert.Equal(Verdict.NotApplicable, changed.ComplianceType);
        Assert.StartsWith("Exempt with no end date", changed.Annotation, StringComparison.Ordinal);
    }

    private Dictionary<string, (string ComplianceType, string? Annotation)> StoredByName()
    {
        var names = NamesById();
        return StoredResults().ToDictionary(r => names[r.ResourceId], r => (r.ComplianceType, r.Annotation), StringComparer.Ordinal);
    }

    private IReadOnlyList<AwsDouble.Config.EvaluationInput> LastPut() => Config.Calls()[^1].Evaluations;

    /// <summary>A change notification for an IAM user item with the given id, capture time and exemption tag value (as JSON text).</summary>
    private static string ChangeInvoking(string resourceId, string captureTime, string tagValue = "2026-12-31") =>
        "{\"messageType\":\"ConfigurationItemChangeNotification\",\"notificationCreationTime\":\"2026-11-29T06:00:00.000Z\",\"configurationItem\":{"
        + $"\"resourceType\":\"AWS::IAM::User\",\"resourceId\":\"{resourceId}\",\"resourceName\":\"alice\",\"configurationItemStatus\":\"OK\","
        + $"\"configurationItemCaptureTime\":\"{captureTime}\",\"tags\":{{\"mfa-exempt-until\":\"{tagValue}\"}}}}}}";

    private static string Scheduled() => ConfigEvents.Scheduled("mfa-for-console-users", "RESULT_TOKEN", null, DateTimeOffset.UnixEpoch.AddYears(56));

    private static string WithInvoking(string invokingEvent) => ConfigEvents.WithInvokingEvent("mfa-for-console-users", "RESULT_TOKEN", null, invokingEvent);

    private static string Without(string json, string field)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove(field);
        return node.ToJsonString();
    }

    private static string Replace(string json, string field, JsonNode value)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node[field] = value;
        return node.ToJsonString();
    }
}

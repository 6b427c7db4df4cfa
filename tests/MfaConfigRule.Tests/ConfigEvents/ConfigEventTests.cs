using System.Text.Json.Nodes;
using MfaConfigRule.Compliance;
using MfaConfigRule.ConfigEvents;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.ConfigEvents;

public sealed class ConfigEventTests
{
    // A real ScheduledNotification capture (aws-powertools tests/events/awsConfigRuleScheduled.json, token shortened).
    private const string ScheduledCapture = """
        { "version":"1.0",
          "invokingEvent":"{\"awsAccountId\":\"0123456789012\",\"notificationCreationTime\":\"2023-04-27T13:26:17.741Z\",\"messageType\":\"ScheduledNotification\",\"recordVersion\":\"1.0\"}",
          "ruleParameters":"{\"test\":\"x\"}", "resultToken":"eyJlbmNyeXB0ZWREYXRh",
          "eventLeftScope":false,
          "executionRoleArn":"arn:aws:iam::0123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
          "configRuleArn":"arn:aws:config:us-east-1:0123456789012:config-rule/config-rule-pdmyw1",
          "configRuleName":"rule-ec2-test", "configRuleId":"config-rule-pdmyw1",
          "accountId":"0123456789012", "evaluationMode":"DETECTIVE" }
        """;

    // The IAM user configuration item of AWS's iam_mfa_for_console_access sample, as a change notification delivers it.
    private const string IamUserChangeInvokingEvent = """
        {"configurationItem":{"relatedEvents":[],"relationships":[],
          "configuration":{"path":"/","userName":"config-test-user1","userId":"AIDAIEJCNPAE4EONMASRY",
            "arn":"arn:aws:iam::123456789012:user/config-test-user1","createDate":"2017-03-22T18:29:26.000Z",
            "userPolicyList":[],"groupList":[],
            "attachedManagedPolicies":[{"policyName":"IAMUserChangePassword","policyArn":"arn:aws:iam::aws:policy/IAMUserChangePassword"}]},
          "supplementaryConfiguration":{},"tags":{},
          "configurationItemVersion":"1.2","configurationItemCaptureTime":"2017-07-27T20:07:35.770Z",
          "configurationStateId":1501186055770,"awsAccountId":"123456789012",
          "configurationItemStatus":"OK","resourceType":"AWS::IAM::User",
          "resourceId":"AIDAIEJCNPAE4EONMASRY","resourceName":"config-test-user1",
          "ARN":"arn:aws:iam::123456789012:user/config-test-user1",
          "awsRegion":"global","availabilityZone":"Not Applicable",
          "configurationStateMd5Hash":"4a51983c20f27f28c58011a5547d6cd3",
          "resourceCreationTime":"2017-03-22T18:29:26.000Z"},
         "notificationCreationTime":"2017-12-19T04:52:22.933Z",
         "messageType":"ConfigurationItemChangeNotification","recordVersion":"1.2"}
        """;

    // The AWS documentation's OversizedConfigurationItemChangeNotification example.
    private const string OversizedCapture = """
        { "invokingEvent": "{\"configurationItemSummary\": {\"changeType\": \"UPDATE\",\"configurationItemVersion\": \"1.2\",\"configurationItemCaptureTime\":\"2016-10-06T16:46:16.261Z\",\"configurationStateId\": 0,\"awsAccountId\":\"123456789012\",\"configurationItemStatus\": \"OK\",\"resourceType\": \"AWS::EC2::Instance\",\"resourceId\":\"i-00000000\",\"resourceName\":null,\"ARN\":\"arn:aws:ec2:us-west-2:123456789012:instance/i-00000000\",\"awsRegion\": \"us-west-2\",\"availabilityZone\":\"us-west-2a\",\"configurationStateMd5Hash\":\"8f1ee69b287895a0f8bc5753eca68e96\",\"resourceCreationTime\":\"2016-10-06T16:46:10.489Z\"},\"messageType\":\"OversizedConfigurationItemChangeNotification\"}",
          "ruleParameters": "{\"myParameterKey\":\"myParameterValue\"}", "resultToken": "myResultToken",
          "eventLeftScope": false, "executionRoleArn": "arn:aws:iam::123456789012:role/config-role",
          "configRuleArn": "arn:aws:config:us-east-2:123456789012:config-rule/config-rule-ec2-managed-instance-inventory",
          "configRuleName": "change-triggered-config-rule", "configRuleId": "config-rule-0123456",
          "accountId": "123456789012", "version": "1.0" }
        """;

    private static string WithInvokingEvent(string invokingEvent) => new JsonObject
    {
        ["invokingEvent"] = invokingEvent,
        ["resultToken"] = "myResultToken",
        ["eventLeftScope"] = false,
        ["configRuleName"] = RuleName,
    }.ToJsonString();

    [Fact]
    public void Parse_ScheduledCapture_ReadsTheEnvelopeAndMessage()
    {
        var configEvent = ConfigEvent.Parse(ScheduledCapture);

        Assert.Equal(InvokingEvent.Scheduled, configEvent.Invoking.MessageType);
        Assert.Equal(new DateTimeOffset(2023, 4, 27, 13, 26, 17, 741, TimeSpan.Zero), configEvent.Invoking.NotificationCreationTime);
        Assert.Null(configEvent.Invoking.Item);
        Assert.Equal("""{"test":"x"}""", configEvent.RuleParametersJson);
        Assert.Equal("eyJlbmNyeXB0ZWREYXRh", configEvent.ResultToken);
        Assert.False(configEvent.EventLeftScope);
        Assert.False(configEvent.IsTestMode);
        Assert.Equal("rule-ec2-test", configEvent.ConfigRuleName);
        Assert.Equal("arn:aws:config:us-east-1:0123456789012:config-rule/config-rule-pdmyw1", configEvent.ConfigRuleArn);
        Assert.Equal("arn:aws:iam::0123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", configEvent.ExecutionRoleArn);
        Assert.Equal("0123456789012", configEvent.AccountId);
    }

    [Fact]
    public void Parse_IamUserChangeCapture_ReadsTheItem()
    {
        var configEvent = ConfigEvent.Parse(WithInvokingEvent(IamUserChangeInvokingEvent));

        var item = configEvent.Invoking.Item!;
        Assert.Equal(InvokingEvent.ConfigurationItemChange, configEvent.Invoking.MessageType);
        Assert.Equal("AWS::IAM::User", item.ResourceType);
        Assert.Equal("AIDAIEJCNPAE4EONMASRY", item.ResourceId);
        Assert.Equal("config-test-user1", item.ResourceName);
        Assert.Equal("arn:aws:iam::123456789012:user/config-test-user1", item.Arn);
        Assert.Equal("OK", item.Status);
        Assert.Equal(new DateTimeOffset(2017, 7, 27, 20, 7, 35, 770, TimeSpan.Zero), item.CaptureTime);
        Assert.Empty(item.Tags);
        Assert.Contains("\"userName\":\"config-test-user1\"", item.ConfigurationJson, StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2017, 12, 19, 4, 52, 22, 933, TimeSpan.Zero), configEvent.Invoking.NotificationCreationTime);
    }

    [Fact]
    public void ToUser_IamUserChangeCapture_IsTheUserConfigRecorded()
    {
        var item = ConfigEvent.Parse(WithInvokingEvent(IamUserChangeInvokingEvent)).Invoking.Item!;

        Assert.Equal(
            new IamUser("AIDAIEJCNPAE4EONMASRY", "config-test-user1", "arn:aws:iam::123456789012:user/config-test-user1", "/",
                new DateTimeOffset(2017, 3, 22, 18, 29, 26, TimeSpan.Zero)),
            item.ToUser());
    }

    [Fact]
    public void Parse_OversizedCapture_ReadsTheSummary()
    {
        var configEvent = ConfigEvent.Parse(OversizedCapture);

        var item = configEvent.Invoking.Item!;
        Assert.Equal(InvokingEvent.OversizedConfigurationItemChange, configEvent.Invoking.MessageType);
        Assert.Null(configEvent.Invoking.NotificationCreationTime);
        Assert.Equal("AWS::EC2::Instance", item.ResourceType);
        Assert.Equal("i-00000000", item.ResourceId);
        Assert.Null(item.ResourceName);
        Assert.Null(item.ConfigurationJson);
        Assert.Equal(new DateTimeOffset(2016, 10, 6, 16, 46, 16, 261, TimeSpan.Zero), item.CaptureTime);
        Assert.Equal("myResultToken", configEvent.ResultToken);
    }

    [Fact]
    public void Parse_BuilderEvents_RoundTripTheUser()
    {
        var user = User("alice", "/engineering/");

        var change = ConfigEvent.Parse(ChangeEvent(user, tags: Tags(("team", "payments"))));
        var oversized = ConfigEvent.Parse(OversizedEvent(user));

        Assert.Equal(user, change.Invoking.Item!.ToUser());
        Assert.Equal("payments", change.Invoking.Item!.Tags["team"]);
        Assert.Equal(user.UserId, oversized.Invoking.Item!.ResourceId);
        Assert.Null(change.RuleParametersJson);
    }

    [Fact]
    public void Parse_TestModeToken_IsTestMode()
    {
        Assert.True(ConfigEvent.Parse(ScheduledEvent(resultToken: "TESTMODE")).IsTestMode);
        Assert.False(ConfigEvent.Parse(ScheduledEvent(resultToken: "testmode")).IsTestMode);
    }

    [Fact]
    public void Parse_EventLeftScope_IsRead()
    {
        Assert.True(ConfigEvent.Parse(ChangeEvent(User("alice"), eventLeftScope: true)).EventLeftScope);
    }

    [Fact]
    public void Parse_DeletedUserWithoutConfiguration_HasNoConfiguration()
    {
        var item = ConfigEvent.Parse(ChangeEvent(User("alice"), status: "ResourceDeleted")).Invoking.Item!;

        Assert.Equal("ResourceDeleted", item.Status);
        Assert.Null(item.ConfigurationJson);
    }

    [Fact]
    public void Parse_TagsInMapAndInConfiguration_AreMergedWithTheMapWinning()
    {
        var invoking = JsonNode.Parse(IamUserChangeInvokingEvent)!;
        invoking["configurationItem"]!["tags"] = new JsonObject { ["mfa-exempt-until"] = "2027-01-01", ["count"] = 3 };
        invoking["configurationItem"]!["configuration"]!["tags"] = new JsonArray(
            new JsonObject { ["key"] = "mfa-exempt-until", ["value"] = "1999-01-01" },
            new JsonObject { ["key"] = "team", ["value"] = "payments" },
            new JsonObject { ["key"] = "broken" });

        var item = ConfigEvent.Parse(WithInvokingEvent(invoking.ToJsonString())).Invoking.Item!;

        Assert.Equal(2, item.Tags.Count);
        Assert.Equal("2027-01-01", item.Tags["mfa-exempt-until"]);
        Assert.Equal("payments", item.Tags["team"]);
    }

    [Fact]
    public void ToUser_ConfigurationWithoutPath_TakesThePathFromTheArn()
    {
        var invoking = JsonNode.Parse(IamUserChangeInvokingEvent)!;
        var configuration = invoking["configurationItem"]!["configuration"]!.AsObject();
        configuration.Remove("path");
        configuration["arn"] = "arn:aws:iam::123456789012:user/ops/config-test-user1";

        var user = ConfigEvent.Parse(WithInvokingEvent(invoking.ToJsonString())).Invoking.Item!.ToUser();

        Assert.Equal("/ops/", user.Path);
    }

    [Fact]
    public void ToUser_NoConfiguration_UsesResourceNameAndArn()
    {
        var item = Item(User("alice", "/ops/")) with { ConfigurationJson = null };

        var user = item.ToUser();

        Assert.Equal("alice", user.UserName);
        Assert.Equal("/ops/", user.Path);
        Assert.Null(user.CreateDate);
    }

    [Fact]
    public void ToUser_NoNameAnywhere_Throws()
    {
        var item = Item(User("alice")) with { ConfigurationJson = null, ResourceName = null };

        var error = Assert.Throws<ConfigEventException>(() => item.ToUser());

        Assert.Contains("names no IAM user", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "the Config event is not valid JSON")]
    [InlineData("[]", "the Config event must be a JSON object, got Array")]
    [InlineData("""{"resultToken":"t","configRuleName":"r"}""", "the Config event lacks the string field invokingEvent")]
    [InlineData("""{"invokingEvent":{"messageType":"ScheduledNotification"},"resultToken":"t","configRuleName":"r"}""", "the Config event lacks the string field invokingEvent")]
    [InlineData("""{"invokingEvent":"{\"messageType\":\"ScheduledNotification\"}","configRuleName":"r"}""", "the Config event lacks the string field resultToken")]
    [InlineData("""{"invokingEvent":"{\"messageType\":\"ScheduledNotification\"}","resultToken":"","configRuleName":"r"}""", "the Config event lacks the string field resultToken")]
    [InlineData("""{"invokingEvent":"{\"messageType\":\"ScheduledNotification\"}","resultToken":"t"}""", "the Config event lacks the string field configRuleName")]
    [InlineData("""{"invokingEvent":"{oops","resultToken":"t","configRuleName":"r"}""", "invokingEvent is not valid JSON")]
    [InlineData("""{"invokingEvent":"{}","resultToken":"t","configRuleName":"r"}""", "invokingEvent lacks the string field messageType")]
    [InlineData("""{"invokingEvent":"\"x\"","resultToken":"t","configRuleName":"r"}""", "invokingEvent must be a JSON object, got String")]
    [InlineData("""{"invokingEvent":"{\"messageType\":\"ConfigurationItemChangeNotification\"}","resultToken":"t","configRuleName":"r"}""", "invokingEvent of this message type lacks the object configurationItem")]
    [InlineData("""{"invokingEvent":"{\"messageType\":\"OversizedConfigurationItemChangeNotification\",\"configurationItem\":{}}","resultToken":"t","configRuleName":"r"}""", "invokingEvent of this message type lacks the object configurationItemSummary")]
    [InlineData("""{"invokingEvent":"{\"messageType\":\"ScheduledNotification\",\"notificationCreationTime\":\"soon\"}","resultToken":"t","configRuleName":"r"}""", "notificationCreationTime 'soon' is not a time")]
    public void Parse_BrokenEvent_SaysWhichFieldIsWrong(string json, string message)
    {
        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(json));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("resourceType", "configurationItem lacks the string field resourceType")]
    [InlineData("resourceId", "configurationItem lacks the string field resourceId")]
    [InlineData("configurationItemStatus", "configurationItem lacks the string field configurationItemStatus")]
    [InlineData("configurationItemCaptureTime", "configurationItem lacks the string field configurationItemCaptureTime")]
    public void Parse_ItemWithoutARequiredField_SaysWhich(string field, string message)
    {
        var invoking = JsonNode.Parse(IamUserChangeInvokingEvent)!;
        invoking["configurationItem"]!.AsObject().Remove(field);

        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(WithInvokingEvent(invoking.ToJsonString())));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Parse_ItemCaptureTimeNotATime_SaysSo()
    {
        var invoking = JsonNode.Parse(IamUserChangeInvokingEvent)!;
        invoking["configurationItem"]!["configurationItemCaptureTime"] = "yesterday";

        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(WithInvokingEvent(invoking.ToJsonString())));

        Assert.Equal("configurationItemCaptureTime 'yesterday' is not a time", error.Message);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1969-12-31T23:59:59Z")]
    public void Parse_ItemCaptureTimeBeforeTheEpoch_IsAnErrorNotAnOrderingTimestampOfNothing(string time)
    {
        var invoking = JsonNode.Parse(IamUserChangeInvokingEvent)!;
        invoking["configurationItem"]!["configurationItemCaptureTime"] = time;

        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(WithInvokingEvent(invoking.ToJsonString())));

        Assert.Equal($"configurationItemCaptureTime '{time}' is before 1970, not a time Config writes", error.Message);
    }

    [Fact]
    public void Parse_NotificationCreationTimeYearOne_IsAnError()
    {
        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(ScheduledEvent(notificationCreationTime: DateTimeOffset.MinValue)));

        Assert.StartsWith("notificationCreationTime '0001-01-01T00:00:00.000Z' is before 1970", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OtherMessageType_HasNoItem()
    {
        var configEvent = ConfigEvent.Parse(WithInvokingEvent("""{"messageType":"ConfigurationSnapshotDeliveryCompleted"}"""));

        Assert.Equal("ConfigurationSnapshotDeliveryCompleted", configEvent.Invoking.MessageType);
        Assert.Null(configEvent.Invoking.Item);
    }

    // ruleParameters: Config sends the InputParameters object as a JSON string (research §2.1); any other type is a mistake.

    private static string WithField(string eventJson, string name, JsonNode? value)
    {
        var node = JsonNode.Parse(eventJson)!.AsObject();
        node[name] = value;
        return node.ToJsonString();
    }

    public static TheoryData<string, string> NonStringRuleParameters() => new()
    {
        { """{"AllowedMfaTypes":"fido"}""", "object" },
        { """["AllowedMfaTypes"]""", "array" },
        { "24", "number" },
        { "true", "boolean" },
        { "false", "boolean" },
    };

    [Theory]
    [MemberData(nameof(NonStringRuleParameters))]
    public void Parse_RuleParametersNotAJsonString_IsAnErrorNamingTheFieldAndTheTypeItGot(string value, string type)
    {
        var json = WithField(ScheduledEvent(), "ruleParameters", JsonNode.Parse(value));

        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(json));

        Assert.Equal($"the Config event's ruleParameters must be a JSON string (the InputParameters object written as text), got a JSON {type}", error.Message);
    }

    [Fact]
    public void Parse_RuleParametersNullOrAbsent_AreTheDefaults()
    {
        var nullParameters = ConfigEvent.Parse(WithField(ScheduledEvent(), "ruleParameters", null));
        var absent = ConfigEvent.Parse(ScheduledEvent(ruleParameters: null));

        Assert.Null(nullParameters.RuleParametersJson);
        Assert.Null(absent.RuleParametersJson);
        Assert.Same(RuleParameters.Default, RuleParameters.ParseJson(nullParameters.RuleParametersJson));
    }

    [Fact]
    public void Parse_RuleParametersAsTheStringConfigSends_IsKept()
    {
        Assert.Equal("""{"AllowedMfaTypes":"fido"}""", ConfigEvent.Parse(ScheduledEvent("""{"AllowedMfaTypes":"fido"}""")).RuleParametersJson);
    }

    [Theory]
    [InlineData("\"true\"", "string")]
    [InlineData("1", "number")]
    [InlineData("{}", "object")]
    public void Parse_EventLeftScopeNotABoolean_IsAnError(string value, string type)
    {
        var json = WithField(ScheduledEvent(), "eventLeftScope", JsonNode.Parse(value));

        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(json));

        Assert.Equal($"the Config event's eventLeftScope must be true or false, got a JSON {type}", error.Message);
    }

    [Fact]
    public void Parse_EventLeftScopeNull_IsFalse()
    {
        Assert.False(ConfigEvent.Parse(WithField(ScheduledEvent(), "eventLeftScope", null)).EventLeftScope);
    }

    // resourceId: Config's ComplianceResourceId takes 1 to 768 characters.

    [Fact]
    public void Parse_ResourceIdOverConfigsLimit_IsAnErrorNamingTheFieldAndTheLimit()
    {
        var user = User("alice", id: new string('A', 769));

        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(ChangeEvent(user)));

        Assert.Equal("configurationItem resourceId is 769 characters; Config's limit for a resource id (ComplianceResourceId) is 768", error.Message);
    }

    [Fact]
    public void Parse_OversizedSummaryResourceIdOverConfigsLimit_IsAnError()
    {
        var user = User("alice", id: new string('A', 5000));

        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(OversizedEvent(user)));

        Assert.StartsWith("configurationItemSummary resourceId is 5000 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ResourceIdAtConfigsLimit_IsRead()
    {
        var user = User("alice", id: new string('A', 768));

        Assert.Equal(user.UserId, ConfigEvent.Parse(ChangeEvent(user)).Invoking.Item!.ResourceId);
    }

    [Theory]
    [InlineData("resultToken")]
    [InlineData("configRuleName")]
    public void Parse_RequiredFieldOnlyWhitespace_IsMissing(string field)
    {
        var json = WithField(ScheduledEvent(), field, "   ");

        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(json));

        Assert.Equal($"the Config event lacks the string field {field}", error.Message);
    }

    [Fact]
    public void Parse_ResourceIdOnlyWhitespace_IsMissing()
    {
        var invoking = JsonNode.Parse(IamUserChangeInvokingEvent)!;
        invoking["configurationItem"]!["resourceId"] = " ";

        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(WithInvokingEvent(invoking.ToJsonString())));

        Assert.Equal("configurationItem lacks the string field resourceId", error.Message);
    }

    // Poison values in the item's tags reach the evaluator on the change path.

    [Fact]
    public void Parse_TagsListWithEntriesThatAreNotObjects_SkipsThem()
    {
        var invoking = JsonNode.Parse(IamUserChangeInvokingEvent)!;
        invoking["configurationItem"]!["configuration"]!["tags"] = JsonNode.Parse("""[1, "x", null, [], {"key":"mfa-exempt-until","value":"9999-12-31"}, {"key":5}]""");

        var item = ConfigEvent.Parse(WithInvokingEvent(invoking.ToJsonString())).Invoking.Item!;

        Assert.Equal("9999-12-31", Assert.Single(item.Tags).Value);
    }

    [Theory]
    [InlineData("""{"invokingEvent":"{\"messageType\":\"Sched\\ud800\"}","resultToken":"t","configRuleName":"r"}""", "field messageType is not valid Unicode text")]
    [InlineData("""{"invokingEvent":"{\"messageType\":\"Sched\ud800\"}","resultToken":"t","configRuleName":"r"}""", "field invokingEvent is not valid Unicode text")]
    [InlineData("""{"invokingEvent":"{\"messageType\":\"ScheduledNotification\"}","resultToken":"\udc00","configRuleName":"r"}""", "field resultToken is not valid Unicode text")]
    [InlineData("""{"invokingEvent":"{\"messageType\":\"ScheduledNotification\"}","resultToken":"t","configRuleName":"r","ruleParameters":"\ud800"}""", "field ruleParameters is not valid Unicode text")]
    public void Parse_UnpairedSurrogateEscape_IsAnEventError(string json, string message)
    {
        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(json));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TagWithUnpairedSurrogateEscape_IsAnEventError()
    {
        var item = """{"resourceType":"AWS::IAM::User","resourceId":"AIDA1","configurationItemStatus":"OK","configurationItemCaptureTime":"2026-11-29T12:00:00Z","tags":{"mfa-exempt-until":"\ud800"}}""";
        var invoking = $$"""{"messageType":"ConfigurationItemChangeNotification","configurationItem":{{item}}}""";

        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(WithInvokingEvent(invoking)));

        Assert.StartsWith("field tags.mfa-exempt-until is not valid Unicode text", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TagKeyWithUnpairedSurrogateEscape_IsAnEventError()
    {
        var item = """{"resourceType":"AWS::IAM::User","resourceId":"AIDA1","configurationItemStatus":"OK","configurationItemCaptureTime":"2026-11-29T12:00:00Z","tags":{"\udfff":"x"}}""";
        var invoking = $$"""{"messageType":"ConfigurationItemChangeNotification","configurationItem":{{item}}}""";

        var error = Assert.Throws<ConfigEventException>(() => ConfigEvent.Parse(WithInvokingEvent(invoking)));

        Assert.StartsWith("a tag key is not valid Unicode text", error.Message, StringComparison.Ordinal);
    }
}

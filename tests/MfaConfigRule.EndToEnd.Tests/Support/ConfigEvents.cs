using System.Globalization;
using System.Text.Json.Nodes;
using AwsDouble.Config;

namespace MfaConfigRule.EndToEnd.Tests.Support;

/// <summary>
/// The events AWS Config invokes a custom rule with, shaped as the Config developer guide and the samples show them:
/// <c>invokingEvent</c> and <c>ruleParameters</c> are JSON documents inside strings.
/// </summary>
internal static class ConfigEvents
{
    public const string AccountId = "123456789012";
    public const string TestModeToken = "TESTMODE";

    public static string Scheduled(string ruleName, string resultToken, string? parametersJson, DateTimeOffset notificationTime) =>
        Envelope(ruleName, resultToken, parametersJson, eventLeftScope: false, new JsonObject
        {
            ["awsAccountId"] = AccountId,
            ["notificationCreationTime"] = Time(notificationTime),
            ["messageType"] = "ScheduledNotification",
            ["recordVersion"] = "1.0",
        });

    /// <summary>A configuration item change for the item the double's recorder holds.</summary>
    public static string Change(ConfigurationItemRecord item, string ruleName, string resultToken, string? parametersJson, DateTimeOffset notificationTime, bool eventLeftScope = false)
    {
        var configurationItem = Summary(item);
        configurationItem["configuration"] = item.ConfigurationJson is null ? null : JsonNode.Parse(item.ConfigurationJson);
        configurationItem["tags"] = new JsonObject(item.Tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value)));
        configurationItem["relatedEvents"] = new JsonArray();
        configurationItem["relationships"] = new JsonArray();
        configurationItem["supplementaryConfiguration"] = new JsonObject();
        return Envelope(ruleName, resultToken, parametersJson, eventLeftScope, new JsonObject
        {
            ["configurationItemDiff"] = new JsonObject { ["changedProperties"] = new JsonObject(), ["changeType"] = item.Status == "ResourceDeleted" ? "DELETE" : "UPDATE" },
            ["configurationItem"] = configurationItem,
            ["notificationCreationTime"] = Time(notificationTime),
            ["messageType"] = "ConfigurationItemChangeNotification",
            ["recordVersion"] = "1.3",
        });
    }

    /// <summary>The notification Config sends when the item is too large to inline: a summary, the rule must fetch the item.</summary>
    public static string Oversized(ConfigurationItemRecord item, string ruleName, string resultToken, string? parametersJson, DateTimeOffset notificationTime)
    {
        var summary = Summary(item);
        summary["changeType"] = "UPDATE";
        return Envelope(ruleName, resultToken, parametersJson, eventLeftScope: false, new JsonObject
        {
            ["configurationItemSummary"] = summary,
            ["messageType"] = "OversizedConfigurationItemChangeNotification",
            ["notificationCreationTime"] = Time(notificationTime),
            ["recordVersion"] = "1.0",
        });
    }

    /// <summary>An event with an invokingEvent the caller writes as it likes (wrong ones included).</summary>
    public static string WithInvokingEvent(string ruleName, string resultToken, string? parametersJson, string invokingEventJson)
    {
        var envelope = JsonNode.Parse(Scheduled(ruleName, resultToken, parametersJson, DateTimeOffset.UnixEpoch))!.AsObject();
        envelope["invokingEvent"] = invokingEventJson;
        return envelope.ToJsonString();
    }

    private static JsonObject Summary(ConfigurationItemRecord item) => new()
    {
        ["configurationItemVersion"] = "1.3",
        ["configurationItemCaptureTime"] = Time(item.CaptureTime),
        ["configurationStateId"] = item.ConfigurationStateId,
        ["awsAccountId"] = AccountId,
        ["configurationItemStatus"] = item.Status,
        ["resourceType"] = item.ResourceType,
        ["resourceId"] = item.ResourceId,
        ["resourceName"] = item.ResourceName,
        ["ARN"] = item.Arn,
        ["awsRegion"] = "global",
        ["availabilityZone"] = "Not Applicable",
        ["configurationStateMd5Hash"] = string.Empty,
        ["resourceCreationTime"] = Time(item.ResourceCreationTime),
    };

    private static string Envelope(string ruleName, string resultToken, string? parametersJson, bool eventLeftScope, JsonObject invokingEvent)
    {
        var envelope = new JsonObject
        {
            ["invokingEvent"] = invokingEvent.ToJsonString(),
            ["resultToken"] = resultToken,
            ["eventLeftScope"] = eventLeftScope,
            ["executionRoleArn"] = $"arn:aws:iam::{AccountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
            ["configRuleArn"] = $"arn:aws:config:us-east-1:{AccountId}:config-rule/config-rule-e2e001",
            ["configRuleName"] = ruleName,
            ["configRuleId"] = "config-rule-e2e001",
            ["accountId"] = AccountId,
            ["version"] = "1.0",
            ["evaluationMode"] = "DETECTIVE",
        };
        if (parametersJson is not null) envelope["ruleParameters"] = parametersJson;
        return envelope.ToJsonString();
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

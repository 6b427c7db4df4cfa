using System.Text.Json.Nodes;
using CsCheck;
using MfaConfigRule.Compliance;
using MfaConfigRule.ConfigEvents;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.ConfigEvents;

/// <summary>
/// Whatever JSON arrives as a Config event, reading it (the event, its invoking event, its parameters, the item's user)
/// either succeeds or fails with the error that names the field; never with another exception, which the Lambda would
/// report as an unexplained crash and the CLI as "unexpected".
/// </summary>
public sealed class ConfigEventFuzzTests
{
    private static readonly string[] FieldNames =
    [
        "invokingEvent", "ruleParameters", "resultToken", "eventLeftScope", "executionRoleArn", "configRuleArn", "configRuleName",
        "accountId", "messageType", "notificationCreationTime", "configurationItem", "configurationItemSummary", "resourceType",
        "resourceId", "resourceName", "ARN", "configurationItemStatus", "configurationItemCaptureTime", "configuration", "tags",
        "userName", "arn", "path", "createDate", "key", "value", "mfa-exempt-until", "ExemptUserNames", "GracePeriodHours",
        "AllowedMfaTypes", "ExemptPathPrefixes", "ExemptionTagKey", "NoPasswordResult",
    ];

    private static readonly Gen<string> GenText = Gen.Frequency(
        (6, Gen.OneOf(
            "ScheduledNotification", "ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification",
            "AWS::IAM::User", "OK", "ResourceDeleted", "2026-11-29T12:00:00.000Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
            "9999-12-31", "TESTMODE", "AIDAEXAMPLE", "alice", "/", "arn:aws:iam::123456789012:user/alice", "", " ", "24", "-1", "1e400",
            "virtual,hardware", "NOT_APPLICABLE", "{}", "[]", "null", "{\"GracePeriodHours\":\"24\"}", "\\ud800", "\ud800", "\U0001D400")),
        (1, Gen.String),
        (1, Gen.Char.Array[700, 900].Select(chars => new string(chars))));

    private static readonly Gen<JsonNode?> GenScalar = Gen.Frequency(
        (5, GenText.Select(text => (JsonNode?)JsonValue.Create(text))),
        (1, Gen.Double.Select(d => (JsonNode?)JsonValue.Create(double.IsFinite(d) ? d : 0))),
        (1, Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l))),
        (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        (1, Gen.Const((JsonNode?)null)));

    private static Gen<JsonNode?> GenNode(int depth) => depth == 0
        ? GenScalar
        : Gen.Frequency(
            (4, GenScalar),
            (2, GenObject(depth - 1).Select(o => (JsonNode?)o)),
            (1, GenNode(depth - 1).Array[0, 4].Select(items => (JsonNode?)new JsonArray(items))),
            // A JSON document inside a string, as Config nests invokingEvent, ruleParameters and (from history) configuration.
            (2, GenObject(depth - 1).Select(o => (JsonNode?)JsonValue.Create(o.ToJsonString()))));

    private static Gen<JsonObject> GenObject(int depth) =>
        Gen.Select(Gen.OneOf(Gen.OneOf(FieldNames), GenText), GenNode(depth), (name, value) => (name, value)).Array[0, 10]
            .Select(pairs =>
            {
                var node = new JsonObject();
                foreach (var (name, value) in pairs) node[name] = value;
                return node;
            });

    /// <summary>An event close to a real one with fields replaced by anything: deep enough to reach the item and its tags.</summary>
    private static readonly Gen<string> GenNearEvent = Gen.Select(
        Gen.OneOf(ChangeEvent(User("alice"), tags: Tags(("mfa-exempt-until", "9999-12-31"))), ScheduledEvent("""{"GracePeriodHours":"24"}"""), OversizedEvent(User("bob"))),
        Gen.Select(Gen.OneOf(FieldNames), GenNode(3), (name, value) => (name, value)).Array[1, 4],
        Gen.Bool,
        (json, replacements, inside) =>
        {
            var envelope = JsonNode.Parse(json)!.AsObject();
            var invoking = JsonNode.Parse(envelope["invokingEvent"]!.GetValue<string>())!.AsObject();
            var target = inside
                ? (invoking["configurationItem"] ?? invoking["configurationItemSummary"] ?? invoking).AsObject()
                : envelope;
            foreach (var (name, value) in replacements) target[name] = value?.DeepClone();
            envelope["invokingEvent"] = invoking.ToJsonString();
            return envelope.ToJsonString();
        });

    /// <summary>Text damage: a real event with characters cut, doubled or replaced.</summary>
    private static readonly Gen<string> GenDamagedText = Gen.Select(
        Gen.OneOf(ChangeEvent(User("alice")), ScheduledEvent("""{"ExemptUserNames":"alice"}""")),
        Gen.Select(Gen.Double[0, 1], Gen.Int[0, 2], Gen.Char, (at, how, c) => (at, how, c)).Array[1, 5],
        (json, edits) =>
        {
            var text = json;
            foreach (var (at, how, c) in edits)
            {
                var i = Math.Min(text.Length - 1, (int)(at * text.Length));
                text = how switch
                {
                    0 => text.Remove(i, 1),
                    1 => text.Insert(i, c.ToString()),
                    _ => string.Concat(text.AsSpan(0, i), c.ToString(), text.AsSpan(i + 1)),
                };
                if (text.Length == 0) text = "{";
            }
            return text;
        });

    private static bool ReadsOrNamesTheField(string json)
    {
        try
        {
            var configEvent = ConfigEvent.Parse(json);
            RuleParameters.ParseJson(configEvent.RuleParametersJson);
            if (configEvent.Invoking.Item is { } item)
            {
                var user = item.ToUser();
                Evaluator.Evaluate(PasswordWithoutMfa(user, item.Tags), RuleParameters.Default, Now);
                Evaluation.ForUser(item.ResourceId, ComplianceType.NotApplicable, "x", item.CaptureTime);
            }
            return true;
        }
        catch (ConfigEventException e)
        {
            return e.Message.Length > 0;
        }
        catch (RuleParametersException e)
        {
            return e.Message.Length > 0;
        }
    }

    [Fact]
    public void Parse_AnyJsonObject_ReadsOrNamesTheField()
    {
        GenObject(4).Select(o => o.ToJsonString()).Sample(ReadsOrNamesTheField, iter: 5000);
    }

    [Fact]
    public void Parse_RealEventsWithAnyFieldReplaced_ReadOrNameTheField()
    {
        GenNearEvent.Sample(ReadsOrNamesTheField, iter: 10_000);
    }

    [Fact]
    public void Parse_RealEventsWithDamagedText_ReadOrNameTheField()
    {
        GenDamagedText.Sample(ReadsOrNamesTheField, iter: 10_000);
    }

    [Fact]
    public void Parse_AnyText_ReadsOrNamesTheField()
    {
        Gen.OneOf(Gen.String, GenText).Sample(ReadsOrNamesTheField, iter: 5000);
    }

    [Fact]
    public void ParseRuleParameters_AnyJson_ParsesOrSaysWhatIsWrong()
    {
        Gen.OneOf(GenObject(2).Select(o => o.ToJsonString()), GenText, Gen.String).Sample(json =>
        {
            try
            {
                RuleParameters.ParseJson(json);
                return true;
            }
            catch (RuleParametersException e)
            {
                return e.Message.Length > 0;
            }
        }, iter: 10_000);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using AwsDouble.Protocol;

namespace AwsDouble.Config;

/// <summary>AWS Config's JSON 1.1 operations the project calls (target prefix StarlingDoveService).</summary>
internal sealed class ConfigApi(AwsDoubleState state)
{
    public const string TargetPrefix = "StarlingDoveService";

    private readonly AggregateApi _aggregates = new(state);

    public JsonObject Handle(AwsCall call, JsonRequest request, int failEvaluations)
    {
        if (AggregateApi.Operations.Contains(call.Operation)) return _aggregates.Handle(call, request);
        var account = state.Account(call.Caller.AccountId);
        var config = account.Config(call.Region);
        switch (call.Operation)
        {
            case "PutEvaluations":
                return PutEvaluations(call, request, config, failEvaluations);
            case "GetComplianceDetailsByConfigRule":
            {
                var limit = Limit(request, "Limit", defaultLimit: 10, max: 100);
                var (page, next) = config.ComplianceDetails(request.RequiredString("ConfigRuleName"),
                    request.OptionalStringList("ComplianceTypes"), limit, request.OptionalString("NextToken"));
                return EvaluationResults(page, next);
            }
            case "GetComplianceDetailsByResource":
            {
                if (request.OptionalString("ResourceEvaluationId") is not null)
                    throw JsonErrors.InvalidParameterValue("The double does not keep proactive evaluations; ask by ResourceType and ResourceId.");
                var (page, next) = config.ComplianceByResource(request.RequiredString("ResourceType"), request.RequiredString("ResourceId"),
                    request.OptionalStringList("ComplianceTypes"), request.OptionalString("NextToken"));
                return EvaluationResults(page, next);
            }
            case "GetResourceConfigHistory":
            {
                var order = request.OptionalString("chronologicalOrder") ?? "Reverse";
                if (order is not ("Reverse" or "Forward"))
                    throw JsonErrors.Validation($"1 validation error detected: Value '{order}' at 'chronologicalOrder' failed to satisfy constraint: Member must satisfy enum value set: [Reverse, Forward]");
                var laterTime = request.OptionalTime("laterTime");
                var earlierTime = request.OptionalTime("earlierTime");
                if (laterTime is not null && earlierTime is not null && earlierTime > laterTime)
                    throw new AwsErrorException(400, "InvalidTimeRangeException", "The earlierTime must be before the laterTime.");
                var (page, next) = account.ConfigItems.Query(request.RequiredString("resourceType"), request.RequiredString("resourceId"),
                    laterTime, earlierTime, order == "Forward", Limit(request, "limit", defaultLimit: 10, max: 100), request.OptionalString("nextToken"));
                var response = new JsonObject
                {
                    ["configurationItems"] = new JsonArray(page.Select(i => (JsonNode)ConfigurationItemJson(i, account.AccountId)).ToArray()),
                };
                if (next is not null) response["nextToken"] = next;
                return response;
            }
            case "StartConfigRulesEvaluation":
            {
                var names = request.OptionalStringList("ConfigRuleNames") ?? [];
                var started = config.StartEvaluation(names, call.Now);
                config.RaiseStarted(started);
                return [];
            }
            case "PutConfigRule":
                config.PutRule(request.Node("ConfigRule") as JsonObject
                    ?? throw JsonErrors.Validation("1 validation error detected: Value null at 'configRule' failed to satisfy constraint: Member must not be null"));
                return [];
            case "DescribeConfigRules":
                return new JsonObject
                {
                    ["ConfigRules"] = new JsonArray(config.DescribeRules(request.OptionalStringList("ConfigRuleNames")).Select(r => (JsonNode)r).ToArray()),
                };
            case "ListDiscoveredResources":
            {
                var (page, next) = account.ConfigItems.Discovered(request.RequiredString("resourceType"), request.OptionalStringList("resourceIds"),
                    request.OptionalString("resourceName"), request.OptionalBool("includeDeletedResources") ?? false,
                    Limit(request, "limit", defaultLimit: 100, max: 100), request.OptionalString("nextToken"));
                var response = new JsonObject
                {
                    ["resourceIdentifiers"] = new JsonArray(page.Select(i =>
                    {
                        var identifier = new JsonObject
                        {
                            ["resourceType"] = i.ResourceType,
                            ["resourceId"] = i.ResourceId,
                            ["resourceName"] = i.ResourceName,
                        };
                        if (i.Status == "ResourceDeleted") identifier["resourceDeletionTime"] = JsonBody.Time(i.CaptureTime);
                        return (JsonNode)identifier;
                    }).ToArray()),
                };
                if (next is not null) response["nextToken"] = next;
                return response;
            }
            default:
                throw new AwsErrorException(400, "UnknownOperationException", string.Empty);
        }
    }

    private static JsonObject EvaluationResults(IReadOnlyList<StoredEvaluation> page, string? nextToken)
    {
        var response = new JsonObject { ["EvaluationResults"] = new JsonArray([.. page.Select(r => (JsonNode)EvaluationResult(r))]) };
        if (nextToken is not null) response["NextToken"] = nextToken;
        return response;
    }

    /// <summary>
    /// One stored result as Config's EvaluationResult (GetComplianceDetailsByConfigRule and ByResource); the aggregator's
    /// AggregateEvaluationResult is the same members plus AccountId and AwsRegion.
    /// </summary>
    internal static JsonObject EvaluationResult(StoredEvaluation r)
    {
        var result = new JsonObject
        {
            ["EvaluationResultIdentifier"] = new JsonObject
            {
                ["EvaluationResultQualifier"] = new JsonObject
                {
                    ["ConfigRuleName"] = r.ConfigRuleName,
                    ["ResourceType"] = r.ResourceType,
                    ["ResourceId"] = r.ResourceId,
                    ["EvaluationMode"] = "DETECTIVE",
                },
                ["OrderingTimestamp"] = JsonBody.Time(r.OrderingTimestamp),
            },
            ["ComplianceType"] = r.ComplianceType,
            ["ResultRecordedTime"] = JsonBody.Time(r.ResultRecordedTime),
            ["ConfigRuleInvokedTime"] = JsonBody.Time(r.ConfigRuleInvokedTime),
        };
        // Annotation has a minimum length of 1: Config leaves the member out when it holds none.
        if (r.Annotation is { Length: > 0 } annotation) result["Annotation"] = annotation;
        return result;
    }

    private static JsonObject PutEvaluations(AwsCall call, JsonRequest request, ConfigRegion config, int failEvaluations)
    {
        var token = request.RequiredString("ResultToken");
        var testMode = request.OptionalBool("TestMode") ?? false;
        var evaluations = request.Node("Evaluations") switch
        {
            null => [],
            JsonArray array => array.Select((item, i) => ReadEvaluation(item as JsonObject
                ?? throw JsonErrors.Serialization($"Evaluations[{i}] is not an object"))).ToList(),
            _ => throw JsonErrors.Serialization("Evaluations is not a list"),
        };
        var failed = config.PutEvaluations(evaluations, token, testMode, failEvaluations, call.Now);
        return new JsonObject
        {
            ["FailedEvaluations"] = new JsonArray(failed.Select(e => (JsonNode)new JsonObject
            {
                ["ComplianceResourceType"] = e.ComplianceResourceType,
                ["ComplianceResourceId"] = e.ComplianceResourceId,
                ["ComplianceType"] = e.ComplianceType,
                ["Annotation"] = e.Annotation,
                ["OrderingTimestamp"] = JsonBody.Time(e.OrderingTimestamp),
            }).ToArray()),
        };
    }

    private static EvaluationInput ReadEvaluation(JsonObject item)
    {
        var evaluation = new JsonRequest(item);
        return new EvaluationInput(
            evaluation.RequiredString("ComplianceResourceType"),
            evaluation.RequiredString("ComplianceResourceId"),
            evaluation.RequiredString("ComplianceType"),
            evaluation.OptionalString("Annotation"),
            evaluation.OptionalTime("OrderingTimestamp") ?? throw JsonErrors.Validation(
                "1 validation error detected: Value null at 'evaluations.member.orderingTimestamp' failed to satisfy constraint: Member must not be null"));
    }

    private static int Limit(JsonRequest request, string name, int defaultLimit, int max)
    {
        var limit = request.OptionalInt(name) ?? 0;
        if (limit < 0 || limit > max)
        {
            throw JsonErrors.Validation(string.Create(CultureInfo.InvariantCulture,
                $"1 validation error detected: Value '{limit}' at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must have value less than or equal to {max}"));
        }
        return limit == 0 ? defaultLimit : limit;
    }

    private static JsonObject ConfigurationItemJson(ConfigurationItemRecord item, string accountId)
    {
        var json = new JsonObject
        {
            ["version"] = "1.3",
            ["accountId"] = accountId,
            ["configurationItemCaptureTime"] = JsonBody.Time(item.CaptureTime),
            ["configurationItemStatus"] = item.Status,
            ["configurationStateId"] = item.ConfigurationStateId.ToString(CultureInfo.InvariantCulture),
            ["configurationItemMD5Hash"] = ConfigItemStore.Md5(item.ConfigurationJson),
            ["arn"] = item.Arn,
            ["resourceType"] = item.ResourceType,
            ["resourceId"] = item.ResourceId,
            ["resourceName"] = item.ResourceName,
            ["awsRegion"] = "global",
            ["availabilityZone"] = "Not Applicable",
            ["resourceCreationTime"] = JsonBody.Time(item.ResourceCreationTime),
            ["tags"] = new JsonObject(item.Tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))),
            ["relatedEvents"] = new JsonArray(),
            ["relationships"] = new JsonArray(),
            ["supplementaryConfiguration"] = new JsonObject(),
            ["recordingFrequency"] = "CONTINUOUS",
        };
        if (item.ConfigurationJson is not null) json["configuration"] = item.ConfigurationJson;
        return json;
    }
}

using System.Text.Json.Nodes;
using AwsDouble.Protocol;

namespace AwsDouble.CloudTrail;

/// <summary>CloudTrail LookupEvents (JSON 1.1, target prefix com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101).</summary>
internal sealed class CloudTrailApi(AwsDoubleState state)
{
    public const string TargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";
    public const int MaxResults = 50;

    private static readonly string[] AttributeKeys =
        ["EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"];

    public JsonObject Handle(AwsCall call, JsonRequest request)
    {
        if (call.Operation != "LookupEvents") throw new AwsErrorException(400, "UnknownOperationException", string.Empty);
        var account = state.Account(call.Caller.AccountId);

        string? key = null, value = null;
        if (request.Node("LookupAttributes") is JsonArray attributes)
        {
            if (attributes.Count > 1)
                throw new AwsErrorException(400, "InvalidLookupAttributesException", "You cannot specify more than one lookup attribute.");
            if (attributes.Count == 1)
            {
                var attribute = new JsonRequest(attributes[0] as JsonObject ?? throw JsonErrors.Serialization("LookupAttributes[0] is not an object"));
                key = attribute.RequiredString("AttributeKey");
                value = attribute.RequiredString("AttributeValue");
                if (!AttributeKeys.Contains(key, StringComparer.Ordinal))
                    throw new AwsErrorException(400, "InvalidLookupAttributesException", $"Invalid attribute key: {key}");
            }
        }
        var maxResults = request.OptionalInt("MaxResults") ?? MaxResults;
        if (maxResults is < 1 or > MaxResults)
            throw new AwsErrorException(400, "InvalidMaxResultsException", $"Value {maxResults} for MaxResults is invalid: it must be between 1 and {MaxResults}.");
        var end = request.OptionalTime("EndTime") ?? call.Now;
        var start = request.OptionalTime("StartTime") ?? call.Now.AddDays(-90);
        if (start > end) throw new AwsErrorException(400, "InvalidTimeRangeException", "Start time must be before end time.");

        var (page, next) = account.Events.Lookup(call.Region, new EventLookup(key, value, start, end, maxResults, request.OptionalString("NextToken")));
        var response = new JsonObject
        {
            ["Events"] = new JsonArray(page.Select(e => (JsonNode)new JsonObject
            {
                ["EventId"] = e.EventId,
                ["EventName"] = e.EventName,
                ["ReadOnly"] = e.ReadOnly ? "true" : "false",
                ["AccessKeyId"] = e.AccessKeyId,
                ["EventTime"] = JsonBody.Time(e.EventTime),
                ["EventSource"] = e.EventSource,
                ["Username"] = e.Username,
                ["Resources"] = new JsonArray(e.Resources.Select(r => (JsonNode)new JsonObject
                {
                    ["ResourceType"] = r.ResourceType,
                    ["ResourceName"] = r.ResourceName,
                }).ToArray()),
                ["CloudTrailEvent"] = e.CloudTrailEventJson,
            }).ToArray()),
        };
        if (next is not null) response["NextToken"] = next;
        return response;
    }
}

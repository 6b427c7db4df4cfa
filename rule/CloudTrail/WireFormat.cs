using System.Text.Json.Serialization;
using MfaConfigRule.Aws;

namespace MfaConfigRule.CloudTrail;

// The LookupEvents request and response, named as on the wire. Response members are nullable: the client decides what
// a missing member means instead of the serializer failing.

internal sealed record LookupEventsRequest(IReadOnlyList<LookupAttribute> LookupAttributes, int MaxResults, string? NextToken)
{
    [JsonConverter(typeof(EpochSecondsConverter))]
    public required DateTimeOffset StartTime { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public required DateTimeOffset EndTime { get; init; }
}

internal sealed record LookupAttribute(string AttributeKey, string AttributeValue);

internal sealed record LookupEventsResponse(IReadOnlyList<WireEvent>? Events, string? NextToken);

internal sealed record WireEvent
{
    public string? EventId { get; init; }
    public string? EventName { get; init; }
    public string? EventSource { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? EventTime { get; init; }

    public IReadOnlyList<WireEventResource>? Resources { get; init; }

    /// <summary>The full CloudTrail record, as a JSON document inside a string.</summary>
    public string? CloudTrailEvent { get; init; }
}

internal sealed record WireEventResource(string? ResourceType, string? ResourceName);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LookupEventsRequest))]
[JsonSerializable(typeof(LookupEventsResponse))]
internal sealed partial class CloudTrailJsonContext : JsonSerializerContext;

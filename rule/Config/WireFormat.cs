using System.Text.Json.Serialization;
using MfaConfigRule.Aws;

namespace MfaConfigRule.Config;

// The request and response documents of the Config operations the rule calls, named as on the wire.
// Response members are nullable: the clients decide what a missing member means instead of the serializer failing.

internal sealed record WireEvaluation
{
    public string? ComplianceResourceType { get; init; }
    public string? ComplianceResourceId { get; init; }
    public string? ComplianceType { get; init; }
    public string? Annotation { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? OrderingTimestamp { get; init; }
}

internal sealed record PutEvaluationsRequest(IReadOnlyList<WireEvaluation> Evaluations, string ResultToken, bool TestMode);

internal sealed record PutEvaluationsResponse(IReadOnlyList<WireEvaluation>? FailedEvaluations);

internal sealed record GetComplianceDetailsByConfigRuleRequest(string ConfigRuleName, IReadOnlyList<string>? ComplianceTypes, int Limit, string? NextToken);

internal sealed record GetComplianceDetailsByConfigRuleResponse(IReadOnlyList<WireEvaluationResult>? EvaluationResults, string? NextToken);

internal sealed record WireEvaluationResult(WireEvaluationResultIdentifier? EvaluationResultIdentifier, string? ComplianceType)
{
    /// <summary>When Config invoked the rule for the evaluation that produced this result.</summary>
    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? ConfigRuleInvokedTime { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? ResultRecordedTime { get; init; }

    public string? Annotation { get; init; }
}

/// <summary>GetComplianceDetailsByResource takes no page size; its answer is GetComplianceDetailsByConfigRule's shape.</summary>
internal sealed record GetComplianceDetailsByResourceRequest(string ResourceType, string ResourceId, IReadOnlyList<string> ComplianceTypes, string? NextToken);

internal sealed record WireEvaluationResultIdentifier(WireEvaluationResultQualifier? EvaluationResultQualifier)
{
    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? OrderingTimestamp { get; init; }
}

internal sealed record WireEvaluationResultQualifier(string? ConfigRuleName, string? ResourceType, string? ResourceId);

/// <summary>GetResourceConfigHistory is one of the Config operations whose members are camelCase.</summary>
internal sealed record GetResourceConfigHistoryRequest(
    [property: JsonPropertyName("resourceType")] string ResourceType,
    [property: JsonPropertyName("resourceId")] string ResourceId,
    [property: JsonPropertyName("limit")] int Limit)
{
    [JsonPropertyName("laterTime")]
    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? LaterTime { get; init; }
}

internal sealed record GetResourceConfigHistoryResponse(
    [property: JsonPropertyName("configurationItems")] IReadOnlyList<WireConfigurationItem>? ConfigurationItems);

internal sealed record WireConfigurationItem
{
    [JsonPropertyName("resourceType")] public string? ResourceType { get; init; }
    [JsonPropertyName("resourceId")] public string? ResourceId { get; init; }
    [JsonPropertyName("resourceName")] public string? ResourceName { get; init; }
    [JsonPropertyName("arn")] public string? Arn { get; init; }
    [JsonPropertyName("configurationItemStatus")] public string? ConfigurationItemStatus { get; init; }

    [JsonPropertyName("configurationItemCaptureTime")]
    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? ConfigurationItemCaptureTime { get; init; }

    /// <summary>The resource's configuration as a JSON document inside a string (unlike the invoking event's object).</summary>
    [JsonPropertyName("configuration")] public string? Configuration { get; init; }

    [JsonPropertyName("tags")] public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

internal sealed record StartConfigRulesEvaluationRequest(IReadOnlyList<string> ConfigRuleNames);

/// <summary>The output of operations that return nothing the rule reads.</summary>
internal sealed record EmptyResponse;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PutEvaluationsRequest))]
[JsonSerializable(typeof(PutEvaluationsResponse))]
[JsonSerializable(typeof(GetComplianceDetailsByConfigRuleRequest))]
[JsonSerializable(typeof(GetComplianceDetailsByConfigRuleResponse))]
[JsonSerializable(typeof(GetResourceConfigHistoryRequest))]
[JsonSerializable(typeof(GetResourceConfigHistoryResponse))]
[JsonSerializable(typeof(StartConfigRulesEvaluationRequest))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(GetComplianceDetailsByResourceRequest))]
internal sealed partial class WireJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;
using MfaConfigRule.Aws;

namespace MfaConfigRule.Aggregation;

// The aggregator operations' documents, PascalCase on the wire (unlike ListDiscoveredResources' camelCase).
// Response members are nullable: the client decides what a missing member means.

internal sealed record ComplianceFilters(string? ConfigRuleName, string? AccountId);

internal sealed record DescribeAggregateComplianceRequest(string ConfigurationAggregatorName, ComplianceFilters Filters, int Limit, string? NextToken);

internal sealed record DescribeAggregateComplianceResponse(IReadOnlyList<WireAggregateCompliance>? AggregateComplianceByConfigRules, string? NextToken);

internal sealed record WireAggregateCompliance(string? ConfigRuleName, WireCompliance? Compliance, string? AccountId, string? AwsRegion);

internal sealed record WireCompliance(string? ComplianceType);

internal sealed record GetAggregateDetailsRequest(string ConfigurationAggregatorName, string ConfigRuleName, string AccountId, string AwsRegion, int Limit, string? NextToken);

internal sealed record GetAggregateDetailsResponse(IReadOnlyList<WireAggregateResult>? AggregateEvaluationResults, string? NextToken);

internal sealed record WireAggregateResult(WireResultIdentifier? EvaluationResultIdentifier, string? ComplianceType, string? Annotation, string? AccountId, string? AwsRegion)
{
    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? ResultRecordedTime { get; init; }

    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? ConfigRuleInvokedTime { get; init; }
}

internal sealed record WireResultIdentifier(WireResultQualifier? EvaluationResultQualifier)
{
    [JsonConverter(typeof(EpochSecondsConverter))]
    public DateTimeOffset? OrderingTimestamp { get; init; }
}

internal sealed record WireResultQualifier(string? ConfigRuleName, string? ResourceType, string? ResourceId);

internal sealed record ResourceFilters(string? AccountId);

internal sealed record ListAggregateResourcesRequest(string ConfigurationAggregatorName, string ResourceType, ResourceFilters? Filters, int Limit, string? NextToken);

internal sealed record ListAggregateResourcesResponse(IReadOnlyList<WireAggregateResource>? ResourceIdentifiers, string? NextToken);

internal sealed record WireAggregateResource(string? SourceAccountId, string? SourceRegion, string? ResourceId, string? ResourceType, string? ResourceName);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DescribeAggregateComplianceRequest))]
[JsonSerializable(typeof(DescribeAggregateComplianceResponse))]
[JsonSerializable(typeof(GetAggregateDetailsRequest))]
[JsonSerializable(typeof(GetAggregateDetailsResponse))]
[JsonSerializable(typeof(ListAggregateResourcesRequest))]
[JsonSerializable(typeof(ListAggregateResourcesResponse))]
internal sealed partial class AggregationJsonContext : JsonSerializerContext;

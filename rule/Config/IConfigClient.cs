using MfaConfigRule.Compliance;

namespace MfaConfigRule.Config;

/// <summary>The AWS Config operations the rule calls (JSON 1.1, target prefix StarlingDoveService).</summary>
internal interface IConfigClient
{
    /// <summary>PutEvaluations with at most 100 evaluations; returns the FailedEvaluations the service handed back.</summary>
    Task<IReadOnlyList<Evaluation>> PutEvaluationsAsync(IReadOnlyList<Evaluation> evaluations, string resultToken, bool testMode, CancellationToken cancellationToken);

    /// <summary>GetComplianceDetailsByConfigRule for the given compliance types, every page.</summary>
    Task<IReadOnlyList<EvaluationResultSummary>> GetComplianceDetailsByConfigRuleAsync(string configRuleName, IReadOnlyList<ComplianceType> complianceTypes, CancellationToken cancellationToken);

    /// <summary>GetResourceConfigHistory limit 1 (laterTime when given): the item an oversized notification left out; null when none.</summary>
    Task<ConfigurationItem?> GetLatestConfigurationItemAsync(string resourceType, string resourceId, DateTimeOffset? laterTime, CancellationToken cancellationToken);

    /// <summary>StartConfigRulesEvaluation for the named rules.</summary>
    Task StartConfigRulesEvaluationAsync(IReadOnlyList<string> configRuleNames, CancellationToken cancellationToken);

    /// <summary>
    /// GetComplianceDetailsByResource for one resource, every page: a time the run behind the newest result the rule holds
    /// for it read IAM after (the older of its ConfigRuleInvokedTime and its OrderingTimestamp), null when it holds none.
    /// Works for custom Lambda rules, unlike DescribeConfigRuleEvaluationStatus, which does not report them.
    /// </summary>
    Task<DateTimeOffset?> GetLastEvaluationTimeAsync(string configRuleName, string resourceType, string resourceId, CancellationToken cancellationToken);
}

/// <summary>One result Config holds for the rule (EvaluationResult: qualifier resource type and id, compliance).</summary>
internal sealed record EvaluationResultSummary(string ResourceType, string ResourceId, ComplianceType Compliance, DateTimeOffset? OrderingTimestamp)
{
    /// <summary>The annotation Config holds; null when it holds none (Config does not store an empty one).</summary>
    public string? Annotation { get; init; }

    /// <summary>When Config recorded the result (EvaluationResult.ResultRecordedTime).</summary>
    public DateTimeOffset? ResultRecordedTime { get; init; }
}

/// <summary>
/// A configuration item, in the shape both the invoking event and GetResourceConfigHistory give (the history API's
/// field names are mapped to the event's). <see cref="Configuration"/> is the raw JSON, null for deleted resources.
/// </summary>
internal sealed record ConfigurationItem(
    string ResourceType,
    string ResourceId,
    string? ResourceName,
    string? Arn,
    string Status,
    DateTimeOffset CaptureTime,
    string? ConfigurationJson,
    IReadOnlyDictionary<string, string> Tags);

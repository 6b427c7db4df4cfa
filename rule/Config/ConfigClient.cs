using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Config;

/// <summary><see cref="IConfigClient"/> over the AWS Config JSON 1.1 API (target prefix StarlingDoveService).</summary>
internal sealed class ConfigClient : IConfigClient
{
    public const string TargetPrefix = "StarlingDoveService";
    public const int MaxEvaluationsPerCall = 100;
    public const int MaxRulesPerEvaluationStart = 25;
    public const string ResourceNotDiscovered = "ResourceNotDiscoveredException";

    // The largest page GetComplianceDetailsByConfigRule allows.
    private const int CompliancePageSize = 100;

    // Every type a result can be filtered on, named so the answer does not rest on the service's default filter.
    private static readonly IReadOnlyList<string> ReportedComplianceTypes =
        [ComplianceTypeNames.Compliant, ComplianceTypeNames.NonCompliant, ComplianceTypeNames.NotApplicable];

    private readonly JsonProtocolClient _json;

    public ConfigClient(JsonProtocolClient json)
    {
        ArgumentNullException.ThrowIfNull(json);
        _json = json;
    }

    public async Task<IReadOnlyList<Evaluation>> PutEvaluationsAsync(
        IReadOnlyList<Evaluation> evaluations, string resultToken, bool testMode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        // Config checks only that the token is not null when TestMode is set; otherwise it must be the event's token.
        ArgumentNullException.ThrowIfNull(resultToken);
        if (evaluations.Count > MaxEvaluationsPerCall)
            throw new ArgumentException($"PutEvaluations takes at most {MaxEvaluationsPerCall} evaluations, got {evaluations.Count}", nameof(evaluations));

        var request = new PutEvaluationsRequest(evaluations.Select(ToWire).ToList(), resultToken, testMode);
        var response = await _json.InvokeAsync("PutEvaluations", request,
            WireJsonContext.Default.PutEvaluationsRequest, WireJsonContext.Default.PutEvaluationsResponse, cancellationToken);
        // Hand back the caller's own evaluations where they can be matched, so a retry resends exactly what was meant.
        return (response.FailedEvaluations ?? [])
            .Select(failed => evaluations.FirstOrDefault(e => e.ResourceType == failed.ComplianceResourceType && e.ResourceId == failed.ComplianceResourceId)
                ?? FromWire(failed))
            .ToList();
    }

    public async Task<IReadOnlyList<EvaluationResultSummary>> GetComplianceDetailsByConfigRuleAsync(
        string configRuleName, IReadOnlyList<ComplianceType> complianceTypes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configRuleName);
        ArgumentNullException.ThrowIfNull(complianceTypes);
        const string operation = "GetComplianceDetailsByConfigRule";
        var types = complianceTypes.Count == 0 ? null : complianceTypes.Select(t => t.ToWire()).Distinct().ToList();
        var results = new List<EvaluationResultSummary>();
        string? nextToken = null;
        do
        {
            var request = new GetComplianceDetailsByConfigRuleRequest(configRuleName, types, CompliancePageSize, nextToken);
            var page = await _json.InvokeAsync(operation, request,
                WireJsonContext.Default.GetComplianceDetailsByConfigRuleRequest, WireJsonContext.Default.GetComplianceDetailsByConfigRuleResponse, cancellationToken);
            foreach (var result in page.EvaluationResults ?? [])
            {
                var qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
                if (qualifier?.ResourceType is not { Length: > 0 } resourceType || qualifier.ResourceId is not { Length: > 0 } resourceId)
                    throw _json.MalformedResponse(operation, "an evaluation result lacks its resource type or id");
                // INSUFFICIENT_DATA is not a verdict this rule reports or asked for; nothing to clean up there.
                if (!ComplianceTypeNames.TryParse(result.ComplianceType, out var compliance)) continue;
                results.Add(new EvaluationResultSummary(resourceType, resourceId, compliance, result.EvaluationResultIdentifier?.OrderingTimestamp)
                {
                    Annotation = result.Annotation,
                    ResultRecordedTime = result.ResultRecordedTime,
                });
            }
            nextToken = _json.NextPageToken(operation, nextToken, page.NextToken);
        }
        while (nextToken is not null);
        return results;
    }

    public async Task<ConfigurationItem?> GetLatestConfigurationItemAsync(
        string resourceType, string resourceId, DateTimeOffset? laterTime, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceType);
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceId);
        const string operation = "GetResourceConfigHistory";
        GetResourceConfigHistoryResponse response;
        try
        {
            response = await _json.InvokeAsync(operation, new GetResourceConfigHistoryRequest(resourceType, resourceId, 1) { LaterTime = laterTime },
                WireJsonContext.Default.GetResourceConfigHistoryRequest, WireJsonContext.Default.GetResourceConfigHistoryResponse, cancellationToken);
        }
        catch (AwsServiceException e) when (e.ErrorCode == ResourceNotDiscovered)
        {
            return null;
        }
        if (response.ConfigurationItems is not [var item, ..]) return null;
        // The item's id and capture time become an evaluation's ComplianceResourceId (1 to 768 characters) and its
        // OrderingTimestamp: ones no evaluation can carry are a malformed answer, not an evaluation that fails later.
        var itemResourceId = string.IsNullOrWhiteSpace(item.ResourceId) ? resourceId : item.ResourceId;
        if (itemResourceId.Length > Evaluation.MaxResourceIdLength)
            throw _json.MalformedResponse(operation, $"the configuration item's resourceId is {itemResourceId.Length} characters, over Config's {Evaluation.MaxResourceIdLength}");
        if (item.ConfigurationItemCaptureTime < DateTimeOffset.UnixEpoch)
            throw _json.MalformedResponse(operation, $"the configuration item's configurationItemCaptureTime {item.ConfigurationItemCaptureTime:O} is before 1970");
        return new ConfigurationItem(
            item.ResourceType ?? resourceType,
            itemResourceId,
            item.ResourceName,
            item.Arn,
            item.ConfigurationItemStatus ?? throw _json.MalformedResponse(operation, "the configuration item lacks configurationItemStatus"),
            item.ConfigurationItemCaptureTime ?? throw _json.MalformedResponse(operation, "the configuration item lacks configurationItemCaptureTime"),
            // Deleted resources carry no configuration; some items spell that as the JSON literal null inside the string.
            item.Configuration is { Length: > 0 } configuration && configuration != "null" ? configuration : null,
            item.Tags ?? new Dictionary<string, string>());
    }

    public async Task StartConfigRulesEvaluationAsync(IReadOnlyList<string> configRuleNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configRuleNames);
        if (configRuleNames.Count is 0 or > MaxRulesPerEvaluationStart || configRuleNames.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException($"StartConfigRulesEvaluation takes 1 to {MaxRulesPerEvaluationStart} rule names", nameof(configRuleNames));
        await _json.InvokeAsync("StartConfigRulesEvaluation", new StartConfigRulesEvaluationRequest(configRuleNames),
            WireJsonContext.Default.StartConfigRulesEvaluationRequest, WireJsonContext.Default.EmptyResponse, cancellationToken);
    }

    public async Task<DateTimeOffset?> GetLastEvaluationTimeAsync(string configRuleName, string resourceType, string resourceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configRuleName);
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceType);
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceId);
        const string operation = "GetComplianceDetailsByResource";
        DateTimeOffset? latest = null;
        string? nextToken = null;
        do
        {
            var request = new GetComplianceDetailsByResourceRequest(resourceType, resourceId, ReportedComplianceTypes, nextToken);
            // The answer has GetComplianceDetailsByConfigRule's shape: one result per rule that evaluated the resource.
            var page = await _json.InvokeAsync(operation, request,
                WireJsonContext.Default.GetComplianceDetailsByResourceRequest, WireJsonContext.Default.GetComplianceDetailsByConfigRuleResponse, cancellationToken);
            foreach (var result in page.EvaluationResults ?? [])
            {
                if (result.EvaluationResultIdentifier?.EvaluationResultQualifier?.ConfigRuleName != configRuleName) continue;
                // A result without its invocation time cannot show when it was made, so it proves nothing. AWS does not
                // document whether ConfigRuleInvokedTime is when the rule was invoked or when the result was recorded; the
                // latter would make a run that read IAM before a change look as if it covered it. The result's
                // OrderingTimestamp is the rule's own write (the invoking notification's creation time, which precedes the
                // invocation and its reads), so the older of the two is a time the run's reads came after, under either meaning.
                if (result.ConfigRuleInvokedTime is not { } invoked) continue;
                var covered = result.EvaluationResultIdentifier?.OrderingTimestamp is { } ordering && ordering < invoked ? ordering : invoked;
                if (latest is null || covered > latest) latest = covered;
            }
            nextToken = _json.NextPageToken(operation, nextToken, page.NextToken);
        }
        while (nextToken is not null);
        return latest;
    }

    private static WireEvaluation ToWire(Evaluation evaluation) => new()
    {
        ComplianceResourceType = evaluation.ResourceType,
        ComplianceResourceId = evaluation.ResourceId,
        ComplianceType = evaluation.Compliance.ToWire(),
        Annotation = evaluation.Annotation.Length == 0 ? null : evaluation.Annotation,
        OrderingTimestamp = evaluation.OrderingTimestamp,
    };

    private Evaluation FromWire(WireEvaluation failed)
    {
        try
        {
            if (!ComplianceTypeNames.TryParse(failed.ComplianceType, out var compliance))
                throw new ArgumentException($"compliance type '{failed.ComplianceType}'");
            return new Evaluation(failed.ComplianceResourceType!, failed.ComplianceResourceId!, compliance, failed.Annotation ?? string.Empty,
                failed.OrderingTimestamp ?? default);
        }
        catch (ArgumentException e)
        {
            throw _json.MalformedResponse("PutEvaluations", $"a failed evaluation cannot be read: {e.Message}");
        }
    }
}

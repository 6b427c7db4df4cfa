using MfaConfigRule.Aws;

namespace MfaConfigRule.Aggregation;

/// <summary>
/// <see cref="IAggregatorClient"/> over AWS Config's JSON 1.1 API (target prefix StarlingDoveService), through the
/// project's transport: SigV4, the retry policy (throttling retried with backoff), the call counter. Pages are the
/// largest each operation allows; an answer lacking what the operation promises is an error, never a shorter list.
/// </summary>
internal sealed class AggregatorClient : IAggregatorClient
{
    public const string TargetPrefix = "StarlingDoveService";
    public const string IamUserType = "AWS::IAM::User";
    public const string NoSuchAggregator = "NoSuchConfigurationAggregatorException";

    // The largest pages: DescribeAggregateComplianceByConfigRules 1000, the other two 100.
    private const int SummaryPageSize = 1000;
    private const int PageSize = 100;

    private readonly JsonProtocolClient _json;

    public AggregatorClient(JsonProtocolClient json)
    {
        ArgumentNullException.ThrowIfNull(json);
        _json = json;
    }

    public static AggregatorClient Over(IAwsConnection aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        return new AggregatorClient(new JsonProtocolClient(aws.Transport, AwsService.Config, aws.Endpoints.Resolve(AwsService.Config), TargetPrefix));
    }

    public async Task<IReadOnlyList<RuleSource>> RuleSourcesAsync(string aggregator, string ruleName, CancellationToken cancellationToken)
    {
        const string operation = "DescribeAggregateComplianceByConfigRules";
        var sources = new List<RuleSource>();
        string? nextToken = null;
        do
        {
            var page = await _json.InvokeAsync(operation, new DescribeAggregateComplianceRequest(aggregator, new ComplianceFilters(ruleName, null), SummaryPageSize, nextToken),
                AggregationJsonContext.Default.DescribeAggregateComplianceRequest, AggregationJsonContext.Default.DescribeAggregateComplianceResponse, cancellationToken).ConfigureAwait(false);
            // An empty page with a token is legal ("the results are displayed on the next page"): keep going.
            foreach (var row in page.AggregateComplianceByConfigRules ?? [])
            {
                if (row.ConfigRuleName != ruleName) continue;
                if (row.AccountId is not { Length: > 0 } account || row.AwsRegion is not { Length: > 0 } region)
                    throw _json.MalformedResponse(operation, "a rule's compliance lacks its account or Region");
                sources.Add(new RuleSource(account, region, row.Compliance?.ComplianceType ?? "INSUFFICIENT_DATA"));
            }
            nextToken = _json.NextPageToken(operation, nextToken, page.NextToken);
        }
        while (nextToken is not null);
        return sources;
    }

    public async Task<IReadOnlyList<AggregateResult>> ResultsAsync(string aggregator, string ruleName, RuleSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        const string operation = "GetAggregateComplianceDetailsByConfigRule";
        var results = new List<AggregateResult>();
        string? nextToken = null;
        do
        {
            var page = await _json.InvokeAsync(operation, new GetAggregateDetailsRequest(aggregator, ruleName, source.AccountId, source.Region, PageSize, nextToken),
                AggregationJsonContext.Default.GetAggregateDetailsRequest, AggregationJsonContext.Default.GetAggregateDetailsResponse, cancellationToken).ConfigureAwait(false);
            foreach (var result in page.AggregateEvaluationResults ?? [])
            {
                var qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
                if (qualifier?.ResourceType is not { Length: > 0 } type || qualifier.ResourceId is not { Length: > 0 } id)
                    throw _json.MalformedResponse(operation, "a result lacks its resource type or id");
                if (result.ComplianceType is not { Length: > 0 } compliance)
                    throw _json.MalformedResponse(operation, $"the result for {id} has no ComplianceType");
                // A result of another account than the one asked for would be shown under the wrong account.
                if (result.AccountId is { Length: > 0 } account && account != source.AccountId)
                    throw _json.MalformedResponse(operation, $"asked for account {source.AccountId}, got a result of {account}");
                results.Add(new AggregateResult(source.AccountId, source.Region, type, id, compliance, result.Annotation, result.ResultRecordedTime));
            }
            nextToken = _json.NextPageToken(operation, nextToken, page.NextToken);
        }
        while (nextToken is not null);
        return results;
    }

    public async Task<IReadOnlyList<DiscoveredUser>> UsersAsync(string aggregator, string? accountId, CancellationToken cancellationToken)
    {
        const string operation = "ListAggregateDiscoveredResources";
        var users = new List<DiscoveredUser>();
        string? nextToken = null;
        do
        {
            // No Region filter: where a global type is recorded is not documented.
            var page = await _json.InvokeAsync(operation, new ListAggregateResourcesRequest(aggregator, IamUserType, accountId is null ? null : new ResourceFilters(accountId), PageSize, nextToken),
                AggregationJsonContext.Default.ListAggregateResourcesRequest, AggregationJsonContext.Default.ListAggregateResourcesResponse, cancellationToken).ConfigureAwait(false);
            foreach (var resource in page.ResourceIdentifiers ?? [])
            {
                if (resource.SourceAccountId is not { Length: > 0 } account || resource.ResourceId is not { Length: > 0 } id)
                    throw _json.MalformedResponse(operation, "a resource lacks its SourceAccountId or ResourceId");
                if (accountId is not null && account != accountId)
                    throw _json.MalformedResponse(operation, $"asked for account {accountId}, got a user of {account}");
                users.Add(new DiscoveredUser(account, id, string.IsNullOrEmpty(resource.ResourceName) ? null : resource.ResourceName));
            }
            nextToken = _json.NextPageToken(operation, nextToken, page.NextToken);
        }
        while (nextToken is not null);
        return users;
    }
}

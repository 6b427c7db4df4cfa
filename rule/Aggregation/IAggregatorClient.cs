namespace MfaConfigRule.Aggregation;

/// <summary>
/// What a Config aggregator holds, read in the aggregator's account and Region: the rule's compliance per account and
/// Region, each account's results, and the discovered IAM users. Every list is every page.
/// </summary>
internal interface IAggregatorClient
{
    /// <summary>DescribeAggregateComplianceByConfigRules filtered on the rule: the (account, Region) pairs where it has results.</summary>
    Task<IReadOnlyList<RuleSource>> RuleSourcesAsync(string aggregator, string ruleName, CancellationToken cancellationToken);

    /// <summary>GetAggregateComplianceDetailsByConfigRule for one account and Region, every result type the aggregator carries.</summary>
    Task<IReadOnlyList<AggregateResult>> ResultsAsync(string aggregator, string ruleName, RuleSource source, CancellationToken cancellationToken);

    /// <summary>
    /// ListAggregateDiscoveredResources for AWS::IAM::User: the users of one account, or of every source account when
    /// <paramref name="accountId"/> is null (one sequential listing, 100 a page).
    /// </summary>
    Task<IReadOnlyList<DiscoveredUser>> UsersAsync(string aggregator, string? accountId, CancellationToken cancellationToken);
}

/// <summary>An account and Region where the rule holds results, and the compliance the aggregate summary gives it.</summary>
internal sealed record RuleSource(string AccountId, string Region, string Compliance);

/// <summary>One result the aggregator holds for the rule.</summary>
internal sealed record AggregateResult(string AccountId, string Region, string ResourceType, string ResourceId, string Compliance, string? Annotation, DateTimeOffset? RecordedTime);

/// <summary>An IAM user the aggregator discovered; <see cref="Name"/> null where Config does not know it.</summary>
internal sealed record DiscoveredUser(string AccountId, string ResourceId, string? Name);

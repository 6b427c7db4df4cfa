using MfaConfigRule.Compliance;
using MfaConfigRule.Reporting;

namespace MfaConfigRule.Aggregation;

/// <summary>An account of the Organization as the report names it.</summary>
internal sealed record DirectoryAccount(string Id, string? Name);

/// <summary>How the report is read: which aggregator and rule, which accounts, how old a result may be, how many calls at once.</summary>
internal sealed record AggregateReadOptions(string Aggregator, string RuleName, TimeSpan MaxAge)
{
    /// <summary>16: 1,000 accounts in under 10 s at 30 ms a request, and still right, backing off, under throttling (docs/benchmarks.md).</summary>
    public const int DefaultConcurrency = 16;

    /// <summary>Only these accounts; null: every account the Organization or the aggregator knows.</summary>
    public IReadOnlySet<string>? Accounts { get; init; }

    /// <summary>Accounts read at once (each: its results and its users), within Config's unpublished rate limits.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>
    /// The operator says the aggregator drops NOT_APPLICABLE results: a discovered user without any result is then
    /// presumed NOT_APPLICABLE, unless a NOT_APPLICABLE result comes through after all (which disproves it).
    /// </summary>
    public bool NotApplicableDropped { get; init; }
}

/// <summary>
/// Reads the rule's results across an Organization from a Config aggregator alone: no role in the member accounts, no
/// IAM call. Which accounts: those the Organization lists when <paramref name="directory"/> gives them (the aggregate
/// summary leaves out accounts where the rule has no result, so only a list from elsewhere shows them), else those the
/// aggregator knows (the rule's results and the discovered users). An account's results and users are read in
/// parallel, at most <see cref="AggregateReadOptions.Concurrency"/> accounts at once; an account whose calls fail after
/// the transport's retries is reported unreadable, never compliant.
/// </summary>
internal sealed class AggregateReader(IAggregatorClient client, TimeProvider time)
{
    public async Task<Report> ReadAsync(AggregateReadOptions options, IReadOnlyList<DirectoryAccount>? directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = time.GetUtcNow();
        var sources = (await client.RuleSourcesAsync(options.Aggregator, options.RuleName, cancellationToken).ConfigureAwait(false))
            .GroupBy(s => s.AccountId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.DistinctBy(s => s.Region, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var names = (directory ?? []).ToDictionary(a => a.Id, a => a.Name, StringComparer.Ordinal);

        // Without the Organization's list, the users of accounts where the rule never ran come from one listing.
        IReadOnlyList<DiscoveredUser>? allUsers = null;
        if (directory is null && options.Accounts is null)
            allUsers = await client.UsersAsync(options.Aggregator, null, cancellationToken).ConfigureAwait(false);

        var accountIds = (options.Accounts?.AsEnumerable()
                ?? (directory is not null ? directory.Select(a => a.Id) : allUsers!.Select(u => u.AccountId)).Concat(sources.Keys))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var usersByAccount = allUsers?.GroupBy(u => u.AccountId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (IReadOnlyList<DiscoveredUser>)[.. g], StringComparer.Ordinal);

        var perAccount = new (ReportAccount Account, IReadOnlyList<ReportUser> Users)[accountIds.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, accountIds.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var id = accountIds[index];
                var name = names.GetValueOrDefault(id);
                try
                {
                    var users = usersByAccount is not null
                        ? usersByAccount.GetValueOrDefault(id) ?? []
                        : await client.UsersAsync(options.Aggregator, id, token).ConfigureAwait(false);
                    if (!sources.TryGetValue(id, out var regions))
                    {
                        perAccount[index] = (new ReportAccount(id, name, AccountStatus.NoResults, NoResultsReason), []);
                        return;
                    }
                    var results = new List<AggregateResult>();
                    foreach (var source in regions) results.AddRange(await client.ResultsAsync(options.Aggregator, options.RuleName, source, token).ConfigureAwait(false));
                    perAccount[index] = (new ReportAccount(id, name, AccountStatus.Evaluated), Rows(id, users, results, now, options.MaxAge));
                }
                catch (Aws.AwsServiceException e)
                {
                    perAccount[index] = (new ReportAccount(id, name, AccountStatus.Unreachable, e.Message), []);
                }
            }).ConfigureAwait(false);

        var read = perAccount.SelectMany(a => a.Users).ToList();
        // A NOT_APPLICABLE result anywhere shows the aggregator carries them: then a user without one was not evaluated.
        if (options.NotApplicableDropped && !read.Any(u => u.Verdict == ComplianceType.NotApplicable))
            read = [.. read.Select(u => u.Verdict is null && u.Annotation == NoAggregatedResult ? u with { PresumedNotApplicable = true, Annotation = PresumedNotApplicableReason } : u)];
        var rows = read
            .OrderBy(u => RecordedReportWriter.Rank(u.Verdict))
            .ThenBy(u => u.AccountId, StringComparer.Ordinal)
            .ThenBy(u => u.User, StringComparer.Ordinal)
            .ToList();
        return new Report(now, ReportSource.ConfigAggregator, $"aggregator {options.Aggregator}, rule {options.RuleName}", [.. perAccount.Select(a => a.Account)], rows)
        {
            Aggregator = options.Aggregator,
            RuleName = options.RuleName,
            MaxAge = options.MaxAge,
            AccountNamesKnown = directory is not null,
        };
    }

    /// <summary>Why a discovered user has no verdict: the aggregator holds no result for it.</summary>
    internal const string NoAggregatedResult = "No aggregated result: NOT_APPLICABLE (no console password; the aggregator may not carry it) or not evaluated yet.";

    /// <summary>The same, where the operator said the aggregator drops NOT_APPLICABLE and none came through.</summary>
    internal const string PresumedNotApplicableReason = "No aggregated result: presumed NOT_APPLICABLE (no console password), which this aggregator does not carry (--aggregator-drops-not-applicable). Not known, not counted compliant.";

    /// <summary>Why an account the aggregate summary leaves out has no row of its own users.</summary>
    internal const string NoResultsReason = "The aggregator holds no result of the rule for this account: the rule is not deployed there, has not run, or its results have not reached the aggregator.";

    /// <summary>
    /// One row per user: the result Config holds (where the rule runs in several Regions, the riskiest, then the newest),
    /// else no verdict for a discovered user. A result for a user the aggregator did not discover is shown by its ID.
    /// </summary>
    internal static IReadOnlyList<ReportUser> Rows(string accountId, IReadOnlyList<DiscoveredUser> users,
        IReadOnlyList<AggregateResult> results, DateTimeOffset now, TimeSpan maxAge)
    {
        var userNames = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var user in users) userNames[user.ResourceId] = user.Name ?? userNames.GetValueOrDefault(user.ResourceId);
        var rows = new List<ReportUser>();
        foreach (var group in results.GroupBy(r => r.ResourceId, StringComparer.Ordinal))
        {
            var result = group.OrderBy(r => RecordedReportWriter.Rank(Known(r.Compliance))).ThenByDescending(r => r.RecordedTime).First();
            var verdict = Known(result.Compliance);
            var name = userNames.GetValueOrDefault(group.Key) ?? group.Key;
            rows.Add(new ReportUser(accountId, name, verdict,
                verdict is null ? $"Config holds {result.Compliance} for this user, not a verdict." : result.Annotation ?? string.Empty)
            {
                UserId = group.Key,
                UserIsId = name == group.Key,
                RecordedAt = result.RecordedTime,
                // A result without a recorded time cannot show it is fresh.
                Stale = result.RecordedTime is not { } recorded || now - recorded > maxAge,
                Region = result.Region,
            });
        }
        var evaluated = results.Select(r => r.ResourceId).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, name) in userNames.Where(u => !evaluated.Contains(u.Key)))
        {
            rows.Add(new ReportUser(accountId, name ?? id, null, NoAggregatedResult)
            {
                UserId = id,
                UserIsId = name is null || name == id,
            });
        }
        return rows;
    }

    // INSUFFICIENT_DATA or a value this client does not know is not a verdict.
    private static ComplianceType? Known(string compliance) => compliance switch
    {
        ComplianceTypeNames.Compliant => ComplianceType.Compliant,
        ComplianceTypeNames.NonCompliant => ComplianceType.NonCompliant,
        ComplianceTypeNames.NotApplicable => ComplianceType.NotApplicable,
        _ => null,
    };
}

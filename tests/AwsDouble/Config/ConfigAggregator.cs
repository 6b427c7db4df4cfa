using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using AwsDouble.Protocol;

namespace AwsDouble.Config;

/// <summary>
/// A configuration aggregator registered in one account and Region (the hub): it reads the rule results and the
/// discovered IAM users of its source accounts, either a fixed list or every active account of the Organization, in the
/// Regions named. What it carries is decided here, where AWS's documentation is not sure:
/// <list type="bullet">
/// <item>Results: only COMPLIANT and NON_COMPLIANT, as the API reference says Config supports ("does not support the
/// NOT_APPLICABLE and INSUFFICIENT_DATA values"), unless <see cref="AwsBehaviours.AggregatorNotApplicable"/> says
/// it carries them, so tests can prove a client right under either answer.</item>
/// <item>Rate: unlimited, unless <see cref="AwsBehaviours.AggregatorRate"/> sets one (Config publishes none): then a
/// token bucket per caller account and Region answers ThrottlingException past it.</item>
/// <item>Discovered IAM users: SourceRegion <c>global</c> (as the double's configuration items say awsRegion).</item>
/// <item>A rule an account does not have, or an account or Region outside the aggregator: an empty answer, not an error
/// (the operations list no NoSuchConfigRuleException).</item>
/// </list>
/// </summary>
public sealed class ConfigAggregator
{
    internal ConfigAggregator(string name, string accountId, string region, string id, IReadOnlyList<string>? accountIds, IReadOnlyList<string> regions)
    {
        Name = name;
        AccountId = accountId;
        Region = region;
        Arn = $"arn:aws:config:{region}:{accountId}:config-aggregator/{id}";
        SourceAccountIds = accountIds;
        Regions = regions;
    }

    public string Name { get; }
    public string AccountId { get; }
    public string Region { get; }
    public string Arn { get; }

    /// <summary>The source accounts; null: every active account of the Organization (an organization aggregator).</summary>
    public IReadOnlyList<string>? SourceAccountIds { get; }

    public IReadOnlyList<string> Regions { get; }
}

/// <summary>The aggregator operations of AWS Config (DescribeAggregateComplianceByConfigRules and friends).</summary>
internal sealed partial class AggregateApi(AwsDoubleState state)
{
    public static readonly IReadOnlySet<string> Operations = new HashSet<string>(StringComparer.Ordinal)
    {
        "DescribeAggregateComplianceByConfigRules",
        "GetAggregateComplianceDetailsByConfigRule",
        "ListAggregateDiscoveredResources",
    };

    private static readonly string[] FilterableTypes = ["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA"];

    [GeneratedRegex(@"^[\w\-]{1,256}$")]
    private static partial Regex AggregatorName();

    [GeneratedRegex(@"^\d{12}$")]
    private static partial Regex AccountIdPattern();

    public JsonObject Handle(AwsCall call, JsonRequest request)
    {
        if (state.Behaviours.AggregatorRate is { } rate && !state.AggregateRate.TryTake(call.Caller.AccountId, call.Region, rate))
            throw new AwsErrorException(400, "ThrottlingException", "Rate exceeded");
        var aggregator = Find(call, request);
        return call.Operation switch
        {
            "DescribeAggregateComplianceByConfigRules" => Describe(aggregator, request),
            "GetAggregateComplianceDetailsByConfigRule" => Details(aggregator, request),
            _ => Discovered(aggregator, request),
        };
    }

    private ConfigAggregator Find(AwsCall call, JsonRequest request)
    {
        var name = request.RequiredString("ConfigurationAggregatorName");
        if (!AggregatorName().IsMatch(name))
            throw JsonErrors.Validation($"1 validation error detected: Value '{name}' at 'configurationAggregatorName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\-]+");
        return state.Account(call.Caller.AccountId).FindAggregator(call.Region, name)
            ?? throw new AwsErrorException(400, "NoSuchConfigurationAggregatorException",
                "The configuration aggregator does not exist. Check the configuration aggregator name and try again.");
    }

    private JsonObject Describe(ConfigAggregator aggregator, JsonRequest request)
    {
        var filters = request.Node("Filters") is JsonObject f ? new JsonRequest(f) : null;
        var ruleFilter = filters?.OptionalString("ConfigRuleName");
        var typeFilter = ComplianceType(filters?.OptionalString("ComplianceType"), "filters.complianceType");
        var accountFilter = filters?.OptionalString("AccountId");
        if (accountFilter is not null) RequireAccountId(accountFilter, "filters.accountId");
        var regionFilter = filters?.OptionalString("AwsRegion");
        var limit = Limit(request, 1000);
        var rows = new List<JsonObject>();
        foreach (var (account, region) in Sources(aggregator))
        {
            if (accountFilter is not null && account.AccountId != accountFilter) continue;
            if (regionFilter is not null && region != regionFilter) continue;
            var config = account.Config(region);
            foreach (var rule in config.DescribeRules(null).Select(r => r["ConfigRuleName"]!.GetValue<string>()))
            {
                if (ruleFilter is not null && rule != ruleFilter) continue;
                var results = config.Results(rule).Where(r => Carried(r)).ToList();
                // "Does not display rules that do not have compliance results."
                if (results.Count == 0) continue;
                var nonCompliant = results.Count(r => r.ComplianceType == "NON_COMPLIANT");
                var type = nonCompliant > 0 ? "NON_COMPLIANT" : results.Any(r => r.ComplianceType == "COMPLIANT") ? "COMPLIANT" : "NOT_APPLICABLE";
                if (typeFilter is not null && type != typeFilter) continue;
                rows.Add(new JsonObject
                {
                    ["ConfigRuleName"] = rule,
                    ["Compliance"] = new JsonObject
                    {
                        ["ComplianceType"] = type,
                        ["ComplianceContributorCount"] = new JsonObject { ["CappedCount"] = Math.Min(nonCompliant, 100), ["CapExceeded"] = nonCompliant > 100 },
                    },
                    ["AccountId"] = account.AccountId,
                    ["AwsRegion"] = region,
                });
            }
        }
        var (page, next) = Pages.Take(rows, limit, request.OptionalString("NextToken"), "acr");
        return WithToken(new JsonObject { ["AggregateComplianceByConfigRules"] = new JsonArray([.. page.Select(r => (JsonNode)r.DeepClone())]) }, next);
    }

    private JsonObject Details(ConfigAggregator aggregator, JsonRequest request)
    {
        var rule = request.RequiredString("ConfigRuleName");
        if (rule.Length is 0 or > 128)
            throw JsonErrors.Validation($"1 validation error detected: Value '{rule}' at 'configRuleName' failed to satisfy constraint: Member must have length between 1 and 128");
        var accountId = RequireAccountId(request.RequiredString("AccountId"), "accountId");
        var region = request.RequiredString("AwsRegion");
        if (region.Length is 0 or > 64)
            throw JsonErrors.Validation("1 validation error detected: Value at 'awsRegion' failed to satisfy constraint: Member must have length between 1 and 64");
        var type = ComplianceType(request.OptionalString("ComplianceType"), "complianceType");
        var limit = Limit(request, 100, defaultLimit: 50);
        var source = Sources(aggregator).FirstOrDefault(s => s.Account.AccountId == accountId && s.Region == region);
        IReadOnlyList<StoredEvaluation> results = source.Account is null || source.Account.Config(region).FindRule(rule) is null
            ? []
            : source.Account.Config(region).Results(rule)
                .Where(r => Carried(r) && (type is null || r.ComplianceType == type))
                .OrderBy(r => r.ResourceType, StringComparer.Ordinal).ThenBy(r => r.ResourceId, StringComparer.Ordinal)
                .ToList();
        var (page, next) = Pages.Take(results, limit, request.OptionalString("NextToken"), "acd");
        return WithToken(new JsonObject
        {
            ["AggregateEvaluationResults"] = new JsonArray([.. page.Select(r =>
            {
                var result = ConfigApi.EvaluationResult(r);
                result["AccountId"] = accountId;
                result["AwsRegion"] = region;
                return (JsonNode)result;
            })]),
        }, next);
    }

    private JsonObject Discovered(ConfigAggregator aggregator, JsonRequest request)
    {
        var type = request.RequiredString("ResourceType");
        var filters = request.Node("Filters") is JsonObject f ? new JsonRequest(f) : null;
        var accountFilter = filters?.OptionalString("AccountId");
        if (accountFilter is not null) RequireAccountId(accountFilter, "filters.accountId");
        var idFilter = filters?.OptionalString("ResourceId");
        var nameFilter = filters?.OptionalString("ResourceName");
        var regionFilter = filters?.OptionalString("Region");
        var limit = Limit(request, 100);
        var rows = new List<JsonObject>();
        if (type == ConfigItemStore.IamUserType && (regionFilter is null || regionFilter == "global"))
        {
            // IAM is global: one item per user, whatever Regions the aggregator covers.
            foreach (var account in Sources(aggregator).Select(s => s.Account).Distinct())
            {
                if (accountFilter is not null && account.AccountId != accountFilter) continue;
                var (users, _) = account.ConfigItems.Discovered(type, idFilter is null ? null : [idFilter], nameFilter, includeDeleted: false, int.MaxValue, null);
                rows.AddRange(users.Select(u => new JsonObject
                {
                    ["SourceAccountId"] = account.AccountId,
                    ["SourceRegion"] = "global",
                    ["ResourceId"] = u.ResourceId,
                    ["ResourceType"] = u.ResourceType,
                    ["ResourceName"] = u.ResourceName,
                }));
            }
        }
        var (page, next) = Pages.Take(rows, limit, request.OptionalString("NextToken"), "adr");
        return WithToken(new JsonObject { ["ResourceIdentifiers"] = new JsonArray([.. page.Select(r => (JsonNode)r.DeepClone())]) }, next);
    }

    /// <summary>The aggregator's (account, Region) pairs, accounts in ID order; accounts the double does not hold are skipped.</summary>
    private List<(DoubleAccount Account, string Region)> Sources(ConfigAggregator aggregator)
    {
        var ids = aggregator.SourceAccountIds
            ?? state.Organization?.Members.Where(m => m.State == Organizations.DoubleOrganization.Active).Select(m => m.AccountId).ToList()
            ?? [];
        return [.. ids.Distinct().Order(StringComparer.Ordinal)
            .Select(state.FindAccount).OfType<DoubleAccount>()
            .SelectMany(a => aggregator.Regions.Select(r => (a, r)))];
    }

    private bool Carried(StoredEvaluation result) =>
        result.ComplianceType is "COMPLIANT" or "NON_COMPLIANT"
        || (state.Behaviours.AggregatorNotApplicable == AggregatorNotApplicable.Carried && result.ComplianceType == "NOT_APPLICABLE");

    private static string? ComplianceType(string? value, string member)
    {
        if (value is null || FilterableTypes.Contains(value, StringComparer.Ordinal)) return value;
        throw JsonErrors.Validation($"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [NOT_APPLICABLE, COMPLIANT, NON_COMPLIANT, INSUFFICIENT_DATA]");
    }

    private static string RequireAccountId(string value, string member) =>
        AccountIdPattern().IsMatch(value) ? value
        : throw JsonErrors.Validation($"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{{12}}");

    /// <summary>0 or absent: the operation's default; over the maximum: InvalidLimitException (as moto answers).</summary>
    private static int Limit(JsonRequest request, int max, int? defaultLimit = null)
    {
        var limit = request.OptionalInt("Limit") ?? 0;
        if (limit < 0)
            throw JsonErrors.Validation(string.Create(CultureInfo.InvariantCulture, $"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0"));
        if (limit > max)
            throw new AwsErrorException(400, "InvalidLimitException", string.Create(CultureInfo.InvariantCulture,
                $"Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to {max}"));
        return limit == 0 ? defaultLimit ?? max : limit;
    }

    private static JsonObject WithToken(JsonObject response, string? next)
    {
        if (next is not null) response["NextToken"] = next;
        return response;
    }
}

/// <summary>
/// A token bucket per (account, Region), in real time (the client's backoff waits real time): <c>rate</c> tokens a
/// second, holding at most one second's worth; a call takes one or is refused.
/// </summary>
internal sealed class RateLimiter
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string, string), (double Tokens, long At)> _buckets = [];
    private int _refused;

    public int Refused => Volatile.Read(ref _refused);

    public bool TryTake(string accountId, string region, double rate)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        lock (_gate)
        {
            var (tokens, at) = _buckets.TryGetValue((accountId, region), out var bucket) ? bucket : (rate, now);
            tokens = Math.Min(rate, tokens + rate * System.Diagnostics.Stopwatch.GetElapsedTime(at, now).TotalSeconds);
            var taken = tokens >= 1;
            _buckets[(accountId, region)] = (taken ? tokens - 1 : tokens, now);
            if (!taken) _refused++;
            return taken;
        }
    }
}

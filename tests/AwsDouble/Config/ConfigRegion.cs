using System.Globalization;
using System.Text.Json.Nodes;
using AwsDouble.Protocol;

namespace AwsDouble.Config;

/// <summary>A Config rule as PutConfigRule stored it.</summary>
public sealed record ConfigRuleSnapshot(string ConfigRuleName, string ConfigRuleArn, string ConfigRuleId, string? InputParameters, string SourceOwner, string? SourceIdentifier);

/// <summary>An evaluation as the caller sent it in PutEvaluations.</summary>
public sealed record EvaluationInput(string ComplianceResourceType, string ComplianceResourceId, string ComplianceType, string? Annotation, DateTimeOffset OrderingTimestamp);

/// <summary>
/// The result Config holds for one resource under one rule: recorded when PutEvaluations delivered it, produced by the
/// invocation that was handed the result token it came with.
/// </summary>
public sealed record StoredEvaluation(
    string ConfigRuleName,
    string ResourceType,
    string ResourceId,
    string ComplianceType,
    string? Annotation,
    DateTimeOffset OrderingTimestamp,
    DateTimeOffset ResultRecordedTime,
    DateTimeOffset ConfigRuleInvokedTime);

/// <summary>One PutEvaluations call as it reached the double, kept for tests (TestMode calls included).</summary>
public sealed record PutEvaluationsCall(string? ConfigRuleName, bool TestMode, IReadOnlyList<EvaluationInput> Evaluations, IReadOnlyList<EvaluationInput> Failed, DateTimeOffset At);

/// <summary>
/// A StartConfigRulesEvaluation request the double accepted, and what Config delivers for it under
/// <see cref="AwsBehaviours.OnDemand"/>: the test that handles <see cref="ConfigRegion.EvaluationStarted"/> invokes the
/// rule with a ScheduledNotification, with a change notification per item of <see cref="ReplayedItems"/>, or both.
/// </summary>
public sealed record RuleEvaluationStart(string Region, string ConfigRuleName, DateTimeOffset At)
{
    public OnDemandDelivery Delivery { get; init; } = OnDemandDelivery.ScheduledNotification;

    /// <summary>Each recorded user's last configuration item (old capture times); empty for a ScheduledNotification alone.</summary>
    public IReadOnlyList<ConfigurationItemRecord> ReplayedItems { get; init; } = [];

    public bool DeliversScheduled => Delivery is OnDemandDelivery.ScheduledNotification or OnDemandDelivery.Both;
}

/// <summary>
/// AWS Config in one Region of one account: rules, the result tokens the test API hands out, the results the rule
/// reported, and the once-a-minute limit on StartConfigRulesEvaluation. The double invokes no functions itself: a test
/// plays Config's part by issuing a result token and invoking the rule with it.
/// </summary>
public sealed class ConfigRegion
{
    public const int MaxEvaluationsPerCall = 100;
    public const int MaxAnnotationLength = 256;
    private static readonly string[] ReportableTypes = ["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, RuleRecord> _rules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly List<PutEvaluationsCall> _calls = [];
    private readonly List<RuleEvaluationStart> _starts = [];
    private readonly string _accountId;
    private readonly string _region;
    private readonly TimeProvider _clock;
    private readonly Random _random;
    private readonly Func<AwsBehaviours> _behaviours;
    private readonly Func<IReadOnlyList<ConfigurationItemRecord>> _latestUserItems;

    internal ConfigRegion(string accountId, string region, TimeProvider clock, Random random, Func<AwsBehaviours>? behaviours = null,
        Func<IReadOnlyList<ConfigurationItemRecord>>? latestUserItems = null)
    {
        _accountId = accountId;
        _region = region;
        _clock = clock;
        _random = random;
        _behaviours = behaviours ?? (() => AwsBehaviours.Today);
        _latestUserItems = latestUserItems ?? (() => []);
    }

    /// <summary>Raised after StartConfigRulesEvaluation accepted a request; handlers must not block (start work and return).</summary>
    public event EventHandler<RuleEvaluationStart>? EvaluationStarted;

    public string Region => _region;

    /// <summary>How long an on-demand evaluation stays "in progress" after StartConfigRulesEvaluation.</summary>
    public TimeSpan EvaluationDuration { get; set; } = TimeSpan.Zero;

    /// <summary>Results per GetComplianceDetailsByResource page (the operation takes no limit; AWS does not publish its page size).</summary>
    public int ResourceCompliancePageSize { get; set; } = 100;

    /// <summary>A custom Lambda rule, as a test would create it before handing out result tokens.</summary>
    public ConfigRuleSnapshot PutCustomLambdaRule(string ruleName, string? inputParameters = null, string? lambdaArn = null)
    {
        var rule = new JsonObject
        {
            ["ConfigRuleName"] = ruleName,
            ["Source"] = new JsonObject
            {
                ["Owner"] = "CUSTOM_LAMBDA",
                ["SourceIdentifier"] = lambdaArn ?? $"arn:aws:lambda:{_region}:{_accountId}:function:{ruleName}",
                ["SourceDetails"] = new JsonArray(new JsonObject
                {
                    ["EventSource"] = "aws.config",
                    ["MessageType"] = "ScheduledNotification",
                    ["MaximumExecutionFrequency"] = "TwentyFour_Hours",
                }),
            },
        };
        if (inputParameters is not null) rule["InputParameters"] = inputParameters;
        return PutRule(rule);
    }

    internal ConfigRuleSnapshot PutRule(JsonObject rule)
    {
        var name = rule["ConfigRuleName"]?.GetValue<string>()
            ?? throw JsonErrors.InvalidParameterValue("ConfigRuleName is required.");
        if (name.Length is 0 or > 128) throw JsonErrors.Validation("ConfigRuleName must be 1 to 128 characters.");
        var source = rule["Source"] as JsonObject ?? throw JsonErrors.Validation("1 validation error detected: Value null at 'configRule.source' failed to satisfy constraint: Member must not be null");
        var owner = source["Owner"]?.GetValue<string>();
        if (owner is not ("AWS" or "CUSTOM_LAMBDA" or "CUSTOM_POLICY"))
            throw JsonErrors.Validation($"1 validation error detected: Value '{owner}' at 'configRule.source.owner' failed to satisfy constraint: Member must satisfy enum value set: [CUSTOM_POLICY, AWS, CUSTOM_LAMBDA]");
        if (rule["InputParameters"] is JsonValue parameters && parameters.TryGetValue<string>(out var text))
        {
            try
            {
                if (JsonNode.Parse(text) is not JsonObject) throw JsonErrors.InvalidParameterValue("Invalid json for input parameters");
            }
            catch (System.Text.Json.JsonException)
            {
                throw JsonErrors.InvalidParameterValue("Invalid json for input parameters");
            }
        }
        lock (_gate)
        {
            var stored = (JsonObject)rule.DeepClone();
            if (!_rules.TryGetValue(name, out var record))
            {
                var id = "config-rule-" + NewToken(6).ToLowerInvariant();
                record = new RuleRecord(name, $"arn:aws:config:{_region}:{_accountId}:config-rule/{id}", id);
                _rules[name] = record;
            }
            stored["ConfigRuleArn"] = record.Arn;
            stored["ConfigRuleId"] = record.Id;
            stored["ConfigRuleState"] = "ACTIVE";
            stored["EvaluationModes"] ??= new JsonArray(new JsonObject { ["Mode"] = "DETECTIVE" });
            record.Definition = stored;
            return record.Snapshot();
        }
    }

    internal IReadOnlyList<JsonObject> DescribeRules(IReadOnlyList<string>? names)
    {
        lock (_gate)
        {
            if (names is null || names.Count == 0) return _rules.Values.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => (JsonObject)r.Definition!.DeepClone()).ToList();
            return names.Select(n => (JsonObject)Require(n).Definition!.DeepClone()).ToList();
        }
    }

    public ConfigRuleSnapshot? FindRule(string name)
    {
        lock (_gate) return _rules.TryGetValue(name, out var r) ? r.Snapshot() : null;
    }

    /// <summary>
    /// A result token for the rule, as Config puts in the event it invokes the function with. Issuing one stands for that
    /// invocation: every result reported with the token has the issue time as its ConfigRuleInvokedTime (unless
    /// <see cref="AwsBehaviours.InvokedTime"/> says the recording time). <paramref name="periodic"/>: the token is for a
    /// ScheduledNotification, whose first PutEvaluations drops the results it does not restate when
    /// <see cref="AwsBehaviours.Unrestated"/> is Dropped.
    /// </summary>
    public string IssueResultToken(string ruleName, bool periodic = false)
    {
        lock (_gate)
        {
            Require(ruleName);
            var token = "eyJ" + NewToken(48);
            _tokens[token] = new IssuedToken(ruleName, _clock.GetUtcNow(), periodic);
            return token;
        }
    }

    internal IReadOnlyList<EvaluationInput> PutEvaluations(IReadOnlyList<EvaluationInput> evaluations, string resultToken, bool testMode, int failLast, DateTimeOffset now)
    {
        if (evaluations.Count > MaxEvaluationsPerCall)
        {
            throw JsonErrors.Validation(
                $"1 validation error detected: Value at 'evaluations' failed to satisfy constraint: Member must have length less than or equal to {MaxEvaluationsPerCall}");
        }
        foreach (var evaluation in evaluations) Validate(evaluation);
        var failed = evaluations.Skip(Math.Max(0, evaluations.Count - failLast)).ToList();
        lock (_gate)
        {
            string? ruleName = null;
            if (!testMode)
            {
                var issued = _tokens.GetValueOrDefault(resultToken)
                    ?? throw new AwsErrorException(400, "InvalidResultTokenException", "The resultToken provided is invalid");
                ruleName = issued.RuleName;
                var rule = Require(ruleName);
                var behaviours = _behaviours();
                if (issued.Periodic && !issued.Reported && behaviours.Unrestated == UnrestatedResults.Dropped)
                {
                    // The run's results replace the rule's earlier ones: what it does not restate (in this call or a later
                    // one with the same token) is gone. Results recorded after the run began (another invocation's) stay.
                    foreach (var key in rule.Results.Where(p => p.Value.ResultRecordedTime < issued.IssuedAt).Select(p => p.Key).ToList())
                        rule.Results.Remove(key);
                }
                issued.Reported = true;
                var invokedTime = behaviours.InvokedTime == InvokedTimeMeaning.ResultRecordedTime ? now : issued.IssuedAt;
                foreach (var evaluation in evaluations.Take(evaluations.Count - failed.Count))
                {
                    var key = (evaluation.ComplianceResourceType, evaluation.ComplianceResourceId);
                    // Newest-wins: an evaluation with an older ordering timestamp does not replace the held one (the call
                    // still succeeds). Last-write-wins: every accepted evaluation replaces it.
                    if (behaviours.Ordering == EvaluationOrdering.NewestOrderingTimestampWins
                        && rule.Results.TryGetValue(key, out var existing) && existing.OrderingTimestamp > evaluation.OrderingTimestamp) continue;
                    rule.Results[key] = new StoredEvaluation(ruleName, evaluation.ComplianceResourceType, evaluation.ComplianceResourceId,
                        evaluation.ComplianceType, evaluation.Annotation, evaluation.OrderingTimestamp, now, invokedTime);
                }
            }
            _calls.Add(new PutEvaluationsCall(ruleName ?? _tokens.GetValueOrDefault(resultToken)?.RuleName, testMode, evaluations, failed, now));
        }
        return failed;
    }

    internal (IReadOnlyList<StoredEvaluation> Page, string? NextToken) ComplianceDetails(string ruleName, IReadOnlyList<string>? complianceTypes, int limit, string? nextToken)
    {
        var filter = ComplianceFilter(complianceTypes);
        List<StoredEvaluation> results;
        lock (_gate)
        {
            results = Require(ruleName).Results.Values
                .Where(filter)
                .OrderBy(r => r.ResourceType, StringComparer.Ordinal)
                .ThenBy(r => r.ResourceId, StringComparer.Ordinal)
                .ToList();
        }
        return Pages.Take(results, limit, nextToken, "cd");
    }

    /// <summary>GetComplianceDetailsByResource: the result every rule of this Region holds for one resource.</summary>
    internal (IReadOnlyList<StoredEvaluation> Page, string? NextToken) ComplianceByResource(
        string resourceType, string resourceId, IReadOnlyList<string>? complianceTypes, string? nextToken)
    {
        var filter = ComplianceFilter(complianceTypes);
        List<StoredEvaluation> results;
        lock (_gate)
        {
            results = _rules.Values
                .OrderBy(r => r.Name, StringComparer.Ordinal)
                .Select(r => r.Results.GetValueOrDefault((resourceType, resourceId)))
                .OfType<StoredEvaluation>()
                .Where(filter)
                .ToList();
        }
        return Pages.Take(results, Math.Max(1, ResourceCompliancePageSize), nextToken, "cr");
    }

    private static Func<StoredEvaluation, bool> ComplianceFilter(IReadOnlyList<string>? complianceTypes)
    {
        if (complianceTypes is null || complianceTypes.Count == 0) return _ => true;
        foreach (var type in complianceTypes)
        {
            if (!ReportableTypes.Contains(type, StringComparer.Ordinal))
                throw JsonErrors.InvalidParameterValue($"The ComplianceType {type} is not valid for filtering. Use COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE.");
        }
        return r => complianceTypes.Contains(r.ComplianceType, StringComparer.Ordinal);
    }

    public IReadOnlyList<StoredEvaluation> Results(string ruleName)
    {
        lock (_gate) return Require(ruleName).Results.Values.OrderBy(r => r.ResourceId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Puts results straight into the rule's store, as if earlier runs had reported them (no result token, no
    /// PutEvaluations call counted): how a test builds an Organization's past in one line. A later result for the same
    /// resource replaces an earlier one.
    /// </summary>
    public void SeedResults(string ruleName, IEnumerable<StoredEvaluation> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        lock (_gate)
        {
            var rule = Require(ruleName);
            foreach (var result in results)
            {
                if (result.ConfigRuleName != ruleName) throw new ArgumentException($"a result of rule {result.ConfigRuleName} seeded into {ruleName}", nameof(results));
                rule.Results[(result.ResourceType, result.ResourceId)] = result;
            }
        }
    }

    /// <summary>
    /// Moves every result the rule holds back in time by <paramref name="by"/> (recording, invocation and ordering time), as
    /// if the runs that wrote them had happened that much earlier: how a test lets days pass for Config's store alone,
    /// while the rule's own clock (the real one, in a separate process) stays where it is.
    /// </summary>
    public void AgeResults(string ruleName, TimeSpan by)
    {
        lock (_gate)
        {
            var results = Require(ruleName).Results;
            foreach (var (key, result) in results.ToList())
            {
                results[key] = result with
                {
                    OrderingTimestamp = result.OrderingTimestamp - by,
                    ResultRecordedTime = result.ResultRecordedTime - by,
                    ConfigRuleInvokedTime = result.ConfigRuleInvokedTime - by,
                };
            }
        }
    }

    /// <summary>Evaluations PutEvaluations accepted and stored for the rule (TestMode and FailedEvaluations not counted): what Config bills.</summary>
    public int EvaluationsWritten(string ruleName)
    {
        lock (_gate) return _calls.Where(c => !c.TestMode && c.ConfigRuleName == ruleName).Sum(c => c.Evaluations.Count - c.Failed.Count);
    }

    /// <summary>Every PutEvaluations call, TestMode ones included, in arrival order.</summary>
    public IReadOnlyList<PutEvaluationsCall> Calls()
    {
        lock (_gate) return [.. _calls];
    }

    public IReadOnlyList<RuleEvaluationStart> Starts()
    {
        lock (_gate) return [.. _starts];
    }

    internal IReadOnlyList<RuleEvaluationStart> StartEvaluation(IReadOnlyList<string> ruleNames, DateTimeOffset now)
    {
        if (ruleNames.Count is 0 or > 25)
            throw JsonErrors.Validation("1 validation error detected: Value at 'configRuleNames' failed to satisfy constraint: Member must have length between 1 and 25");
        lock (_gate)
        {
            var rules = ruleNames.Select(Require).ToList();
            foreach (var rule in rules)
            {
                if (rule.LastStart is { } last && (now - last < TimeSpan.FromMinutes(1) || now < last + EvaluationDuration))
                {
                    throw new AwsErrorException(400, "LimitExceededException",
                        $"An evaluation of {rule.Name} is in progress or was started less than a minute ago; StartConfigRulesEvaluation allows one call a minute.");
                }
            }
            var delivery = _behaviours().OnDemand;
            var replayed = delivery == OnDemandDelivery.ScheduledNotification ? [] : _latestUserItems();
            var started = rules.Select(rule =>
            {
                rule.LastStart = now;
                return new RuleEvaluationStart(_region, rule.Name, now) { Delivery = delivery, ReplayedItems = replayed };
            }).ToList();
            _starts.AddRange(started);
            return started;
        }
    }

    internal void RaiseStarted(IEnumerable<RuleEvaluationStart> starts)
    {
        foreach (var start in starts) EvaluationStarted?.Invoke(this, start);
    }

    private static void Validate(EvaluationInput evaluation)
    {
        if (evaluation.ComplianceResourceType.Length is 0 or > 256)
            throw JsonErrors.Validation("1 validation error detected: Value at 'evaluations.member.complianceResourceType' failed to satisfy constraint: Member must have length between 1 and 256");
        if (evaluation.ComplianceResourceId.Length is 0 or > 768)
            throw JsonErrors.Validation("1 validation error detected: Value at 'evaluations.member.complianceResourceId' failed to satisfy constraint: Member must have length between 1 and 768");
        if (evaluation.ComplianceType == "INSUFFICIENT_DATA")
            throw JsonErrors.InvalidParameterValue("The ComplianceType INSUFFICIENT_DATA is not supported for PutEvaluations; use COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE.");
        if (!ReportableTypes.Contains(evaluation.ComplianceType, StringComparer.Ordinal))
        {
            throw JsonErrors.Validation(
                $"1 validation error detected: Value '{evaluation.ComplianceType}' at 'evaluations.member.complianceType' failed to satisfy constraint: Member must satisfy enum value set: [NOT_APPLICABLE, COMPLIANT, NON_COMPLIANT, INSUFFICIENT_DATA]");
        }
        if (evaluation.Annotation is { Length: > MaxAnnotationLength })
        {
            throw JsonErrors.Validation(
                $"1 validation error detected: Value at 'evaluations.member.annotation' failed to satisfy constraint: Member must have length less than or equal to {MaxAnnotationLength}");
        }
    }

    private RuleRecord Require(string name) =>
        _rules.GetValueOrDefault(name) ?? throw new AwsErrorException(400, "NoSuchConfigRuleException",
            $"The ConfigRule '{name}' provided in the request is invalid. Please check the configRule name");

    private string NewToken(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = alphabet[_random.Next(alphabet.Length)];
        return new string(chars);
    }

    private sealed class RuleRecord(string name, string arn, string id)
    {
        public string Name { get; } = name;
        public string Arn { get; } = arn;
        public string Id { get; } = id;
        public JsonObject? Definition { get; set; }
        public DateTimeOffset? LastStart { get; set; }
        public Dictionary<(string Type, string Id), StoredEvaluation> Results { get; } = [];

        public ConfigRuleSnapshot Snapshot()
        {
            var source = Definition?["Source"] as JsonObject;
            return new ConfigRuleSnapshot(Name, Arn, Id, Definition?["InputParameters"]?.GetValue<string>(),
                source?["Owner"]?.GetValue<string>() ?? string.Empty, source?["SourceIdentifier"]?.GetValue<string>());
        }
    }

    private sealed class IssuedToken(string ruleName, DateTimeOffset issuedAt, bool periodic)
    {
        public string RuleName { get; } = ruleName;
        public DateTimeOffset IssuedAt { get; } = issuedAt;
        public bool Periodic { get; } = periodic;

        /// <summary>A PutEvaluations call with this token has been accepted (the run's results have begun to arrive).</summary>
        public bool Reported { get; set; }
    }

    public override string ToString()
    {
        lock (_gate) return string.Create(CultureInfo.InvariantCulture, $"Config {_accountId} {_region}: {_rules.Count} rules");
    }
}

using System.Text.Json;
using Amazon.CDK;
using MfaConfigRule.Contract;
using MfaConfigRule.Infra.Constructs.Organization;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Tests.Operations;

/// <summary>
/// The alarms, their topic, the evaluate function's failure destination and the dashboard, on every variant
/// infra/check-templates.sh synthesizes: each metric is one the rule's log lines write (<see cref="RuleMetrics"/>) or
/// one AWS documents for the service (the table below), and every alarm reaches the encrypted topic.
/// </summary>
public sealed class OperationsTemplateTests
{
    /// <summary>
    /// What AWS emits, by namespace and metric, with the dimension sets it files them under. Sources (research note 19 §4):
    /// AWS/Lambda https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (FunctionName: all versions);
    /// AWS/SQS https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html (QueueName);
    /// AWS/Events https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html (RuleName on the default bus, EventBusName+RuleName on a custom bus).
    /// </summary>
    private static readonly Dictionary<(string Namespace, string Metric), string[][]> AwsDocumented = new()
    {
        [("AWS/Lambda", "Errors")] = [["FunctionName"]],
        [("AWS/Lambda", "Throttles")] = [["FunctionName"]],
        [("AWS/Lambda", "Invocations")] = [["FunctionName"]],
        [("AWS/Lambda", "Duration")] = [["FunctionName"]],
        [("AWS/Lambda", "AsyncEventsDropped")] = [["FunctionName"]],
        [("AWS/Lambda", "AsyncEventsReceived")] = [["FunctionName"]],
        [("AWS/Lambda", "DestinationDeliveryFailures")] = [["FunctionName"]],
        [("AWS/SQS", "ApproximateNumberOfMessagesVisible")] = [["QueueName"]],
        [("AWS/SQS", "ApproximateAgeOfOldestMessage")] = [["QueueName"]],
        [("AWS/Events", "FailedInvocations")] = [["RuleName"], ["EventBusName", "RuleName"]],
        [("AWS/Events", "Invocations")] = [["RuleName"], ["EventBusName", "RuleName"]],
        [("AWS/Events", "DeadLetterInvocations")] = [["RuleName"], ["EventBusName", "RuleName"]],
    };

    /// <summary>The resource type each AWS dimension's value must name (rendered as <c>${LogicalId}</c> or <c>${LogicalId.Attr}</c>).</summary>
    private static readonly Dictionary<string, string> DimensionResource = new(StringComparer.Ordinal)
    {
        ["FunctionName"] = "AWS::Lambda::Function",
        ["QueueName"] = "AWS::SQS::Queue",
        ["RuleName"] = "AWS::Events::Rule",
        ["EventBusName"] = "AWS::Events::EventBus",
    };

    public static TheoryData<string> Variants => TemplateVariants.Names;

    [Theory]
    [MemberData(nameof(Variants))]
    public void AlarmsAndDashboard_EveryVariant_ReadOnlyMetricsTheRuleWritesOrAwsDocuments(string variant)
    {
        var template = OperationsTemplate.Synthesize(variant);
        var metrics = template.AlarmMetrics.Concat(template.DashboardMetrics().Select(d => d.Metric)).ToList();

        Assert.NotEmpty(metrics);
        var wrong = metrics.Select(m => Problem(template, m)).OfType<string>().ToList();
        Assert.True(wrong.Count == 0, string.Join(System.Environment.NewLine, wrong));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Alarms_EveryVariant_CoverEachFailureAndReachTheEncryptedTopic(string variant)
    {
        var template = OperationsTemplate.Synthesize(variant);
        var json = template.Json;
        var topic = Assert.Single(Cfn.Resources(json, "AWS::SNS::Topic"));
        var key = Cfn.Render(topic.Resource.GetProperty("Properties").GetProperty("KmsMasterKeyId"));
        Assert.Equal("AWS::KMS::Key", template.ResourceType(key.Trim('$', '{', '}').Split('.')[0]));
        var keyResource = Cfn.Single(json, "AWS::KMS::Key").GetProperty("Properties");
        Assert.True(keyResource.GetProperty("EnableKeyRotation").GetBoolean());
        // CloudWatch must be able to use the key, or every alarm action fails silently.
        Assert.Contains(Cfn.Statements(keyResource.GetProperty("KeyPolicy")), s =>
            s.GetProperty("Principal").TryGetProperty("Service", out var service) && Cfn.Strings(service).Contains("cloudwatch.amazonaws.com")
            && Cfn.Strings(s.GetProperty("Action")).Contains("kms:GenerateDataKey"));

        var alarms = template.Alarms.ToList();
        var names = alarms.Select(a => Cfn.Render(a.Properties.GetProperty("AlarmName"))).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        foreach (var (id, alarm) in alarms)
        {
            Assert.Equal("${" + topic.LogicalId + "}", Cfn.Render(Assert.Single(alarm.GetProperty("AlarmActions").EnumerateArray())));
            // Only the forwarders' heartbeat alarm breaches on missing data: there, no data is the failure.
            var heartbeat = Cfn.Render(alarm.GetProperty("AlarmName")).EndsWith("-FixForwardersNoHeartbeat", StringComparison.Ordinal);
            Assert.Equal(heartbeat ? "breaching" : "notBreaching", alarm.GetProperty("TreatMissingData").GetString());
            Assert.True(alarm.GetProperty("AlarmDescription").GetString()!.Length > 40, $"{id} does not say what to do");
        }

        var read = template.AlarmMetrics.Select(m => (m.Namespace, m.Name, Dimension: m.Dimensions.Count == 0 ? null : string.Join(',', m.Dimensions.Values))).ToList();
        var evaluate = EvaluateFunction(json);
        foreach (var metric in new[] { "Errors", "Throttles", "AsyncEventsDropped" })
            Assert.Contains(("AWS/Lambda", metric, "${" + evaluate + "}"), read);
        Assert.Contains((RuleMetrics.Namespace, RuleMetrics.UsersWithoutVerdict.Name, null), read);
        // The evaluate function's asynchronous invocations that fail every attempt go to an encrypted queue that is alarmed on.
        var invokeConfig = Cfn.Resources(json, "AWS::Lambda::EventInvokeConfig").Single(c => Cfn.Render(c.Resource.GetProperty("Properties").GetProperty("FunctionName")) == "${" + evaluate + "}");
        var failedQueue = Cfn.Render(invokeConfig.Resource.GetProperty("Properties").GetProperty("DestinationConfig").GetProperty("OnFailure").GetProperty("Destination")).Trim('$', '{', '}').Split('.')[0];
        Assert.Equal("AWS::SQS::Queue", template.ResourceType(failedQueue));
        var queue = json.GetProperty("Resources").GetProperty(failedQueue).GetProperty("Properties");
        Assert.True(queue.GetProperty("SqsManagedSseEnabled").GetBoolean());
        Assert.Equal(1_209_600, queue.GetProperty("MessageRetentionPeriod").GetInt32());
        Assert.Contains(("AWS/SQS", "ApproximateNumberOfMessagesVisible", "${" + failedQueue + ".QueueName}"), read);

        var context = TemplateVariants.All.Single(v => v.Name == variant).Context;
        var organization = context.GetValueOrDefault("mfaRule:deployment") == "organization";
        Assert.Equal(organization, read.Contains((RuleMetrics.Namespace, RuleMetrics.RefusedEvents.Name, null)));
        var lift = context.GetValueOrDefault(RemediationSettings.ActionKey) == "EnforceMfa";
        Assert.Equal(lift, read.Contains((RuleMetrics.Namespace, RuleMetrics.IncompleteLifts.Name, null)));
        if (organization && context.GetValueOrDefault(RuleSettings.ReevaluationKey) != "false")
        {
            // The re-evaluation dead-letter queue, whose messages would otherwise expire unseen (none where re-evaluation is off).
            var deadLetters = Cfn.Resources(json, "AWS::SQS::Queue").Where(q => q.LogicalId.Contains("DeadLetters", StringComparison.Ordinal)).Select(q => q.LogicalId);
            Assert.Contains(read, r => r.Name == "ApproximateNumberOfMessagesVisible" && deadLetters.Any(d => r.Dimension == "${" + d + ".QueueName}"));
            // The members' us-east-1 forwarders, through their hourly heartbeats on the central bus (issue 19 (b)).
            Assert.Contains(("AWS/Events", "Invocations", "${" + Cfn.Resources(json, "AWS::Events::EventBus").Single().LogicalId + "}," + OrganizationReevaluation.HeartbeatRuleName), read);
        }
    }

    /// <summary>
    /// The per-account switch: on, the evaluate function files its head counts under AccountId and the dashboard reads
    /// them by SEARCH; off (the default), nothing in the stack names AccountId, the function is not told to, and the
    /// per-account widget is a Logs Insights table over the evaluate function's own log group reading only members the
    /// evaluate line writes.
    /// </summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void AccountMetrics_EveryVariant_FunctionAndDashboardFileAndReadTheHeadCountsTheSameWay(string variant)
    {
        var template = OperationsTemplate.Synthesize(variant);
        var json = template.Json;
        var evaluate = json.GetProperty("Resources").GetProperty(EvaluateFunction(json)).GetProperty("Properties");
        var variables = evaluate.TryGetProperty("Environment", out var environment) ? environment.GetProperty("Variables") : default;
        var flag = variables.ValueKind == JsonValueKind.Object && variables.TryGetProperty(RuleMetrics.AccountMetricsVariable, out var value) ? value.GetString() : null;
        var perAccount = template.DashboardMetrics().Where(d => d.Metric.Dimensions.ContainsKey(RuleMetrics.AccountDimension)).Select(d => d.Widget).Distinct().ToList();
        // The head counts' widgets (the forwarders' heartbeat table is another log widget, over its own log group).
        var queries = template.DashboardLogQueries().Where(q => q.Widget.StartsWith("NON_COMPLIANT", StringComparison.Ordinal)).ToList();

        if (template.AccountMetrics)
        {
            Assert.Equal("true", flag);
            Assert.Equal(["NON_COMPLIANT users per account", "Users by verdict, all accounts"], perAccount);
            Assert.Empty(queries);
            return;
        }
        Assert.Null(flag);
        Assert.Empty(perAccount);
        Assert.DoesNotContain(RuleMetrics.AccountDimension, template.DashboardBody.GetRawText(), StringComparison.Ordinal);
        var (widget, groups, query) = Assert.Single(queries);
        Assert.Equal(template.DashboardWidgets().First(), widget);
        Assert.Equal("${" + Cfn.Render(evaluate.GetProperty("LoggingConfig").GetProperty("LogGroup")).Trim('$', '{', '}') + "}", Assert.Single(groups));
        // Only members the evaluate line writes: 'account' and the head counts (present, zero included, on a complete sweep only).
        var fields = System.Text.RegularExpressions.Regex.Matches(query, @"(?:ispresent|latest|max)\((?<f>[@A-Za-z]+)\)|\bby (?<f>[A-Za-z]+)\b")
            .Select(m => m.Groups["f"].Value).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["@timestamp", "CompliantUsers", "NonCompliantUsers", "NotApplicableUsers", "account"], fields);
    }

    [Fact]
    public void AccountMetrics_NotTrueOrFalse_StopsSynthNamingTheKey()
    {
        var app = new App(new AppProps { Context = new Dictionary<string, object> { [OperationsSettings.AccountMetricsKey] = "per-account" } });

        var error = Assert.Throws<ArgumentException>(() => MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1"));

        Assert.Contains(OperationsSettings.AccountMetricsKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AlarmEmail_Given_SubscribesItToTheTopic()
    {
        var app = new App(new AppProps { Context = new Dictionary<string, object> { [OperationsSettings.AlarmEmailKey] = "secops@example.com" } });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");
        var json = SynthesizedApp.Json(MfaRuleApp.AddStack(app, settings, SynthesizedApp.StandInCode));

        var subscription = Cfn.Single(json, "AWS::SNS::Subscription").GetProperty("Properties");
        Assert.Equal(("email", "secops@example.com"), (subscription.GetProperty("Protocol").GetString(), subscription.GetProperty("Endpoint").GetString()));
    }

    [Theory]
    [InlineData("secops")]
    [InlineData("a@b.com,c@d.com")]
    [InlineData("two words@example.com")]
    public void AlarmEmail_NotOneAddress_StopsSynthNamingTheKey(string value)
    {
        var app = new App(new AppProps { Context = new Dictionary<string, object> { [OperationsSettings.AlarmEmailKey] = value } });

        var error = Assert.Throws<ArgumentException>(() => MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1"));

        Assert.Contains(OperationsSettings.AlarmEmailKey, error.Message, StringComparison.Ordinal);
        Assert.Contains("e-mail address", error.Message, StringComparison.Ordinal);
    }

    private static string EvaluateFunction(JsonElement template) =>
        Assert.Single(Cfn.Resources(template, "AWS::Lambda::Function"), f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "evaluate").LogicalId;

    /// <summary>Null when the metric is one the rule writes or AWS documents, with the dimensions it is filed under; else what is wrong.</summary>
    private static string? Problem(OperationsTemplate template, MetricReference metric)
    {
        var keys = metric.Dimensions.Keys.Order(StringComparer.Ordinal).ToArray();
        if (metric.Namespace == RuleMetrics.Namespace)
        {
            var written = RuleMetrics.All(template.AccountMetrics).SingleOrDefault(m => m.Name == metric.Name);
            if (written is null) return $"{metric.Where}: the rule writes no metric {metric.Name}";
            if (!written.DimensionSets.Any(set => set.Order(StringComparer.Ordinal).SequenceEqual(keys)))
                return $"{metric.Where}: {metric.Name} is written under [{string.Join("], [", written.DimensionSets.Select(s => string.Join(',', s)))}], not [{string.Join(',', keys)}]";
            return null;
        }
        if (!AwsDocumented.TryGetValue((metric.Namespace, metric.Name), out var sets)) return $"{metric.Where}: {metric.Namespace} {metric.Name} is not in the table of documented AWS metrics";
        if (!sets.Any(set => set.Order(StringComparer.Ordinal).SequenceEqual(keys))) return $"{metric.Where}: {metric.Namespace} {metric.Name} has no dimension set [{string.Join(',', keys)}]";
        foreach (var (key, value) in metric.Dimensions)
        {
            var logicalId = value.StartsWith("${", StringComparison.Ordinal) ? value[2..^1].Split('.')[0]
                // A rule on a custom bus is named by its literal Name (its Ref is "bus|rule").
                : Cfn.Resources(template.Json, DimensionResource[key]).Where(r => r.Resource.GetProperty("Properties").TryGetProperty("Name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() == value)
                    .Select(r => r.LogicalId).SingleOrDefault();
            if (logicalId is null || template.ResourceType(logicalId) != DimensionResource[key])
                return $"{metric.Where}: dimension {key}={value} does not name a {DimensionResource[key]} of the stack";
        }
        return null;
    }
}

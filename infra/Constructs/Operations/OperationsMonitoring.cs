using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SNS.Subscriptions;
using Amazon.CDK.AWS.SQS;
using Constructs;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Infra.Constructs.Operations;

internal interface IOperationsMonitoringProps
{
    /// <summary>Subscribed to <see cref="OperationsMonitoring.Topic"/> by e-mail when set (<c>mfaRule:alarmEmail</c>).</summary>
    string? AlarmEmail { get; }

    /// <summary>The dashboard's name, unique in the account and Region.</summary>
    string DashboardName { get; }
}

internal sealed class OperationsMonitoringProps : IOperationsMonitoringProps
{
    public string? AlarmEmail { get; init; }
    public required string DashboardName { get; init; }
}

/// <summary>
/// Operations of one deployment (single account or the Organization's admin account): the notification topic every
/// alarm (and every other capability's notification) publishes to, the alarms, each named after what a person must do
/// with its description saying how, and the dashboard. The alarms read what AWS emits for the functions and queues
/// (AWS/Lambda, AWS/SQS) and what the rule's own log lines carry as embedded metrics (<see cref="RuleMetrics"/>).
/// </summary>
/// <remarks>
/// Thresholds are set so a healthy deployment never alarms: errors only when an event failed all three of Lambda's
/// attempts (3 in an hour), throttles only when they last three hours, and every metric emitted only on a failure
/// treats missing data as not breaching. The topic is encrypted with a customer managed key because CloudWatch alarms
/// (and EventBridge) cannot publish to a topic under the AWS managed SNS key; its key policy names the two services.
/// </remarks>
internal sealed class OperationsMonitoring : Construct
{
    private readonly List<Alarm> _alarms = [];
    private readonly Dictionary<string, List<IMetric>> _widgets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IWidget> _logWidgets = new(StringComparer.Ordinal);
    private readonly List<string> _widgetOrder = [];

    public OperationsMonitoring(Construct scope, string id, IOperationsMonitoringProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        TopicKey = new Key(this, "TopicKey", new KeyProps
        {
            Description = "Encrypts the MFA Config rule's operations topic (alarms and rollout notifications)",
            EnableKeyRotation = true,
            RemovalPolicy = RemovalPolicy.DESTROY,
            PendingWindow = Duration.Days(7),
            Policy = KeyPolicy(),
        });
        Topic = new Topic(this, "Topic", new TopicProps
        {
            DisplayName = "MFA Config rule operations",
            MasterKey = TopicKey,
            EnforceSSL = true,
        });
        if (props.AlarmEmail is { } email) Topic.AddSubscription(new EmailSubscription(email));

        Dashboard = new Dashboard(this, "Dashboard", new DashboardProps
        {
            DashboardName = props.DashboardName,
            DefaultInterval = Duration.Days(14),
        });
    }

    /// <summary>The notification topic: alarms publish here, and so can other capabilities' EventBridge rules (events.amazonaws.com may use its key).</summary>
    public ITopic Topic { get; }

    public Key TopicKey { get; }
    public Dashboard Dashboard { get; }
    public IReadOnlyList<Alarm> Alarms => _alarms;

    /// <summary>
    /// A function's errors (an event failed all three of Lambda's attempts: 3 in an hour), its throttles lasting three
    /// hours (when it has no reserved concurrency of 1 by design) and its dropped asynchronous events (when invoked so).
    /// </summary>
    public void WatchFunction(string name, IFunction function, bool throttles, bool asynchronous)
    {
        ArgumentNullException.ThrowIfNull(function);
        var title = Title(name);
        AddAlarm($"Read{title}ErrorLogs", function.MetricErrors(Stat(Stats.SUM, Duration.Hours(1))), 3, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, 1,
            $"The {name} function failed 3 or more times in an hour (an event failed all of Lambda's attempts). Read its log group's ERROR lines (level = ERROR): each names the cause.");
        if (throttles)
        {
            AddAlarm($"Raise{title}Concurrency", function.MetricThrottles(Stat(Stats.SUM, Duration.Hours(1))), 0, ComparisonOperator.GREATER_THAN_THRESHOLD, 3,
                $"The {name} function has been throttled for 3 hours. Raise its reserved concurrency or the account's Lambda concurrency quota (aws lambda get-account-settings); throttled events wait up to their maximum age, then are dropped.");
        }
        if (asynchronous)
        {
            AddAlarm($"Replay{title}DroppedEvents", function.Metric("AsyncEventsDropped", Stat(Stats.SUM, Duration.Hours(1))), 0, ComparisonOperator.GREATER_THAN_THRESHOLD, 1,
                $"Lambda dropped asynchronous events of the {name} function (retries exhausted or too old). Read its log group for the failures, fix the cause, and re-run the rule: aws configservice start-config-rules-evaluation --config-rule-names <rule>.");
        }
        Chart("Runs (invocations)", function.MetricInvocations(Stat(Stats.SUM, Duration.Hours(1), $"{name} invocations")));
        Chart("Errors", function.MetricErrors(Stat(Stats.SUM, Duration.Hours(1), $"{name} errors")));
    }

    /// <summary>A queue that should stay empty (a dead-letter queue, a failure destination): alarms on its first visible message.</summary>
    public void WatchQueue(string action, string description, IQueue queue, string label)
    {
        ArgumentNullException.ThrowIfNull(queue);
        AddAlarm(action, queue.MetricApproximateNumberOfMessagesVisible(Stat(Stats.MAXIMUM, Duration.Minutes(5))), 0, ComparisonOperator.GREATER_THAN_THRESHOLD, 1, description);
        Chart("Queues that should stay empty (visible messages)", queue.MetricApproximateNumberOfMessagesVisible(Stat(Stats.MAXIMUM, Duration.Hours(1), label)));
    }

    /// <summary>An alarm on one of the rule's own metrics (no dimension: every account), emitted only when something went wrong.</summary>
    public void WatchRuleMetric(string action, RuleMetric metric, string statistic, string description)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (metric.PerAccount) throw new ArgumentException($"{metric.Name} is filed per account only; an alarm needs its overall metric", nameof(metric));
        AddAlarm(action, RuleMetric(metric, statistic, Duration.Hours(1)), 0, ComparisonOperator.GREATER_THAN_THRESHOLD, 1, description);
    }

    /// <summary>
    /// The widgets every deployment has: the head counts per account, the head counts of all accounts, the runs' duration,
    /// the users left without a verdict. With <paramref name="accountMetrics"/> on, the function files its head counts
    /// per account (three custom metrics each) and both head-count widgets read them by SEARCH; off (the default), the
    /// function files them with no dimension, the per-account widget is a Logs Insights table over the function's log
    /// lines (each complete sweep's line carries <c>account</c> and the counts), and the all-accounts widget sums the
    /// no-dimension counts over the rule's period in an Organization (each account sweeps once a period), or takes the
    /// hour's maximum in one account.
    /// </summary>
    public void ChartVerdicts(IFunction evaluate, ILogGroup evaluateLogs, bool accountMetrics, bool organization, int rulePeriodHours)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        ArgumentNullException.ThrowIfNull(evaluateLogs);
        if (accountMetrics)
        {
            // The function and its dashboard agree on how the head counts are filed: the switch sets both.
            if (evaluate is Function function) function.AddEnvironment(RuleMetrics.AccountMetricsVariable, "true");
            else throw new ArgumentException("the evaluate function must be defined in this app to file its head counts per account", nameof(evaluate));
            Chart("NON_COMPLIANT users per account", Search(RuleMetrics.HeadCounts(perAccount: true)[1], Stats.MAXIMUM, ""));
            var (compliant, nonCompliant, notApplicable) = Three(RuleMetrics.HeadCounts(perAccount: true));
            Chart("Users by verdict, all accounts",
                Sum(nonCompliant, "NON_COMPLIANT"),
                Sum(compliant, "COMPLIANT"),
                Sum(notApplicable, "NOT_APPLICABLE"));
        }
        else
        {
            ChartLogs("NON_COMPLIANT users per account (latest complete sweep, from the evaluate log)", [evaluateLogs.LogGroupName], PerAccountQuery);
            var (compliant, nonCompliant, notApplicable) = Three(RuleMetrics.HeadCounts(perAccount: false));
            var (statistic, period, label) = organization
                ? (Stats.SUM, Duration.Hours(rulePeriodHours), $"sum of the sweeps of each {rulePeriodHours} h: ")
                : (Stats.MAXIMUM, Duration.Hours(1), string.Empty);
            Chart("Users by verdict, all accounts",
                RuleMetric(nonCompliant, statistic, period, label + "NON_COMPLIANT"),
                RuleMetric(compliant, statistic, period, label + "COMPLIANT"),
                RuleMetric(notApplicable, statistic, period, label + "NOT_APPLICABLE"));
        }
        Chart("Sweep duration (ms)",
            RuleMetric(RuleMetrics.SweepDuration, Stats.MAXIMUM, Duration.Hours(1), "sweep duration, longest"),
            evaluate.MetricDuration(Stat(Stats.MAXIMUM, Duration.Hours(1), "evaluate function duration, longest")));
        Chart("Errors", RuleMetric(RuleMetrics.UsersWithoutVerdict, Stats.SUM, Duration.Hours(1), "users left without a verdict"));
        Chart("AWS API calls of evaluate runs", RuleMetric(RuleMetrics.ApiCalls, Stats.SUM, Duration.Hours(1), "API calls"));
    }

    /// <summary>
    /// The per-account table when the head counts have no dimension: the latest complete sweep's counts of each account
    /// (only a complete sweep's line carries the head-count members, zero included), most NON_COMPLIANT first.
    /// </summary>
    public static string[] PerAccountQuery { get; } =
    [
        $"filter ispresent({RuleMetrics.NonCompliantUsers.Name})",
        $"stats latest({RuleMetrics.NonCompliantUsers.Name}) as nonCompliant, latest({RuleMetrics.CompliantUsers.Name}) as compliant, " +
            $"latest({RuleMetrics.NotApplicableUsers.Name}) as notApplicable, max(@timestamp) as lastSweep by account",
        "sort nonCompliant desc",
        "limit 10000",
    ];

    private static (RuleMetric Compliant, RuleMetric NonCompliant, RuleMetric NotApplicable) Three(IReadOnlyList<RuleMetric> headCounts) =>
        headCounts is [var c, var n, var a] ? (c, n, a) : throw new InvalidOperationException("three head counts");

    /// <summary>A CloudWatch Logs Insights table widget over the given log groups, placed in order with the graphs.</summary>
    public void ChartLogs(string title, string[] logGroupNames, string[] queryLines)
    {
        _logWidgets[title] = new LogQueryWidget(new LogQueryWidgetProps
        {
            Title = title,
            LogGroupNames = logGroupNames,
            QueryLines = queryLines,
            View = LogQueryVisualizationType.TABLE,
            Width = 12,
            Height = 6,
        });
        _widgetOrder.Add(title);
    }

    /// <summary>Adds a line to a dashboard widget (created at the first line, in order).</summary>
    public void Chart(string title, params IMetric[] metrics)
    {
        if (!_widgets.TryGetValue(title, out var lines))
        {
            _widgets[title] = lines = [];
            _widgetOrder.Add(title);
        }
        lines.AddRange(metrics);
    }

    /// <summary>One of the rule's overall metrics (no dimension).</summary>
    public static Metric RuleMetric(RuleMetric metric, string statistic, Duration period, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return new Metric(new MetricProps
        {
            Namespace = RuleMetrics.Namespace,
            MetricName = metric.Name,
            Statistic = statistic,
            Period = period,
            Label = label,
        });
    }

    /// <summary>Writes the dashboard: two widgets a row, in the order their first line was charted.</summary>
    public void Render()
    {
        var widgets = _widgetOrder.Select(title => _logWidgets.TryGetValue(title, out var logs) ? logs : new GraphWidget(new GraphWidgetProps
        {
            Title = title,
            Left = [.. _widgets[title]],
            Width = 12,
            Height = 6,
        })).ToList();
        for (var i = 0; i < widgets.Count; i += 2) Dashboard.AddWidgets([.. widgets.Skip(i).Take(2)]);
    }

    /// <summary>
    /// An alarm named <c>&lt;stack&gt;-<paramref name="action"/></c> that publishes to <see cref="Topic"/> when it fires and
    /// clears, missing data not breaching; for other capabilities' metrics (e.g. AWS/Events FailedInvocations of a rule).
    /// </summary>
    /// <param name="missingBreaches">For an alarm on something that must keep arriving (a heartbeat): no data is the failure.</param>
    public Alarm AddAlarm(string action, IMetric metric, double threshold, ComparisonOperator comparison, int periods, string description, bool missingBreaches = false)
    {
        var alarm = new Alarm(this, action, new AlarmProps
        {
            AlarmName = $"{Stack.Of(this).StackName}-{action}",
            AlarmDescription = description,
            Metric = metric,
            Threshold = threshold,
            ComparisonOperator = comparison,
            EvaluationPeriods = periods,
            DatapointsToAlarm = periods,
            // Every metric here is emitted only when there is activity (Lambda, the rule's lines) or a failure, except a
            // heartbeat's, whose absence is the failure.
            TreatMissingData = missingBreaches ? TreatMissingData.BREACHING : TreatMissingData.NOT_BREACHING,
        });
        alarm.AddAlarmAction(new SnsAction(Topic));
        alarm.AddOkAction(new SnsAction(Topic));
        _alarms.Add(alarm);
        return alarm;
    }

    private static MetricOptions Stat(string statistic, Duration period, string? label = null) => new() { Statistic = statistic, Period = period, Label = label };

    private static MathExpression Search(RuleMetric metric, string statistic, string label) => new(new MathExpressionProps
    {
        Expression = $"SEARCH('{{{RuleMetrics.Namespace},{RuleMetrics.AccountDimension}}} MetricName=\"{metric.Name}\"', '{statistic}', 3600)",
        UsingMetrics = new Dictionary<string, IMetric>(),
        Label = label,
        Period = Duration.Hours(1),
    });

    private static MathExpression Sum(RuleMetric metric, string label) => new(new MathExpressionProps
    {
        Expression = $"SUM(SEARCH('{{{RuleMetrics.Namespace},{RuleMetrics.AccountDimension}}} MetricName=\"{metric.Name}\"', '{Stats.MAXIMUM}', 3600))",
        UsingMetrics = new Dictionary<string, IMetric>(),
        Label = label,
        Period = Duration.Hours(1),
    });

    private static string Title(string name) => string.Concat(name.Split(' ', '-').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));

    /// <summary>
    /// The account may administer the key and let its own principals use it through IAM; CloudWatch (alarms) and
    /// EventBridge (rules) of this account may encrypt messages for the topic. No wildcard action.
    /// </summary>
    private static PolicyDocument KeyPolicy()
    {
        var account = new AccountRootPrincipal();
        return new PolicyDocument(new PolicyDocumentProps
        {
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "AccountAdministersTheKey",
                    Principals = [account],
                    Actions =
                    [
                        "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation",
                        "kms:DisableKeyRotation", "kms:EnableKey", "kms:DisableKey", "kms:UpdateKeyDescription", "kms:ListResourceTags",
                        "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
                    ],
                    Resources = ["*"],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "AccountPrincipalsUseTheKeyThroughIam",
                    Principals = [account],
                    Actions = ["kms:Decrypt", "kms:GenerateDataKey"],
                    Resources = ["*"],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "AlarmsAndRulesPublishToTheTopic",
                    Principals = [new ServicePrincipal("cloudwatch.amazonaws.com"), new ServicePrincipal("events.amazonaws.com")],
                    Actions = ["kms:Decrypt", "kms:GenerateDataKey"],
                    Resources = ["*"],
                    Conditions = new Dictionary<string, object>
                    {
                        ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = Aws.ACCOUNT_ID },
                    },
                }),
            ],
        });
    }
}

using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Constructs;
using MfaConfigRule.Contract;
using MfaConfigRule.Infra.Constructs.Operations;
using MfaConfigRule.Infra.Constructs.Reevaluation;
using MfaConfigRule.Infra.Constructs.Remediation;
using MfaConfigRule.Infra.Constructs.Rule;
using MfaConfigRule.Infra.Constructs.SecurityHub;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Stacks;

internal interface IMfaConfigRuleStackProps : IStackProps
{
    Code Code { get; }
    MfaRuleSettings Settings { get; }
}

internal sealed class MfaConfigRuleStackProps : StackProps, IMfaConfigRuleStackProps
{
    public required Code Code { get; init; }
    public required MfaRuleSettings Settings { get; init; }
}

/// <summary>
/// The whole app, in the rule's Region: the Config rule, its functions, the forwarding of IAM events from us-east-1 when the
/// rule is elsewhere, and, when asked for, a recorder.
/// </summary>
internal sealed class MfaConfigRuleStack : Stack
{
    public MfaConfigRuleStack(Construct scope, string id, IMfaConfigRuleStackProps props)
        : base(scope, id, props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var settings = props.Settings;

        if (settings.Rule.CreateRecorder)
            Recorder = new ConfigRecorder(this, "ConfigRecorder");

        Rule = new MfaConfigRuleConstruct(this, "MfaRule", new MfaConfigRuleProps
        {
            Code = props.Code,
            RuleName = settings.Rule.RuleName,
            MaximumExecutionFrequency = settings.Rule.MaximumExecutionFrequency,
            InputParameters = settings.Rule.RuleParameters,
            MemorySize = settings.Functions.EvaluateMemoryMb,
            Timeout = Duration.Seconds(settings.Functions.EvaluateTimeoutSeconds),
            LogRetention = settings.Functions.LogRetention,
            EventMaxAge = Duration.Seconds(settings.Rule.EventMaxAge.TotalSeconds),
        });
        if (Recorder is not null)
        {
            // Config refuses a rule while the Region has no recorder; the rule's first evaluations need the channel.
            Rule.Rule.AddDependency(Recorder.Recorder);
            Rule.Rule.AddDependency(Recorder.DeliveryChannel);
        }

        if (settings.Rule.Reevaluation)
        {
            Reevaluation = new ReevaluationTrigger(this, "Reevaluation", new ReevaluationTriggerProps
            {
                Code = props.Code,
                ConfigRuleName = Rule.RuleName,
                ConfigRuleArn = Rule.RuleArn,
                LogRetention = settings.Functions.LogRetention,
                Timeout = Duration.Seconds(settings.Functions.TriggerTimeoutSeconds),
                EventMaxAge = Duration.Seconds(settings.Rule.EventMaxAge.TotalSeconds),
            });
            // IAM's events reach EventBridge in us-east-1 only: elsewhere they are forwarded from there.
            if (settings.Region != IamUserChangeEvents.EventRegion)
            {
                Forwarder = new IamEventForwarder(this, "IamEventForwarder", new IamEventForwarderProps
                {
                    TargetRegion = settings.Region ?? throw new ArgumentException("the rule's Region must be known to forward IAM events to it"),
                    LogRetention = settings.Functions.LogRetention,
                });
            }
        }

        if (settings.SecurityHub.Direct)
        {
            SecurityHub = new SecurityHubFindings(this, "SecurityHubFindings", new SecurityHubFindingsProps { EvaluateFunction = Rule.EvaluateFunction, FailedSeverity = settings.SecurityHub.FailedSeverity });
            // The rule's first sweep exports findings as soon as the rule exists: the permission must be there by then.
            Rule.Rule.AddDependency((CfnResource)SecurityHub.Policy.Node.DefaultChild!);
        }
        if (settings.Remediation.Mode != RemediationMode.Off)
        {
            Remediation = new RemediationConstruct(this, "Remediation", new RemediationProps
            {
                Code = props.Code,
                ConfigRuleName = Rule.RuleName,
                RuleParameters = settings.Rule.RuleParameters,
                Automatic = settings.Remediation.Automatic,
                Action = settings.Remediation.Action,
                DenyAccessKeys = settings.Remediation.DenyAccessKeys,
                MaximumAutomaticAttempts = settings.Remediation.MaxAttempts,
                RetryAttemptSeconds = settings.Remediation.RetrySeconds,
                LogRetention = settings.Functions.LogRetention,
            });
            // Config refuses a remediation configuration for a rule that does not exist yet.
            Remediation.Configuration.AddDependency(Rule.Rule);
        }

        Operations = Monitor(settings);

        _ = new CfnOutput(this, "ConfigRuleName", new CfnOutputProps
        {
            Value = Rule.RuleName,
            Description = "Config console > Rules; also the title of this rule's Security Hub findings",
        });
        _ = new CfnOutput(this, "EvaluateLogGroup", new CfnOutputProps
        {
            Value = Rule.EvaluateFunction.LogGroup.LogGroupName,
            Description = "CloudWatch Logs of the evaluate function",
        });
    }

    public MfaConfigRuleConstruct Rule { get; }

    /// <summary>The alarms, their topic and the dashboard (docs/operations.md).</summary>
    public OperationsMonitoring Operations { get; }
    public ReevaluationTrigger? Reevaluation { get; }

    private OperationsMonitoring Monitor(MfaRuleSettings settings)
    {
        var operations = new OperationsMonitoring(this, "Operations", new OperationsMonitoringProps
        {
            AlarmEmail = settings.Operations.AlarmEmail,
            DashboardName = $"{StackName}-{settings.Region}",
        });
        operations.ChartVerdicts(Rule.EvaluateFunction.Function, Rule.EvaluateFunction.LogGroup, settings.Operations.AccountMetrics, organization: false, settings.Rule.FrequencyHours);
        operations.WatchFunction("evaluate", Rule.EvaluateFunction.Function, throttles: true, asynchronous: true);
        operations.WatchQueue("ReplayFailedEvaluations",
            "A Config invocation of the evaluate function failed all three attempts or aged out; it is kept in the evaluate function's FailedEvents queue with its error. " +
            "Read the message (aws sqs receive-message), fix the cause named there, re-run the rule (aws configservice start-config-rules-evaluation), then delete the message.",
            Rule.EvaluateFunction.FailedEvents!, "evaluate failed invocations");
        operations.WatchRuleMetric("FixUsersWithoutVerdict", RuleMetrics.UsersWithoutVerdict, Amazon.CDK.AWS.CloudWatch.Stats.MAXIMUM,
            "An evaluate run left IAM users without a verdict (their state could not be read, or PutEvaluations refused it) after the rule's own retries. " +
            "Read the evaluate log's ERROR line: it names each user and the cause; Lambda retries twice, and a user still without a verdict shows no current result in Config.");
        if (Reevaluation is not null)
        {
            // One execution environment by design: its throttled events wait in Lambda's queue (docs/operations.md).
            operations.WatchFunction("trigger", Reevaluation.TriggerFunction.Function, throttles: false, asynchronous: true);
            operations.Chart("Re-evaluations started", OperationsMonitoring.RuleMetric(RuleMetrics.ReevaluationsStarted, Amazon.CDK.AWS.CloudWatch.Stats.SUM, Duration.Hours(1), "re-evaluations started"));
        }
        if (Remediation is not null)
        {
            operations.WatchFunction("remediate", Remediation.RemediateFunction.Function, throttles: true, asynchronous: Remediation.LiftSchedule is not null);
            operations.Chart("Remediation actions", OperationsMonitoring.RuleMetric(RuleMetrics.UsersRemediated, Amazon.CDK.AWS.CloudWatch.Stats.SUM, Duration.Hours(1), "users remediated"));
            if (Remediation.LiftSchedule is not null)
            {
                operations.Chart("Remediation actions", OperationsMonitoring.RuleMetric(RuleMetrics.UsersLifted, Amazon.CDK.AWS.CloudWatch.Stats.SUM, Duration.Hours(1), "users lifted"));
                operations.WatchRuleMetric("RerunIncompleteLift", RuleMetrics.IncompleteLifts, Amazon.CDK.AWS.CloudWatch.Stats.SUM,
                    "The hourly lift did not reach every holder of the enforcement policy: users who now have MFA may still be locked out. " +
                    "Read the remediate log's 'lift sweep incomplete' line for the cause; the next hourly run starts over, or invoke the function with a scheduled event now.");
            }
        }
        operations.Render();
        return operations;
    }

    /// <summary>Only when the rule is outside us-east-1 and re-evaluation is on.</summary>
    public IamEventForwarder? Forwarder { get; }

    public ConfigRecorder? Recorder { get; }

    /// <summary>Only with <c>mfaRule:securityHubFindings=direct</c>.</summary>
    public SecurityHubFindings? SecurityHub { get; }

    /// <summary>Only with <c>-c mfaRule:remediation=manual|automatic</c>.</summary>
    public RemediationConstruct? Remediation { get; }
}

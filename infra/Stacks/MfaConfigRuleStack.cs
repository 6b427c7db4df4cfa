using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Constructs;
using MfaConfigRule.Contract;
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
    public ReevaluationTrigger? Reevaluation { get; }

    /// <summary>Only when the rule is outside us-east-1 and re-evaluation is on.</summary>
    public IamEventForwarder? Forwarder { get; }

    public ConfigRecorder? Recorder { get; }

    /// <summary>Only with <c>mfaRule:securityHubFindings=direct</c>.</summary>
    public SecurityHubFindings? SecurityHub { get; }

    /// <summary>Only with <c>-c mfaRule:remediation=manual|automatic</c>.</summary>
    public RemediationConstruct? Remediation { get; }
}

using Amazon.CDK;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Constructs;
using MfaConfigRule.Infra.Constructs.Shared;

namespace MfaConfigRule.Infra.Constructs.Reevaluation;

internal interface IReevaluationTriggerProps
{
    Code Code { get; }
    string ConfigRuleName { get; }
    string ConfigRuleArn { get; }
    RetentionDays LogRetention { get; }

    /// <summary>The trigger's timeout: its longest run, a wait for CloudTrail plus refused starts (<see cref="Settings.FunctionSettings.TriggerTimeoutSeconds"/>).</summary>
    Duration Timeout { get; }

    /// <summary>How long an IAM event is worth delivering and running: until the next periodic run.</summary>
    Duration EventMaxAge { get; }
}

internal sealed class ReevaluationTriggerProps : IReevaluationTriggerProps
{
    public required Code Code { get; init; }
    public required string ConfigRuleName { get; init; }
    public required string ConfigRuleArn { get; init; }
    public required RetentionDays LogRetention { get; init; }
    public required Duration Timeout { get; init; }
    public required Duration EventMaxAge { get; init; }
}

/// <summary>
/// Near-real-time re-evaluation: an EventBridge rule on the default bus of the rule's Region matches the IAM calls that
/// change a verdict and invokes the <c>trigger</c> entry, which asks Config to re-run the rule
/// (<c>StartConfigRulesEvaluation</c>) and coalesces bursts (Config accepts one such call a minute).
/// </summary>
internal sealed class ReevaluationTrigger : Construct
{
    /// <summary>Set for the <c>trigger</c> entry: the rule it re-runs.</summary>
    public const string ConfigRuleNameVariable = "CONFIG_RULE_NAME";

    public ReevaluationTrigger(Construct scope, string id, IReevaluationTriggerProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);

        TriggerFunction = new MfaRuleFunction(this, "Trigger", new MfaRuleFunctionProps
        {
            Code = props.Code,
            Handler = "trigger",
            Description = $"Re-runs the Config rule {props.ConfigRuleName} after IAM changes to console passwords, MFA devices, users or tags",
            // Little work, but long waits (CloudTrail's event history for DeleteLoginProfile, Config's one start a minute):
            // the cost is idle GB-seconds of a 128 MB function, a fraction of a cent a month.
            MemorySize = 128,
            Timeout = props.Timeout,
            // One execution environment: events are run one after the other, and the trigger remembers in memory when
            // its last StartConfigRulesEvaluation was accepted, so the events of a burst (Terraform tagging hundreds of
            // users) that the accepted re-run already covers end at once instead of each holding an execution, waiting
            // and calling CloudTrail's LookupEvents (two calls a second per account and Region, shared with the sweep).
            // Events beyond it are throttled and held in Lambda's queue, not lost.
            ReservedConcurrency = 1,
            // One retry after a failure or a timeout (a CloudTrail history later than usual): a second one would hold the
            // only environment for up to another timeout, and the periodic run corrects whatever is still missed.
            AsyncRetryAttempts = 1,
            MaxEventAge = props.EventMaxAge,
            LogRetention = props.LogRetention,
            Environment = new Dictionary<string, string> { [ConfigRuleNameVariable] = props.ConfigRuleName },
        });

        Permissions = new Policy(this, "TriggerPermissions", new PolicyProps
        {
            Roles = [TriggerFunction.Role],
            Statements =
            [
                // Service Authorization Reference: StartConfigRulesEvaluation takes the ConfigRule resource.
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReRunTheRule",
                    Actions = ["config:StartConfigRulesEvaluation"],
                    Resources = [props.ConfigRuleArn],
                }),
                // After a refused start the trigger reads the changed user's result to see whether a run already covered
                // the change. GetComplianceDetailsByResource has no resource type (Service Authorization Reference):
                // "*" only. CloudTrail LookupEvents likewise.
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReadChangeCoverage",
                    Actions = ["cloudtrail:LookupEvents", "config:GetComplianceDetailsByResource"],
                    Resources = ["*"],
                }),
                // The changed user's ID, which Config's results are keyed by. GetUser takes the "user" resource, so it is
                // limited to IAM users of this account, as for the evaluate function.
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReadChangedUser",
                    Actions = ["iam:GetUser"],
                    Resources = [$"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:user/*"],
                }),
            ],
        });
        NagSuppressions.Suppress((CfnResource)Permissions.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM5",
                "cloudtrail:LookupEvents and config:GetComplianceDetailsByResource support no resource-level permissions (Service Authorization Reference); " +
                "both are read-only. iam:GetUser is limited to IAM users of this account, any of which an IAM event can name.",
                "Resource::*", "Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*"));
        // EventBridge may invoke the function as soon as both exist.
        TriggerFunction.Function.Node.AddDependency(Permissions);

        EventRule = new Amazon.CDK.AWS.Events.Rule(this, "IamChanges", new Amazon.CDK.AWS.Events.RuleProps
        {
            Description = $"IAM console-password, MFA, user and tag changes: re-run the Config rule {props.ConfigRuleName}",
            EventPattern = IamUserChangeEvents.Pattern(),
            Targets =
            [
                new LambdaFunction(TriggerFunction.Function, new LambdaFunctionProps
                {
                    // EventBridge's retries cover only a failed delivery (Lambda's Invoke API refusing the event), never
                    // a failed run: those are Lambda's (above). A delivery retry costs nothing but time, so EventBridge
                    // keeps trying (185 attempts, its maximum) for as long as the event is worth running.
                    MaxEventAge = props.EventMaxAge,
                    RetryAttempts = 185,
                }),
            ],
        });
    }

    public MfaRuleFunction TriggerFunction { get; }
    public Policy Permissions { get; }
    public Amazon.CDK.AWS.Events.Rule EventRule { get; }
}

using Amazon.CDK;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Constructs;

namespace MfaConfigRule.Infra.Constructs;

internal interface IReevaluationTriggerProps
{
    Code Code { get; }
    string ConfigRuleName { get; }
    string ConfigRuleArn { get; }
    RetentionDays LogRetention { get; }
}

internal sealed class ReevaluationTriggerProps : IReevaluationTriggerProps
{
    public required Code Code { get; init; }
    public required string ConfigRuleName { get; init; }
    public required string ConfigRuleArn { get; init; }
    public required RetentionDays LogRetention { get; init; }
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
            // Little work, but long waits: for events the sweep learns from CloudTrail's event history, the trigger waits
            // until LookupEvents shows the event (that history lags EventBridge by up to about 15 minutes), then retries
            // StartConfigRulesEvaluation once a minute while Config refuses it. Lambda's maximum keeps that wait whole;
            // the cost is idle GB-seconds of a 128 MB function, a fraction of a cent a month.
            MemorySize = 128,
            Timeout = Duration.Seconds(900),
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

        EventRule = new Rule(this, "IamChanges", new Amazon.CDK.AWS.Events.RuleProps
        {
            Description = $"IAM console-password, MFA, user and tag changes: re-run the Config rule {props.ConfigRuleName}",
            EventPattern = IamUserChangeEvents.Pattern(),
            Targets =
            [
                new LambdaFunction(TriggerFunction.Function, new LambdaFunctionProps
                {
                    // A re-run that is more than an hour late adds nothing to the periodic run.
                    MaxEventAge = Duration.Hours(1),
                    RetryAttempts = 2,
                }),
            ],
        });
    }

    public MfaRuleFunction TriggerFunction { get; }
    public Policy Permissions { get; }
    public Rule EventRule { get; }
}

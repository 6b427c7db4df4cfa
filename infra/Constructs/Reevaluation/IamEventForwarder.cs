using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Constructs;
using MfaConfigRule.Infra.Constructs.Shared;
using CustomResourceProvider = MfaConfigRule.Infra.Constructs.Shared.CustomResourceProvider;

namespace MfaConfigRule.Infra.Constructs.Reevaluation;

internal interface IIamEventForwarderProps
{
    /// <summary>The Region whose default event bus receives the events: where the Config rule lives.</summary>
    string TargetRegion { get; }

    /// <summary>
    /// Another bus to put the events on instead (an Organization's central bus, in the admin account and the rule's
    /// Region); null: this account's default bus in <see cref="TargetRegion"/>.
    /// </summary>
    string? TargetBusArn { get; }

    RetentionDays LogRetention { get; }

    /// <summary>
    /// When set (an EventBridge schedule expression, e.g. <c>rate(1 hour)</c>), a second us-east-1 rule sends a scheduled
    /// event along exactly the forwarding path (same target, same role), so the receiving side sees a forwarder that
    /// stopped delivering; null: none.
    /// </summary>
    string? HeartbeatSchedule { get; }

    /// <summary>
    /// The us-east-1 rule's name; null: <c>STACK-iam-to-REGION</c>. The per-account template names it itself: a StackSet's
    /// stack names (StackSet-NAME-UUID) are longer than EventBridge's 64 characters.
    /// </summary>
    string? RuleName { get; }
}

internal sealed class IamEventForwarderProps : IIamEventForwarderProps
{
    public required string TargetRegion { get; init; }
    public string? TargetBusArn { get; init; }
    public required RetentionDays LogRetention { get; init; }
    public string? HeartbeatSchedule { get; init; }
    public string? RuleName { get; init; }
}

/// <summary>
/// Forwards the verdict-changing IAM events from us-east-1, the only Region where IAM's CloudTrail events reach
/// EventBridge, to the default event bus of the rule's Region, where <see cref="ReevaluationTrigger"/> picks them up, or,
/// in an Organization, to the central bus of <see cref="OrganizationReevaluation"/>. A bus of another Region or account is
/// a target EventBridge reaches only with a role, which may put events on that one bus and no other.
/// </summary>
/// <remarks>
/// The us-east-1 EventBridge rule and its target are made by EventBridge API calls in us-east-1 from the rule's own stack,
/// through a small custom resource (<c>infra/custom-resource/index.js</c>), so the app stays one stack in one Region: plain
/// <c>cdk deploy</c> works and us-east-1 needs no CDK bootstrap. Not CDK's <c>AwsCustomResource</c>: it succeeds when
/// PutTargets reports a target it could not attach (<c>FailedEntryCount</c> &gt; 0 in a successful response), and it fails
/// <c>cdk destroy</c> when the rule is already gone. The role EventBridge assumes is IAM, which is global, so it is an
/// ordinary resource.
/// </remarks>
internal sealed class IamEventForwarder : Construct
{
    public const string ResourceType = "Custom::IamEventForwarding";

    private const string TargetId = "RuleRegionDefaultBus";
    private const string CentralTargetId = "OrganizationCentralBus";



    public IamEventForwarder(Construct scope, string id, IIamEventForwarderProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        var stack = Stack.Of(this);

        TargetBusArn = props.TargetBusArn ?? $"arn:{Aws.PARTITION}:events:{props.TargetRegion}:{Aws.ACCOUNT_ID}:event-bus/default";
        // Deterministic, so the delete and update calls find the rule the create call made; one per stack and target.
        RuleName = props.RuleName ?? $"{stack.StackName}-iam-to-{props.TargetRegion}";
        if (RuleName.Length > 64)
            throw new ArgumentException($"the us-east-1 EventBridge rule name {RuleName} is longer than the 64 characters EventBridge allows: use a shorter stack name");
        RuleArn = $"arn:{Aws.PARTITION}:events:{IamUserChangeEvents.EventRegion}:{Aws.ACCOUNT_ID}:rule/{RuleName}";
        // One character shorter than the forwarding rule's name, so it fits whenever that one does.
        HeartbeatRuleName = props.HeartbeatSchedule is null ? null : $"{stack.StackName}-beat-to-{props.TargetRegion}";
        HeartbeatRuleArn = HeartbeatRuleName is null ? null : $"arn:{Aws.PARTITION}:events:{IamUserChangeEvents.EventRegion}:{Aws.ACCOUNT_ID}:rule/{HeartbeatRuleName}";
        string[] ruleArns = HeartbeatRuleArn is null ? [RuleArn] : [RuleArn, HeartbeatRuleArn];

        Role = new Role(this, "ForwardRole", new RoleProps
        {
            // Only EventBridge acting for this one us-east-1 rule (and its heartbeat) of this account (EventBridge sets both
            // keys when it assumes a target's role).
            AssumedBy = new ServicePrincipal("events.amazonaws.com").WithConditions(new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object>
                {
                    ["aws:SourceAccount"] = Aws.ACCOUNT_ID,
                    ["aws:SourceArn"] = ruleArns.Length == 1 ? RuleArn : ruleArns,
                },
            }),
            Description = props.TargetBusArn is null
                ? $"Forwards IAM user change events from us-east-1 to the default event bus in {props.TargetRegion}"
                : $"Forwards IAM user change events from us-east-1 to the Organization's central MFA rule bus in {props.TargetRegion}",
        });
        Role.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["events:PutEvents"],
            Resources = [TargetBusArn],
        }));

        var provider = new CustomResourceProvider(this, $"Creates and deletes the us-east-1 EventBridge rule {RuleName} and its target", props.LogRetention);
        Provider = provider.Function;
        ProviderRole = provider.Role;
        ProviderLogGroup = provider.LogGroup;
        ProviderRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ManageTheForwardingRule",
            Actions = ["events:PutRule", "events:DeleteRule", "events:PutTargets", "events:RemoveTargets"],
            Resources = ruleArns,
        }));
        ProviderRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "PassTheForwardRoleToEventBridge",
            Actions = ["iam:PassRole"],
            Resources = [Role.RoleArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["iam:PassedToService"] = "events.amazonaws.com" },
            },
        }));

        Forwarding = provider.Resource(this, "Forwarding", ResourceType, new Dictionary<string, object>
        {
            ["Region"] = IamUserChangeEvents.EventRegion,
            ["RuleName"] = RuleName,
            ["Description"] = $"Forward IAM console-password, MFA, user and tag changes to {props.TargetRegion}, where the MFA Config rule runs",
            ["EventPattern"] = IamUserChangeEvents.PatternJson(),
            ["TargetId"] = props.TargetBusArn is null ? TargetId : CentralTargetId,
            ["TargetArn"] = TargetBusArn,
            ["RoleArn"] = Role.RoleArn,
        });
        // Forwarding works at once only when the role may put events. Only the edge no reference implies (cfn-lint
        // W3005): the forward role is referenced, and CDK's Function already waits for the provider role's policy.
        ((CfnResource)Forwarding.Node.DefaultChild!).AddDependency(DefaultPolicy(Role));

        if (props.HeartbeatSchedule is { } schedule)
        {
            Heartbeat = provider.Resource(this, "Heartbeat", ResourceType, new Dictionary<string, object>
            {
                ["Region"] = IamUserChangeEvents.EventRegion,
                ["RuleName"] = HeartbeatRuleName!,
                ["Description"] = $"Heartbeat of {RuleName}: the same target and role, {schedule}, so a forwarder that stopped delivering is seen",
                ["ScheduleExpression"] = schedule,
                ["TargetId"] = props.TargetBusArn is null ? TargetId : CentralTargetId,
                ["TargetArn"] = TargetBusArn,
                ["RoleArn"] = Role.RoleArn,
            });
            ((CfnResource)Heartbeat.Node.DefaultChild!).AddDependency(DefaultPolicy(Role));
        }
    }

    /// <summary>The us-east-1 heartbeat rule's name, null without a heartbeat.</summary>
    public string? HeartbeatRuleName { get; }

    public string? HeartbeatRuleArn { get; }

    /// <summary>The scheduled us-east-1 rule sending along the forwarding path; null without a heartbeat.</summary>
    public CustomResource? Heartbeat { get; }

    public string TargetBusArn { get; }

    /// <summary>The name of the EventBridge rule in us-east-1.</summary>
    public string RuleName { get; }

    public string RuleArn { get; }

    /// <summary>The role EventBridge assumes to put the events on the rule Region's default bus.</summary>
    public Role Role { get; }

    public Function Provider { get; }
    public Role ProviderRole { get; }
    public LogGroup ProviderLogGroup { get; }

    /// <summary>The us-east-1 rule and its one target, the rule Region's default bus.</summary>
    public CustomResource Forwarding { get; }


    private static CfnResource DefaultPolicy(Role role) => (CfnResource)role.Node.FindChild("DefaultPolicy").Node.DefaultChild!;

}

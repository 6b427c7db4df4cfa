using Amazon.CDK;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace MfaConfigRule.Infra.Constructs;

internal interface IIamEventForwarderProps
{
    /// <summary>The Region whose default event bus receives the events: where the Config rule lives.</summary>
    string TargetRegion { get; }
}

internal sealed class IamEventForwarderProps : IIamEventForwarderProps
{
    public required string TargetRegion { get; init; }
}

/// <summary>
/// Lives in us-east-1, the only Region where IAM's CloudTrail events reach EventBridge, and forwards the verdict-changing
/// ones to the default event bus of the rule's Region, where <see cref="ReevaluationTrigger"/> picks them up.
/// </summary>
internal sealed class IamEventForwarder : Construct
{
    public IamEventForwarder(Construct scope, string id, IIamEventForwarderProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);

        TargetBusArn = $"arn:{Aws.PARTITION}:events:{props.TargetRegion}:{Aws.ACCOUNT_ID}:event-bus/default";

        Role = new Role(this, "ForwardRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("events.amazonaws.com"),
            Description = $"Forwards IAM user change events from us-east-1 to the default event bus in {props.TargetRegion}",
        });
        // The EventBus target grants this role events:PutEvents on exactly TargetBusArn, nothing else.

        EventRule = new Rule(this, "IamChanges", new Amazon.CDK.AWS.Events.RuleProps
        {
            Description = $"Forward IAM console-password, MFA, user and tag changes to {props.TargetRegion}, where the MFA Config rule runs",
            EventPattern = IamUserChangeEvents.Pattern(),
            Targets =
            [
                new Amazon.CDK.AWS.Events.Targets.EventBus(
                    EventBus.FromEventBusArn(this, "RuleRegionBus", TargetBusArn),
                    new Amazon.CDK.AWS.Events.Targets.EventBusProps { Role = Role }),
            ],
        });
        // Forwarding fails until the role may put events; create the rule after the role's policy.
        EventRule.Node.AddDependency(Role);
    }

    public string TargetBusArn { get; }
    public Role Role { get; }
    public Rule EventRule { get; }
}

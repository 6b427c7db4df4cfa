using Amazon.CDK;
using Constructs;
using MfaConfigRule.Infra.Constructs;

namespace MfaConfigRule.Infra.Stacks;

internal interface IIamEventForwarderStackProps : IStackProps
{
    string TargetRegion { get; }
}

internal sealed class IamEventForwarderStackProps : StackProps, IIamEventForwarderStackProps
{
    public required string TargetRegion { get; init; }
}

/// <summary>The small us-east-1 stack that exists only when the rule lives in another Region.</summary>
internal sealed class IamEventForwarderStack : Stack
{
    public IamEventForwarderStack(Construct scope, string id, IIamEventForwarderStackProps props)
        : base(scope, id, props)
    {
        ArgumentNullException.ThrowIfNull(props);
        Forwarder = new IamEventForwarder(this, "IamEventForwarder", new IamEventForwarderProps { TargetRegion = props.TargetRegion });
    }

    public IamEventForwarder Forwarder { get; }
}

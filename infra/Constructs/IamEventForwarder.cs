using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.CustomResources;
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
/// Forwards the verdict-changing IAM events from us-east-1, the only Region where IAM's CloudTrail events reach
/// EventBridge, to the default event bus of the rule's Region, where <see cref="ReevaluationTrigger"/> picks them up.
/// </summary>
/// <remarks>
/// The us-east-1 EventBridge rule and its target are created by EventBridge API calls in us-east-1 from the rule's own
/// stack (<see cref="AwsCustomResource"/>), so the app stays one stack in one Region: plain <c>cdk deploy</c> works and
/// us-east-1 needs no CDK bootstrap. The role EventBridge assumes is IAM, which is global, so it is an ordinary resource.
/// </remarks>
internal sealed class IamEventForwarder : Construct
{
    /// <summary>The id CDK gives the one Lambda function behind every <see cref="AwsCustomResource"/> of a stack.</summary>
    private const string AwsCustomResourceFunctionId = "AWS679f53fac002430cb0da5b7982bd2287";

    private const string TargetId = "RuleRegionDefaultBus";

    private const string ProviderRuntime = "nodejs24.x";

    public IamEventForwarder(Construct scope, string id, IIamEventForwarderProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        var stack = Stack.Of(this);

        TargetBusArn = $"arn:{Aws.PARTITION}:events:{props.TargetRegion}:{Aws.ACCOUNT_ID}:event-bus/default";
        // Deterministic, so the delete and update calls find the rule the create call made; one per stack and target.
        RuleName = $"{stack.StackName}-iam-to-{props.TargetRegion}";
        if (RuleName.Length > 64)
            throw new ArgumentException($"the us-east-1 EventBridge rule name {RuleName} is longer than the 64 characters EventBridge allows: use a shorter stack name");
        var ruleArn = $"arn:{Aws.PARTITION}:events:{IamUserChangeEvents.EventRegion}:{Aws.ACCOUNT_ID}:rule/{RuleName}";

        Role = new Role(this, "ForwardRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("events.amazonaws.com"),
            Description = $"Forwards IAM user change events from us-east-1 to the default event bus in {props.TargetRegion}",
        });
        Role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["events:PutEvents"],
            Resources = [TargetBusArn],
        }));

        EventRule = new AwsCustomResource(this, "IamChanges", new AwsCustomResourceProps
        {
            ResourceType = "Custom::IamEventForwardRule",
            OnCreate = PutRule(RuleName, props.TargetRegion),
            OnUpdate = PutRule(RuleName, props.TargetRegion),
            OnDelete = Call(RuleName, "deleteRule", new Dictionary<string, object> { ["Name"] = RuleName }),
            Policy = AwsCustomResourcePolicy.FromStatements(
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Actions = ["events:PutRule", "events:DeleteRule"],
                    Resources = [ruleArn],
                }),
            ]),
            // The SDK in the Lambda runtime has these calls; installing the latest at deploy time needs the internet.
            InstallLatestAwsSdk = false,
        });

        var putTargets = Call(RuleName, "putTargets", new Dictionary<string, object>
        {
            ["Rule"] = RuleName,
            ["Targets"] = new object[]
            {
                new Dictionary<string, object> { ["Id"] = TargetId, ["Arn"] = TargetBusArn, ["RoleArn"] = Role.RoleArn },
            },
        });
        Targets = new AwsCustomResource(this, "IamChangesTarget", new AwsCustomResourceProps
        {
            ResourceType = "Custom::IamEventForwardTarget",
            OnCreate = putTargets,
            OnUpdate = putTargets,
            // EventBridge refuses to delete a rule that still has targets; this resource goes first, as it depends on the rule.
            OnDelete = Call(RuleName, "removeTargets", new Dictionary<string, object> { ["Rule"] = RuleName, ["Ids"] = new[] { TargetId } }),
            Policy = AwsCustomResourcePolicy.FromStatements(
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Actions = ["events:PutTargets", "events:RemoveTargets"],
                    Resources = [ruleArn],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Actions = ["iam:PassRole"],
                    Resources = [Role.RoleArn],
                    Conditions = new Dictionary<string, object>
                    {
                        ["StringEquals"] = new Dictionary<string, object> { ["iam:PassedToService"] = "events.amazonaws.com" },
                    },
                }),
            ]),
            InstallLatestAwsSdk = false,
        });
        Targets.Node.AddDependency(EventRule);
        // Forwarding fails until the role may put events.
        Targets.Node.AddDependency(Role);

        SuppressAwsCustomResourceFindings(stack);
    }

    public string TargetBusArn { get; }

    /// <summary>The name of the EventBridge rule in us-east-1.</summary>
    public string RuleName { get; }

    public Role Role { get; }

    /// <summary>Creates, updates and deletes the us-east-1 EventBridge rule.</summary>
    public AwsCustomResource EventRule { get; }

    /// <summary>Sets and removes the rule's one target, the rule Region's default bus.</summary>
    public AwsCustomResource Targets { get; }

    private static AwsSdkCall PutRule(string ruleName, string targetRegion) =>
        Call(ruleName, "putRule", new Dictionary<string, object>
        {
            ["Name"] = ruleName,
            ["Description"] = $"Forward IAM console-password, MFA, user and tag changes to {targetRegion}, where the MFA Config rule runs",
            ["EventPattern"] = IamUserChangeEvents.PatternJson(),
            ["State"] = "ENABLED",
        });

    /// <summary>An EventBridge call in us-east-1; both resources are identified by the rule's name.</summary>
    private static AwsSdkCall Call(string ruleName, string action, Dictionary<string, object> parameters) => new()
    {
        Service = "EventBridge",
        Action = action,
        Region = IamUserChangeEvents.EventRegion,
        Parameters = parameters,
        PhysicalResourceId = PhysicalResourceId.Of(ruleName),
    };

    /// <summary>The Lambda function CDK ships to make the API calls is CDK's, not ours: its findings are accepted here.</summary>
    private static void SuppressAwsCustomResourceFindings(Stack stack)
    {
        var function = (Function)stack.Node.FindChild(AwsCustomResourceFunctionId);
        var cfnFunction = (CfnFunction)function.Node.DefaultChild!;
        // CDK 2.160 ships the provider on nodejs20.x, whose creation Lambda blocks since 2026-06-01. Its handler is an async
        // (event, context) function using the runtime's AWS SDK v3, which nodejs24.x runs as is.
        cfnFunction.Runtime = ProviderRuntime;
        NagSuppressions.Suppress(cfnFunction,
            new NagSuppression("AwsSolutions-L1",
                $"CDK's AwsCustomResource provider function, set to {ProviderRuntime}; it runs only the EventBridge calls that create the us-east-1 forwarding rule."));
        NagSuppressions.Suppress((CfnResource)function.Role!.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM4",
                "CDK's AwsCustomResource provider function role: AWSLambdaBasicExecutionRole only lets it write its own CloudWatch logs; its other permissions are the scoped statements of each custom resource.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"));
    }
}

using Amazon.CDK;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.SNS;
using Constructs;

namespace MfaConfigRule.Infra.Constructs.Organization;

internal interface IMemberStackSetProps
{
    string TemplateBody { get; }
    IReadOnlyList<string> OrganizationalUnitIds { get; }
    string Region { get; }
    IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>Called from a delegated administrator (<c>DELEGATED_ADMIN</c>) rather than the management account (<c>SELF</c>).</summary>
    bool CalledByDelegatedAdministrator { get; }
}

internal sealed class MemberStackSetProps : IMemberStackSetProps
{
    public required string TemplateBody { get; init; }
    public required IReadOnlyList<string> OrganizationalUnitIds { get; init; }
    public required string Region { get; init; }
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public bool CalledByDelegatedAdministrator { get; init; }
}

/// <summary>
/// The member template in every account of the target OUs: a service-managed StackSet (Organizations trusts
/// CloudFormation, no per-account admin roles) with auto-deployment, so an account that joins an OU gets the stack and
/// one that leaves loses it. StackSets skip the management account (the admin stack covers it, or a printed command when
/// deployed from a delegated administrator), but not a delegated administrator that sits in a target OU.
/// </summary>
internal sealed class MemberStackSet : Construct
{
    public const string StackSetName = "MfaConfigRule-Members";

    /// <summary>Accounts deployed at once, as a share of the targets: a quarter, so a template broken for everyone shows early.</summary>
    public const int MaxConcurrentPercentage = 25;

    /// <summary>The stack instance statuses a person must look at: the instance did not deploy (or cannot be managed).</summary>
    public static readonly IReadOnlyList<string> FailedDetailedStatuses = ["FAILED", "INOPERABLE", "FAILED_IMPORT", "CANCELLED"];

    public MemberStackSet(Construct scope, string id, IMemberStackSetProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        StackSet = new CfnStackSet(this, "StackSet", new CfnStackSetProps
        {
            StackSetName = StackSetName,
            Description = "MFA Config rule in every account of the Organization's target OUs",
            PermissionModel = "SERVICE_MANAGED",
            // A delegated administrator's StackSet still lives in the management account; CloudFormation checks the caller's
            // registration for StackSets (organizations:ListDelegatedAdministrators) when it is created.
            CallAs = props.CalledByDelegatedAdministrator ? "DELEGATED_ADMIN" : "SELF",
            AutoDeployment = new CfnStackSet.AutoDeploymentProperty { Enabled = true, RetainStacksOnAccountRemoval = false },
            // The member role has a fixed name, which the central function builds the member's role ARN from.
            Capabilities = ["CAPABILITY_NAMED_IAM"],
            // StackSets queues conflicting operations instead of failing them (an OU move during an update). A plain
            // dictionary: CDK 2.160 types this property as an object and writes ManagedExecutionProperty as "active".
            ManagedExecution = new Dictionary<string, object> { ["Active"] = true },
            // One broken account (no Config recorder, an SCP, a leftover role) must not stop or roll back the rollout to
            // the others. CloudFormation rounds FailureTolerancePercentage down, so any tolerance below 100% is 0 in a
            // small Organization, and an operation that exceeds it is FAILED: the StackSet resource does not stabilise
            // and the admin stack rolls back, deleting the instances that succeeded. 100% never exceeds (the operation
            // SUCCEEDS with FailedStackInstancesCount), and SOFT_FAILURE_TOLERANCE keeps the concurrency at
            // MaxConcurrentPercentage however many fail (STRICT would lower it to tolerance + 1 and slow to a crawl).
            // Each failed instance is reported by FailedInstances instead. Auto-deployment ignores these preferences.
            OperationPreferences = new CfnStackSet.OperationPreferencesProperty
            {
                ConcurrencyMode = "SOFT_FAILURE_TOLERANCE",
                FailureTolerancePercentage = 100,
                MaxConcurrentPercentage = MaxConcurrentPercentage,
                RegionConcurrencyType = "PARALLEL",
            },
            StackInstancesGroup = new object[]
            {
                new CfnStackSet.StackInstancesProperty
                {
                    DeploymentTargets = new CfnStackSet.DeploymentTargetsProperty { OrganizationalUnitIds = props.OrganizationalUnitIds.ToArray() },
                    Regions = [props.Region],
                },
            },
            Parameters = props.Parameters.Select(p => (object)new CfnStackSet.ParameterProperty { ParameterKey = p.Key, ParameterValue = p.Value }).ToArray(),
            TemplateBody = props.TemplateBody,
        });

        // Every stack instance that ends failed, whatever started it: the initial rollout, an update, or auto-deployment
        // to an account that joined a target OU (operation preferences do not apply there, and nothing retries it).
        // CloudFormation sends these events to the default bus of the account that owns the StackSet, in its Region.
        // Matched by the StackSet ID's suffix of the ARN, not the whole ARN: a delegated administrator's StackSet lives
        // in the management account, whose ID this stack does not know. Whether its events then reach this account is
        // not documented [UNCERTAIN]; docs/organization.md gives the list-stack-instances check that works either way.
        FailedInstances = new Amazon.CDK.AWS.Events.Rule(this, "FailedInstances", new Amazon.CDK.AWS.Events.RuleProps
        {
            Description = $"A stack instance of the StackSet {StackSetName} failed: that account is not monitored until it is retried (docs/organization.md)",
            EventPattern = new EventPattern
            {
                Source = ["aws.cloudformation"],
                DetailType = ["CloudFormation StackSet StackInstance Status Change"],
                Detail = new Dictionary<string, object>
                {
                    ["stack-set-arn"] = Match.Suffix($":stackset/{StackSet.AttrStackSetId}"),
                    ["status-details"] = new Dictionary<string, object> { ["detailed-status"] = FailedDetailedStatuses.ToArray() },
                },
            },
        });
    }

    public CfnStackSet StackSet { get; }

    /// <summary>
    /// The EventBridge rule on this StackSet's failed stack instances. It has no target of its own: the operations
    /// topic is added with <see cref="NotifyFailuresTo"/>.
    /// </summary>
    public Amazon.CDK.AWS.Events.Rule FailedInstances { get; }

    /// <summary>Sends each failed stack instance to <paramref name="topic"/> as a message naming the account, the Region, the reason and the retry.</summary>
    public void NotifyFailuresTo(ITopic topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        FailedInstances.AddTarget(new SnsTopic(topic, new SnsTopicProps { Message = FailureMessage() }));
    }

    /// <summary>
    /// The notification's text: the stack ID carries the target account and Region (arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/...).
    /// </summary>
    public static RuleTargetInput FailureMessage() => RuleTargetInput.FromText(
        $"MfaConfigRule: the stack instance {EventField.FromPath("$.detail.stack-id")} of the StackSet {StackSetName} is " +
        $"{EventField.FromPath("$.detail.status-details.detailed-status")}: {EventField.FromPath("$.detail.status-details.status-reason")}. " +
        "That account's IAM users are not evaluated until it is fixed and retried: see docs/organization.md, \"When an account fails\" " +
        "(aws cloudformation update-stack-instances --stack-set-name MfaConfigRule-Members --deployment-targets " +
        "OrganizationalUnitIds=OU,Accounts=ACCOUNT,AccountFilterType=INTERSECTION --regions REGION).");

    public string TemplateBody => StackSet.TemplateBody!;
}

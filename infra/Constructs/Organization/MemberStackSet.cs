using Amazon.CDK;
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
            OperationPreferences = new CfnStackSet.OperationPreferencesProperty
            {
                RegionConcurrencyType = "PARALLEL",
                MaxConcurrentPercentage = 25,
                // One broken account (no Config recorder, an SCP) must not stop the rollout to the others.
                FailureTolerancePercentage = 10,
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
    }

    public CfnStackSet StackSet { get; }

    public string TemplateBody => StackSet.TemplateBody!;
}

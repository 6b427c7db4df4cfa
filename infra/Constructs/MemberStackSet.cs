using Amazon.CDK;
using Constructs;

namespace MfaConfigRule.Infra.Constructs;

internal interface IMemberStackSetProps
{
    string TemplateBody { get; }
    IReadOnlyList<string> OrganizationalUnitIds { get; }
    string Region { get; }
    IReadOnlyDictionary<string, string> Parameters { get; }
}

internal sealed class MemberStackSetProps : IMemberStackSetProps
{
    public required string TemplateBody { get; init; }
    public required IReadOnlyList<string> OrganizationalUnitIds { get; init; }
    public required string Region { get; init; }
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
}

/// <summary>
/// The member template in every account of the target OUs: a service-managed StackSet (Organizations trusts
/// CloudFormation, no per-account admin roles) with auto-deployment, so an account that joins an OU gets the stack and
/// one that leaves loses it. StackSets skip the management account: the admin stack covers it itself.
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
            // Run from the management account. A Config delegated administrator would use DELEGATED_ADMIN (README).
            CallAs = "SELF",
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

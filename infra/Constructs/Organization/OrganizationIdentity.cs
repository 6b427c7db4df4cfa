using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Constructs;
using MfaConfigRule.Infra.Constructs.Shared;
using CustomResourceProvider = MfaConfigRule.Infra.Constructs.Shared.CustomResourceProvider;

namespace MfaConfigRule.Infra.Constructs.Organization;

/// <summary>
/// The Organization the admin account belongs to, read at deploy time (organizations:DescribeOrganization through the
/// app's custom-resource provider), so conditions can admit the Organization's principals (<c>aws:PrincipalOrgID</c>)
/// without the deployer typing its ID. A deploy outside an Organization fails here, with Organizations' error.
/// </summary>
internal sealed class OrganizationIdentity : Construct
{
    public const string ResourceType = "Custom::OrganizationId";

    public OrganizationIdentity(Construct scope, string id, RetentionDays logRetention)
        : base(scope, id)
    {
        var provider = new CustomResourceProvider(this, "Reads the Organization's ID for the MFA Config rule's conditions", logRetention);
        Provider = provider.Function;
        ProviderRole = provider.Role;
        // Service Authorization Reference: DescribeOrganization takes no resource type.
        ProviderRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "DescribeTheOrganization",
            Actions = ["organizations:DescribeOrganization"],
            Resources = ["*"],
        }));
        NagSuppressions.Suppress((CfnResource)ProviderRole.Node.FindChild("DefaultPolicy").Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM5",
                "organizations:DescribeOrganization supports no resource-level permissions (Service Authorization Reference).",
                "Resource::*"));
        Resource = provider.Resource(this, "Organization", ResourceType, new Dictionary<string, object>());
        // The call works only once the role may make it (CDK's Function already waits for the log permissions).
        ((CfnResource)Resource.Node.DefaultChild!).AddDependency((CfnResource)ProviderRole.Node.FindChild("DefaultPolicy").Node.DefaultChild!);
    }

    public Amazon.CDK.AWS.Lambda.Function Provider { get; }
    public Role ProviderRole { get; }
    public CustomResource Resource { get; }

    /// <summary><c>o-…</c>, a token resolved at deploy time.</summary>
    public string OrganizationId => Resource.GetAttString("Id");

    /// <summary>The management account's ID: who StackSets never deploy to.</summary>
    public string ManagementAccountId => Resource.GetAttString("ManagementAccountId");
}

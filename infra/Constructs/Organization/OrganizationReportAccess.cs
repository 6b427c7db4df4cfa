using Amazon.CDK;
using Amazon.CDK.AWS.Config;
using Amazon.CDK.AWS.IAM;
using Constructs;
using MfaConfigRule.Infra.Constructs.Shared;

namespace MfaConfigRule.Infra.Constructs.Organization;

/// <summary>
/// What <c>mfa-config-rule report --aggregator</c> needs, as one customer managed policy: the three aggregate reads on
/// this aggregator's ARN only (the ARN carries a generated ID, so it comes from the aggregator resource), and
/// organizations:ListAccounts for account names (it has no resource type). Attached to the operator's role when one is named.
/// </summary>
internal sealed class OrganizationReportAccess : Construct
{
    public const string PolicyName = "MfaConfigRule-OrganizationReport";

    public static readonly IReadOnlyList<string> AggregatorActions =
    [
        "config:DescribeAggregateComplianceByConfigRules",
        "config:GetAggregateComplianceDetailsByConfigRule",
        "config:ListAggregateDiscoveredResources",
    ];

    public OrganizationReportAccess(Construct scope, string id, CfnConfigurationAggregator aggregator, string? roleArn)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        Policy = new ManagedPolicy(this, "Policy", new ManagedPolicyProps
        {
            ManagedPolicyName = PolicyName,
            Description = "mfa-config-rule report --aggregator: read the MFA rule's results from the Organization aggregator",
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReadTheAggregator",
                    Actions = [.. AggregatorActions],
                    Resources = [aggregator.AttrConfigurationAggregatorArn],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "AccountNames",
                    Actions = ["organizations:ListAccounts"],
                    Resources = ["*"],
                }),
            ],
            Roles = roleArn is null ? null : [Role.FromRoleArn(this, "ReportRole", roleArn, new FromRoleArnOptions { Mutable = false })],
        });
        NagSuppressions.Suppress((CfnResource)Policy.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM5",
                "organizations:ListAccounts has no resource type (Service Authorization Reference): '*' is the only resource it takes.",
                "Resource::*"));
    }

    public ManagedPolicy Policy { get; }
}

using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using MfaConfigRule.Infra.Constructs.Shared;

namespace MfaConfigRule.Infra.Constructs.Organization;

/// <summary>
/// What every central function (evaluate, trigger, remediate) needs to act in the members: assume a role of one name in
/// the Organization's accounts only, and list those accounts to admit a request by. One definition, so the three
/// cannot drift apart on the condition that keeps a same-named role outside the Organization out of reach.
/// </summary>
internal static class CentralMemberAccess
{
    /// <param name="sid">The assume statement's Sid (the role it names differs per function).</param>
    public static PolicyStatement[] Statements(string sid, string roleName, string organizationId) =>
    [
        // Which accounts is the Organization's business (auto-deployment follows it); aws:ResourceOrgID is the role's
        // account's Organization, so a same-named role elsewhere stays out of reach even if its trust admits this role.
        new PolicyStatement(new PolicyStatementProps
        {
            Sid = sid,
            Actions = ["sts:AssumeRole"],
            Resources = [$"arn:{Aws.PARTITION}:iam::*:role/{roleName}"],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:ResourceOrgID"] = organizationId },
            },
        }),
        // Service Authorization Reference: ListAccounts takes no resource type.
        new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ListOrganizationAccounts",
            Actions = ["organizations:ListAccounts"],
            Resources = ["*"],
        }),
    ];

    /// <summary>cdk-nag's IAM5 on <see cref="Statements"/>, with its reason.</summary>
    public static void Suppress(Policy policy, string roleName)
    {
        ArgumentNullException.ThrowIfNull(policy);
        NagSuppressions.Suppress((CfnResource)policy.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM5",
                $"sts:AssumeRole is limited to the role {roleName} in the Organization's accounts (aws:ResourceOrgID), which auto-deployment adds and removes; " +
                "organizations:ListAccounts supports no resource-level permissions (Service Authorization Reference).",
                $"Resource::arn:<AWS::Partition>:iam::*:role/{roleName}", "Resource::*"));
    }
}

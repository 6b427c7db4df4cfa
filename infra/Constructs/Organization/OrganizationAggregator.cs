using Amazon.CDK;
using Amazon.CDK.AWS.Config;
using Amazon.CDK.AWS.IAM;
using Constructs;
using MfaConfigRule.Infra.Constructs.Shared;

namespace MfaConfigRule.Infra.Constructs.Organization;

/// <summary>
/// A Config aggregator over the whole Organization and every Region, in the admin account: the read-only org-wide view of
/// the rule's results (console: Aggregated view; CLI: get-aggregate-compliance-details-by-config-rule).
/// </summary>
internal sealed class OrganizationAggregator : Construct
{
    /// <summary>The trust's operator on aws:SourceAccount: present, it must be this account; absent, the request is not refused for it.</summary>
    public const string SourceAccountCondition = "StringEqualsIfExists";

    public OrganizationAggregator(Construct scope, string id, string aggregatorName)
        : base(scope, id)
    {
        Role = new Role(this, "AggregatorRole", new RoleProps
        {
            // AWS documents aws:SourceAccount for Config's recorder role, not for an aggregator's role; if Config does not
            // set it there, StringEquals would deny every AssumeRole and the aggregator would fail quietly. IfExists
            // still refuses another account's Config when the key is present, and admits the request when it is absent.
            AssumedBy = new ServicePrincipal("config.amazonaws.com", new ServicePrincipalOpts
            {
                Conditions = new Dictionary<string, object>
                {
                    [SourceAccountCondition] = new Dictionary<string, object> { ["aws:SourceAccount"] = Aws.ACCOUNT_ID },
                },
            }),
            Description = "Lets Config read the Organization's accounts for the MFA rule's aggregator",
            ManagedPolicies = [ManagedPolicy.FromAwsManagedPolicyName("service-role/AWSConfigRoleForOrganizations")],
        });
        NagSuppressions.Suppress((CfnResource)Role.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM4",
                "AWSConfigRoleForOrganizations is the policy AWS documents for organization aggregators (organizations:Describe*/List* only); " +
                "Config changes what it needs with it.",
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"));

        Aggregator = new CfnConfigurationAggregator(this, "Aggregator", new CfnConfigurationAggregatorProps
        {
            ConfigurationAggregatorName = aggregatorName,
            OrganizationAggregationSource = new CfnConfigurationAggregator.OrganizationAggregationSourceProperty
            {
                AllAwsRegions = true,
                RoleArn = Role.RoleArn,
            },
        });
    }

    public Role Role { get; }
    public CfnConfigurationAggregator Aggregator { get; }
}

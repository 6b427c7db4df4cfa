using Amazon.CDK;
using Amazon.CDK.AWS.Config;
using Amazon.CDK.AWS.IAM;
using Constructs;
using MfaConfigRule.Infra.Constructs.Rule;
using MfaConfigRule.Infra.Constructs.Shared;

namespace MfaConfigRule.Infra.Constructs.Organization;

internal interface IOrganizationMemberProps
{
    /// <summary>
    /// The admin account's values (<see cref="CentralValue"/>) as this account's template sees them: parameters in the
    /// StackSet's member template, the admin stack's own values in the management account.
    /// </summary>
    Func<CentralValue, string> Central { get; }

    string MemberRoleName { get; }
    string ExternalId { get; }
    string RuleName { get; }
    string MaximumExecutionFrequency { get; }
    IReadOnlyDictionary<string, string> InputParameters { get; }
}

internal sealed class OrganizationMemberProps : IOrganizationMemberProps
{
    public required Func<CentralValue, string> Central { get; init; }
    public required string MemberRoleName { get; init; }
    public required string ExternalId { get; init; }
    public required string RuleName { get; init; }
    public required string MaximumExecutionFrequency { get; init; }
    public required IReadOnlyDictionary<string, string> InputParameters { get; init; }
}

/// <summary>
/// What every account of the Organization holds: a normal Config custom rule (so remediation and Security Hub work as in
/// a single account) whose source is the central function, and the role the central function assumes to read this
/// account's IAM and write the rule's evaluations. No code lives here: nothing to distribute per account.
/// </summary>
/// <remarks>
/// Capabilities that need more per account (remediation, Security Hub) add it through <see cref="IOrganizationMemberPart"/>,
/// which gets this construct: its rule, role and names, and <see cref="Central"/> for what it needs from the admin account.
/// </remarks>
internal sealed class OrganizationMember : Construct
{
    public OrganizationMember(Construct scope, string id, IOrganizationMemberProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        Props = props;
        var centralRoleArn = Central(CentralValue.EvaluateRoleArn);

        Role = new Role(this, "MemberRole", new RoleProps
        {
            RoleName = props.MemberRoleName,
            Description = $"Assumed by the central MFA Config rule function ({props.RuleName}) to read IAM users and report their evaluations here",
            // Only the central function's role, only with the deployment's external ID, and only while its account is in
            // the Organization. AWS turns the role ARN into the role's unique ID: a central role that is replaced is trusted
            // again once the StackSet passes the new ARN.
            AssumedBy = new ArnPrincipal(centralRoleArn).WithConditions(new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object>
                {
                    ["sts:ExternalId"] = props.ExternalId,
                    ["aws:PrincipalOrgID"] = Central(CentralValue.OrganizationId),
                },
            }),
            MaxSessionDuration = Duration.Hours(1),
        });

        ReadPolicy = new Policy(this, "MemberPermissions", new PolicyProps
        {
            Roles = [Role],
            Statements =
            [
                // The same reads and writes as the single-account evaluate function.
                .. MfaConfigRuleConstruct.ReadAndReportStatements(),
            ],
        });
        NagSuppressions.Suppress((CfnResource)ReadPolicy.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM5",
                "iam:ListUsers, ListVirtualMFADevices, GenerateCredentialReport, GetCredentialReport, cloudtrail:LookupEvents, " +
                "config:PutEvaluations and GetResourceConfigHistory support no resource-level permissions (Service Authorization Reference); " +
                "the per-user IAM reads are limited to IAM users of this account, which the rule evaluates all of.",
                "Resource::*", "Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*"));

        Rule = new CfnConfigRule(this, "Rule", new CfnConfigRuleProps
        {
            ConfigRuleName = props.RuleName,
            Description = MfaConfigRuleConstruct.Description,
            Source = MfaConfigRuleConstruct.RuleSource(Central(CentralValue.EvaluateFunctionArn), props.MaximumExecutionFrequency),
            Scope = MfaConfigRuleConstruct.RuleScope,
            InputParameters = props.InputParameters.ToDictionary(p => p.Key, p => (object)p.Value, StringComparer.Ordinal),
        });
        // Config evaluates as soon as the rule exists, and the central function then assumes the role.
        Rule.Node.AddDependency(ReadPolicy);

        ResultsPolicy = new Policy(this, "MemberReadOwnResults", new PolicyProps
        {
            Roles = [Role],
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReadOwnEvaluations",
                    Actions = ["config:GetComplianceDetailsByConfigRule"],
                    Resources = [Rule.AttrArn],
                }),
            ],
        });
    }

    public IOrganizationMemberProps Props { get; }

    /// <summary>A value from the admin account, as this account's template has it (see <see cref="CentralValue"/>).</summary>
    public string Central(CentralValue value) => Props.Central(value);
    public Role Role { get; }
    public CfnConfigRule Rule { get; }
    public Policy ReadPolicy { get; }
    public Policy ResultsPolicy { get; }
}

/// <summary>A per-account piece a capability adds to every account of the Organization (remediation, Security Hub).</summary>
internal interface IOrganizationMemberPart
{
    /// <summary>
    /// The part's pieces in the admin account, if it has any (a central function, a bus): called once on the admin stack
    /// before any member is built, so it can <see cref="OrganizationCentral.Provide"/> the values members need.
    /// </summary>
    void AddCentral(OrganizationCentral central)
    {
    }

    /// <summary>The part's pieces in one account: called for the member template and for the management account.</summary>
    void AddTo(OrganizationMember member);
}

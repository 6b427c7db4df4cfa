using Amazon.CDK;
using Amazon.CDK.AWS.Config;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SSM;
using Constructs;
using MfaConfigRule.Contract;
using MfaConfigRule.Infra.Constructs.Remediation;
using MfaConfigRule.Infra.Constructs.Shared;

namespace MfaConfigRule.Infra.Constructs.Organization;

/// <summary>
/// Optional remediation in every account of the Organization (<c>-c mfaRule:remediation=manual|automatic</c> with the
/// Organization deployment). Central: one <c>remediate</c> function in the admin account with no resource-based policy,
/// its hourly lift across the members, and the invoker role (<see cref="InvokerRoleName"/>), the only principal that may
/// invoke it: trusted only by a role named <see cref="AutomationRoleName"/> in an account of the Organization. Per
/// member: the enforcement policy (attached to users there, so it lives there), the runbook (whose first step assumes the
/// invoker role and invokes the central function by ARN), the Automation role of that fixed name that may only assume
/// the invoker role, Config's remediation configuration on the member's rule, and a remediation role, separate from the
/// evaluation role, trusted only by the central function's role and allowed what the single-account remediate function
/// may do, in that account, plus reading its automations.
/// </summary>
/// <remarks>
/// The central function acts in the account a runbook names only once that account's own SSM shows the automation
/// running this runbook for the same user (the rule's <c>MemberRemediationCheck</c>): whoever in an Organization account
/// can create a role named <see cref="AutomationRoleName"/> can reach the function, so the payload's account is a claim,
/// not a fact. Names are fixed so the central function can build them for any account (the remediation role, the
/// runbook, the enforcement policy's path and name) and so the invoker role's trust can name the Automation role.
/// </remarks>
internal interface IOrganizationRemediationProps
{
    string RuleName { get; }

    /// <summary>The rule's parameters, which the central function applies again before it acts (as the single-account one does).</summary>
    IReadOnlyDictionary<string, string> RuleParameters { get; }

    RemediationAction Action { get; }

    /// <summary>Config runs the remediation by itself (automatic) rather than when an operator asks (manual).</summary>
    bool Automatic { get; }

    bool DenyAccessKeys { get; }
    int MaximumAutomaticAttempts { get; }
    int RetryAttemptSeconds { get; }
    RetentionDays LogRetention { get; }

    /// <summary>Executions reserved for the central remediate function (sized from the account count); null reserves none.</summary>
    int? ReservedConcurrency { get; }
}

internal sealed class OrganizationRemediationProps : IOrganizationRemediationProps
{
    public required string RuleName { get; init; }
    public required IReadOnlyDictionary<string, string> RuleParameters { get; init; }
    public required RemediationAction Action { get; init; }
    public required bool Automatic { get; init; }
    public bool DenyAccessKeys { get; init; }
    public int MaximumAutomaticAttempts { get; init; } = 5;
    public int RetryAttemptSeconds { get; init; } = 60;
    public required RetentionDays LogRetention { get; init; }
    public int? ReservedConcurrency { get; init; }
}

internal sealed class OrganizationRemediation(IOrganizationRemediationProps props) : IOrganizationMemberPart
{
    public const string RemediationRoleName = "MfaConfigRule-Remediation";
    public const string DocumentName = "MfaConfigRule-Remediation";
    public const string EnforcementPolicyName = "MfaConfigRule-EnforceMfa";

    /// <summary>The admin account's role whose sessions invoke the central function for the members' runbooks.</summary>
    public const string InvokerRoleName = RemediationDocument.CentralInvokerRoleName;

    /// <summary>Every member's (and the management account's) Automation role: the one name the invoker role trusts.</summary>
    public const string AutomationRoleName = RemediationDocument.MemberAutomationRoleName;

    public static CentralValue RemediateFunctionArn { get; } = new(
        "CentralRemediateFunctionArn", "The central remediate function in the admin account, which this account's runbook invokes",
        "^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:.+$");

    public static CentralValue InvokerRoleArn { get; } = new(
        "CentralRemediationInvokerRoleArn", "The admin account's invoker role, which this account's runbook assumes to invoke the central remediate function",
        "^arn:aws[a-z-]*:iam::[0-9]{12}:role/" + InvokerRoleName + "$");

    public static CentralValue RemediateRoleArn { get; } = new(
        "CentralRemediateRoleArn", "The central remediate function's role, the only principal this account's remediation role trusts",
        "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$");

    private bool Enforce => props.Action == RemediationAction.EnforceMfa;

    public MfaRuleFunction? RemediateFunction { get; private set; }
    public Policy? CentralPermissions { get; private set; }
    /// <summary>The only principal that may invoke the central function (by its identity policy, <see cref="InvokerPolicy"/>).</summary>
    public Role? InvokerRole { get; private set; }

    public Policy? InvokerPolicy { get; private set; }
    public Amazon.CDK.AWS.Events.Rule? LiftSchedule { get; private set; }

    public void AddCentral(OrganizationCentral central)
    {
        ArgumentNullException.ThrowIfNull(central);
        var scope = new Construct(central.Stack, "CentralRemediation");
        var environment = RemediationConstruct.FunctionEnvironment(props.Action, props.RuleParameters,
            // The admin account's own policy; the function puts each member's account into this ARN.
            Enforce ? $"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:policy{RemediationConstruct.PolicyPath}{EnforcementPolicyName}" : null);
        environment[MemberRemediationSettings.RoleVariable] = RemediationRoleName;
        environment[OrganizationSettings.ExternalIdVariable] = central.ExternalId;
        environment[MemberRemediationSettings.DocumentNameVariable] = DocumentName;
        environment[OrganizationSettings.AccountsVariable] = OrganizationSettings.WholeOrganization;

        RemediateFunction = new MfaRuleFunction(scope, "Remediate", new MfaRuleFunctionProps
        {
            Code = central.Code,
            Handler = "remediate",
            Description = $"Remediates NON_COMPLIANT users of {props.RuleName} in every Organization account ({props.Action.ToWire()}), " +
                "once the account's own SSM shows the automation asking for it",
            MemorySize = 256,
            // A remediation is a few calls in one account (the runbook step allows 120 s); the hourly lift sweeps every
            // account, 8 at a time, so it gets Lambda's longest timeout.
            Timeout = Duration.Minutes(15),
            LogRetention = props.LogRetention,
            Environment = environment,
            AsyncRetryAttempts = 0,
            MaxEventAge = Duration.Hours(1),
            // Only the invoker role may invoke it, but any Organization account that can create a role of the Automation
            // role's name can reach that role: the reservation bounds what a flood of invocations can take from the admin
            // account's other functions.
            ReservedConcurrency = props.ReservedConcurrency,
        });

        CentralPermissions = new Policy(scope, "CentralRemediatePermissions", new PolicyProps
        {
            Roles = [RemediateFunction.Role],
            Statements = CentralMemberAccess.Statements("AssumeMemberRemediationRole", RemediationRoleName, central.OrganizationId),
        });
        CentralMemberAccess.Suppress(CentralPermissions, RemediationRoleName);
        RemediateFunction.Function.Node.AddDependency(CentralPermissions);

        // Who may invoke it: only sessions of the invoker role, by the role's identity policy (same account: no
        // resource-based policy is needed, and the function has none that admits another account). The invoker role
        // trusts any principal ("*") only when both hold: its account is in this Organization (aws:PrincipalOrgID), and
        // it is a role named AutomationRoleName (aws:PrincipalArn: "For IAM roles, the request context returns the ARN of
        // the role, not the ARN of the user that assumed the role", AWS global condition context keys, IAM User Guide,
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn;
        // ArnLike compares each colon-separated part, so a role of that name under another path does not match).
        // A Lambda permission could say neither "that role name in any account" nor more than PrincipalOrgID; a trust
        // policy can. Proven with iam-simulate by infra/organization/check-cross-account-access.js.
        InvokerRole = new Role(scope, "InvokerRole", new RoleProps
        {
            RoleName = InvokerRoleName,
            Description = $"Assumed by every Organization account's {AutomationRoleName} (the remediation runbook of {props.RuleName}) to invoke the central remediate function, and nothing else",
            AssumedBy = new AnyPrincipal().WithConditions(new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:PrincipalOrgID"] = central.OrganizationId },
                ["ArnLike"] = new Dictionary<string, object> { ["aws:PrincipalArn"] = $"arn:{Aws.PARTITION}:iam::*:role/{AutomationRoleName}" },
            }),
            MaxSessionDuration = Duration.Hours(1),
        });
        InvokerPolicy = new Policy(scope, "InvokerPermissions", new PolicyProps
        {
            Roles = [InvokerRole],
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "InvokeTheCentralRemediateFunction",
                    Actions = ["lambda:InvokeFunction"],
                    Resources = [RemediateFunction.Function.FunctionArn],
                }),
            ],
        });
        // A member's first automation (automatic remediation starts as soon as its rule has results) must not be denied:
        // the role's right to invoke exists before the StackSet (and the management account's rule). The policy names
        // the role (Ref), and the StackSet passes its ARN (GetAtt), so the role itself comes first either way; a DependsOn
        // on it as well would be redundant (cfn-lint W3005).
        central.RequireBeforeMembers(InvokerPolicy);

        if (Enforce)
        {
            LiftSchedule = new Amazon.CDK.AWS.Events.Rule(scope, "LiftSchedule", new Amazon.CDK.AWS.Events.RuleProps
            {
                Description = $"Hourly: detach the MFA enforcement policy from users of {props.RuleName}, in every account, who are no longer NON_COMPLIANT",
                Schedule = Schedule.Rate(Duration.Hours(1)),
                Targets = [new LambdaFunction(RemediateFunction.Function, new LambdaFunctionProps { MaxEventAge = Duration.Hours(1), RetryAttempts = 2 })],
            });
        }

        central.Provide(RemediateFunctionArn, RemediateFunction.Function.FunctionArn);
        central.Provide(RemediateRoleArn, RemediateFunction.Role.RoleArn);
        central.Provide(InvokerRoleArn, InvokerRole.RoleArn);
    }

    public void AddTo(OrganizationMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        _ = new OrganizationMemberRemediation(member, "Remediation", props, member.Central(RemediateFunctionArn), member.Central(InvokerRoleArn),
            member.Central(RemediateRoleArn), member.Central(CentralValue.OrganizationId));
    }
}

/// <summary>One account's remediation pieces (see <see cref="OrganizationRemediation"/>); no code, only IAM, SSM and Config.</summary>
internal sealed class OrganizationMemberRemediation : Construct
{
    public OrganizationMemberRemediation(OrganizationMember member, string id, IOrganizationRemediationProps props, string functionArn, string invokerRoleArn,
        string centralRoleArn, string organizationId)
        : base(member, id)
    {
        var ruleName = member.Props.RuleName;
        var enforce = props.Action == RemediationAction.EnforceMfa;
        if (enforce) EnforcementPolicy = RemediationConstruct.NewEnforcementPolicy(this, props.DenyAccessKeys, OrganizationRemediation.EnforcementPolicyName);

        Role = new Role(this, "RemediationRole", new RoleProps
        {
            RoleName = OrganizationRemediation.RemediationRoleName,
            Description = $"Assumed by the central MFA Config rule remediate function ({ruleName}) to remediate IAM users here; evaluation has its own role",
            AssumedBy = new ArnPrincipal(centralRoleArn).WithConditions(new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object>
                {
                    ["sts:ExternalId"] = member.Props.ExternalId,
                    ["aws:PrincipalOrgID"] = organizationId,
                },
            }),
            MaxSessionDuration = Duration.Hours(1),
        });
        var statements = RemediationConstruct.RemediateStatements(props.Action, EnforcementPolicy?.ManagedPolicyArn);
        // The confused-deputy check: the automation that asked must exist and run here.
        statements.Add(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReadTheAskingAutomation",
            Actions = ["ssm:GetAutomationExecution"],
            Resources = [$"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:automation-execution/*"],
        }));
        Permissions = new Policy(this, "RemediationPermissions", new PolicyProps { Roles = [Role], Statements = [.. statements] });
        NagSuppressions.Suppress((CfnResource)Permissions.Node.DefaultChild!, RemediationConstruct.RemediateStatementsSuppression with
        {
            AppliesTo = [.. RemediationConstruct.RemediateStatementsSuppression.AppliesTo, "Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:automation-execution/*"],
        });

        // Fixed name: the admin account's invoker role trusts exactly this name (aws:PrincipalArn). It may assume that
        // role and nothing else; the invoke itself is the invoker role's.
        (AutomationRole, AutomationPolicy) = RemediationConstruct.NewAutomationRole(this, OrganizationRemediation.AutomationRoleName,
            $"SSM Automation runs the remediation runbook of {ruleName} as this role: it may only assume the admin account's invoker role, which may only invoke the central remediate function",
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "AssumeTheCentralInvokerRole",
                Actions = ["sts:AssumeRole"],
                Resources = [invokerRoleArn],
            }));

        Document = new CfnDocument(this, "Runbook", new CfnDocumentProps
        {
            Name = OrganizationRemediation.DocumentName,
            DocumentType = "Automation",
            DocumentFormat = "YAML",
            Content = RemediationDocument.OrganizationContent(functionArn, invokerRoleArn, props.Action, ruleName),
            // The name is fixed (the central function checks it), so a changed runbook is a new version of it.
            UpdateMethod = "NewVersion",
        });

        Configuration = RemediationConstruct.NewConfiguration(this, ruleName, props.Action, props.Automatic,
            props.MaximumAutomaticAttempts, props.RetryAttemptSeconds, Document.Ref, AutomationRole.RoleArn);
        // Config refuses a remediation configuration for a rule that does not exist yet; Automation must be able to run as
        // its role, and the central function to act here, before Config starts one.
        Configuration.AddDependency(member.Rule);
        Configuration.Node.AddDependency(AutomationPolicy);
        Configuration.Node.AddDependency(Permissions);
    }

    public ManagedPolicy? EnforcementPolicy { get; }
    public Role Role { get; }
    public Policy Permissions { get; }
    public Role AutomationRole { get; }
    public Policy AutomationPolicy { get; }
    public CfnDocument Document { get; }
    public CfnRemediationConfiguration Configuration { get; }
}

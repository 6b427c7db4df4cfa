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
/// Organization deployment). Central: one <c>remediate</c> function in the admin account, which principals of the
/// Organization may invoke (<c>aws:PrincipalOrgID</c>), and its hourly lift across the members. Per member: the
/// enforcement policy (attached to users there, so it lives there), the same runbook as one account (invoking the
/// central function by ARN), the Automation role that may only invoke it, Config's remediation configuration on the
/// member's rule, and a remediation role, separate from the evaluation role, trusted only by the central function's
/// role and allowed what the single-account remediate function may do, in that account, plus reading its automations.
/// </summary>
/// <remarks>
/// The central function acts in the account a runbook names only once that account's own SSM shows the automation
/// running this runbook for the same user (the rule's <c>MemberRemediationCheck</c>): any account of the Organization can
/// invoke it, so the payload's account is a claim, not a fact. Names are fixed so the central function can build them
/// for any account: the remediation role, the runbook, and the enforcement policy's path and name.
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

    public static CentralValue RemediateFunctionArn { get; } = new(
        "CentralRemediateFunctionArn", "The central remediate function in the admin account, which this account's runbook invokes",
        "^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:.+$");

    public static CentralValue RemediateRoleArn { get; } = new(
        "CentralRemediateRoleArn", "The central remediate function's role, the only principal this account's remediation role trusts",
        "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$");

    private bool Enforce => props.Action == RemediationAction.EnforceMfa;

    public MfaRuleFunction? RemediateFunction { get; private set; }
    public Policy? CentralPermissions { get; private set; }
    public CfnPermission? InvokePermission { get; private set; }
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
            // Any principal of the Organization may invoke it (InvokePermission): the reservation bounds what a flood of
            // invocations can take from the admin account's other functions.
            ReservedConcurrency = props.ReservedConcurrency,
        });

        CentralPermissions = new Policy(scope, "CentralRemediatePermissions", new PolicyProps
        {
            Roles = [RemediateFunction.Role],
            Statements = CentralMemberAccess.Statements("AssumeMemberRemediationRole", RemediationRoleName, central.OrganizationId),
        });
        CentralMemberAccess.Suppress(CentralPermissions, RemediationRoleName);
        RemediateFunction.Function.Node.AddDependency(CentralPermissions);

        // Every member's Automation role invokes it cross-account. Principal "*" narrowed by PrincipalOrgID (Lambda's
        // documented form for an Organization): only principals of this Organization, and each of them only with its own
        // identity policy's lambda:InvokeFunction on this ARN (or on "*"); the function then proves the request in the
        // named account. AWS::Lambda::Permission cannot write aws:PrincipalArn, and a Principal cannot be a pattern, so no
        // narrower statement admits every member's Automation role (docs/organization.md, "Who may invoke the central
        // remediate function"); proven with iam-simulate by infra/organization/check-cross-account-access.js.
        InvokePermission = new CfnPermission(scope, "OrganizationInvokePermission", new CfnPermissionProps
        {
            Action = "lambda:InvokeFunction",
            FunctionName = RemediateFunction.Function.FunctionArn,
            Principal = "*",
            PrincipalOrgId = central.OrganizationId,
        });
        // A member's first automation (automatic remediation starts as soon as its rule has results) must not be denied.
        central.RequireBeforeMembers(InvokePermission);

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
    }

    public void AddTo(OrganizationMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        _ = new OrganizationMemberRemediation(member, "Remediation", props, member.Central(RemediateFunctionArn), member.Central(RemediateRoleArn), member.Central(CentralValue.OrganizationId));
    }
}

/// <summary>One account's remediation pieces (see <see cref="OrganizationRemediation"/>); no code, only IAM, SSM and Config.</summary>
internal sealed class OrganizationMemberRemediation : Construct
{
    public OrganizationMemberRemediation(OrganizationMember member, string id, IOrganizationRemediationProps props, string functionArn, string centralRoleArn, string organizationId)
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

        (AutomationRole, AutomationPolicy) = RemediationConstruct.NewAutomationRole(this, ruleName, functionArn);

        Document = new CfnDocument(this, "Runbook", new CfnDocumentProps
        {
            Name = OrganizationRemediation.DocumentName,
            DocumentType = "Automation",
            DocumentFormat = "YAML",
            Content = RemediationDocument.Content(functionArn, props.Action, ruleName, organization: true),
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

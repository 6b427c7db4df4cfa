using System.Text.Json;
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
using MfaConfigRule.Infra.Constructs.Shared;

namespace MfaConfigRule.Infra.Constructs.Remediation;

internal interface IRemediationProps
{
    Code Code { get; }
    string ConfigRuleName { get; }

    /// <summary>The deployed rule's parameters: remediation judges users exactly as the rule does.</summary>
    IReadOnlyDictionary<string, string> RuleParameters { get; }

    bool Automatic { get; }
    RemediationAction Action { get; }
    bool DenyAccessKeys { get; }
    int MaximumAutomaticAttempts { get; }
    int RetryAttemptSeconds { get; }
    RetentionDays LogRetention { get; }
}

internal sealed class RemediationProps : IRemediationProps
{
    public required Code Code { get; init; }
    public required string ConfigRuleName { get; init; }
    public required IReadOnlyDictionary<string, string> RuleParameters { get; init; }
    public required bool Automatic { get; init; }
    public required RemediationAction Action { get; init; }
    public bool DenyAccessKeys { get; init; }
    public int MaximumAutomaticAttempts { get; init; } = 5;
    public int RetryAttemptSeconds { get; init; } = 60;
    public required RetentionDays LogRetention { get; init; }
}

/// <summary>
/// Optional remediation of NON_COMPLIANT users: the <c>remediate</c> function (which decides, in C#, with the rule's
/// evaluator), the SSM Automation runbook that invokes it, the role Automation runs as (it may only invoke that
/// function), Config's remediation configuration (manual, or automatic with bounded attempts) and, for EnforceMfa,
/// the enforcement policy and an hourly run of the function that lifts it from users who turned MFA on.
/// </summary>
/// <remarks>
/// Rights are split three ways: the evaluate function stays read-only; the remediate function may attach and detach only
/// this stack's enforcement policy (condition on <c>iam:PolicyARN</c>), or, only with DisableConsoleAccess, delete login
/// profiles; the Automation role may only invoke the remediate function.
/// </remarks>
internal sealed class RemediationConstruct : Construct
{
    public const string PolicyPath = "/mfa-config-rule/";

    public RemediationConstruct(Construct scope, string id, IRemediationProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        var enforce = props.Action == RemediationAction.EnforceMfa;

        if (enforce) EnforcementPolicy = NewEnforcementPolicy(this, props.DenyAccessKeys, null);

        RemediateFunction = new MfaRuleFunction(this, "Remediate", new MfaRuleFunctionProps
        {
            Code = props.Code,
            Handler = "remediate",
            Description = $"Remediates NON_COMPLIANT users of the Config rule {props.ConfigRuleName} ({props.Action.ToWire()}), re-confirming each live",
            MemorySize = 256,
            // ListUsers (every page) and a handful of per-user calls; the runbook step allows 120 s.
            Timeout = Duration.Seconds(90),
            LogRetention = props.LogRetention,
            Environment = FunctionEnvironment(props, EnforcementPolicy),
            // The runbook invokes it synchronously; only the hourly lifting run is asynchronous, and the next hour's run
            // is its retry: no Lambda retries, and an event older than that hour is dropped.
            AsyncRetryAttempts = 0,
            MaxEventAge = Duration.Hours(1),
        });

        var statements = RemediateStatements(props.Action, EnforcementPolicy?.ManagedPolicyArn);
        Permissions = new Policy(this, "RemediatePermissions", new PolicyProps { Roles = [RemediateFunction.Role], Statements = [.. statements] });
        NagSuppressions.Suppress((CfnResource)Permissions.Node.DefaultChild!, RemediateStatementsSuppression);
        RemediateFunction.Function.Node.AddDependency(Permissions);

        (AutomationRole, AutomationPolicy) = NewAutomationRole(this, props.ConfigRuleName, RemediateFunction.Function.FunctionArn);

        Document = new CfnDocument(this, "Runbook", new CfnDocumentProps
        {
            DocumentType = "Automation",
            DocumentFormat = "YAML",
            Content = RemediationDocument.Content(RemediateFunction.Function.FunctionArn, props.Action, props.ConfigRuleName),
            // A changed runbook becomes a new document, so the remediation configuration always points at a whole one.
            UpdateMethod = "Replace",
        });

        Configuration = NewConfiguration(this, props, Document.Ref, AutomationRole.RoleArn);
        // Automation must be able to run as the role, and the role to invoke, before Config starts a remediation.
        Configuration.Node.AddDependency(AutomationPolicy);

        if (EnforcementPolicy is not null)
        {
            // Lifting: Config only remediates NON_COMPLIANT users, so a user who turned MFA on is freed by this hourly run,
            // which re-reads every holder of the policy live. Once they sign in with MFA the policy restricts nothing anyway.
            LiftSchedule = new Amazon.CDK.AWS.Events.Rule(this, "LiftSchedule", new Amazon.CDK.AWS.Events.RuleProps
            {
                Description = $"Hourly: detach the MFA enforcement policy from users of {props.ConfigRuleName} who are no longer NON_COMPLIANT",
                Schedule = Schedule.Rate(Duration.Hours(1)),
                Targets = [new LambdaFunction(RemediateFunction.Function, new LambdaFunctionProps { MaxEventAge = Duration.Hours(1), RetryAttempts = 2 })],
            });
        }
    }

    /// <summary>The remediate function's environment: the action, the rule's parameters and, for EnforceMfa, the enforcement policy's ARN.</summary>
    internal static Dictionary<string, string> FunctionEnvironment(RemediationAction action, IReadOnlyDictionary<string, string> ruleParameters, string? enforcementPolicyArn)
    {
        var environment = new Dictionary<string, string>
        {
            [RemediationEnvironment.Action] = action.ToWire(),
            [RemediationEnvironment.RuleParameters] = JsonSerializer.Serialize(
                new SortedDictionary<string, string>(ruleParameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal)),
        };
        if (enforcementPolicyArn is not null) environment[RemediationEnvironment.EnforcementPolicyArn] = enforcementPolicyArn;
        return environment;
    }

    private static Dictionary<string, string> FunctionEnvironment(IRemediationProps props, ManagedPolicy? enforcementPolicy) =>
        FunctionEnvironment(props.Action, props.RuleParameters, enforcementPolicy?.ManagedPolicyArn);

    /// <summary>The EnforceMfa policy; <paramref name="name"/> fixes its name (an Organization's members share one ARN shape).</summary>
    internal static ManagedPolicy NewEnforcementPolicy(Construct scope, bool denyAccessKeys, string? name)
    {
        var policy = new ManagedPolicy(scope, "EnforcementPolicy", new ManagedPolicyProps
        {
            ManagedPolicyName = name,
            Path = PolicyPath,
            Description = "MFA Config rule remediation (EnforceMfa): until the user signs in with MFA, only their own password and MFA device" +
                (denyAccessKeys ? "; access keys too" : "; access keys unaffected"),
            Document = RemediationEnforcementPolicy.Document(denyAccessKeys),
        });
        NagSuppressions.Suppress((CfnResource)policy.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM5",
                "A Deny of everything but self-service (NotAction on *) is the policy's purpose; the allows name only the caller's own user " +
                "(${aws:username}), and iam:GetAccountPasswordPolicy, ListVirtualMFADevices and CreateVirtualMFADevice (any device name) are account-wide by nature.",
                "Resource::*", $"Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:mfa/*",
                "Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*/<aws:username>"));
        return policy;
    }

    /// <summary>
    /// What remediating users of this account takes, and nothing more: find a user by ID, read them live, and either attach
    /// and detach only the enforcement policy (condition on <c>iam:PolicyARN</c>) or delete login profiles.
    /// </summary>
    internal static List<PolicyStatement> RemediateStatements(RemediationAction action, string? enforcementPolicyArn)
    {
        var userArns = $"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:user/*";
        var statements = new List<PolicyStatement>
        {
            // The user ID Config passes is resolved by listing users; ListUsers has no resource type (Service
            // Authorization Reference), so "*" only.
            new(new PolicyStatementProps { Sid = "FindUserById", Actions = ["iam:ListUsers"], Resources = ["*"] }),
            new(new PolicyStatementProps
            {
                Sid = "ReadUserLive",
                Actions = ["iam:GetUser", "iam:GetLoginProfile", "iam:ListMFADevices", "iam:ListUserTags", "iam:ListAttachedUserPolicies"],
                Resources = [userArns],
            }),
        };
        if (action == RemediationAction.EnforceMfa)
        {
            var policyArn = enforcementPolicyArn ?? throw new ArgumentException("EnforceMfa needs the enforcement policy's ARN", nameof(enforcementPolicyArn));
            statements.Add(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "AttachOnlyTheEnforcementPolicy",
                Actions = ["iam:AttachUserPolicy", "iam:DetachUserPolicy"],
                Resources = [userArns],
                Conditions = new Dictionary<string, object>
                {
                    ["ArnEquals"] = new Dictionary<string, object> { ["iam:PolicyARN"] = policyArn },
                },
            }));
            statements.Add(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "FindUsersHoldingTheEnforcementPolicy",
                Actions = ["iam:ListEntitiesForPolicy"],
                Resources = [policyArn],
            }));
        }
        else
        {
            statements.Add(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "RemoveConsolePasswords",
                Actions = ["iam:DeleteLoginProfile"],
                Resources = [userArns],
            }));
        }
        return statements;
    }

    /// <summary>The cdk-nag reason for <see cref="RemediateStatements"/>' wildcards.</summary>
    internal static NagSuppression RemediateStatementsSuppression { get; } = new("AwsSolutions-IAM5",
        "iam:ListUsers supports no resource-level permissions (Service Authorization Reference); the per-user calls are limited to IAM users " +
        "of this account, any of which Config may name, and attach/detach are further limited to this stack's enforcement policy by iam:PolicyARN.",
        "Resource::*", "Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*");

    /// <summary>The role SSM Automation runs the runbook as, trusted by this account's Automation only: it may only invoke <paramref name="functionArn"/>.</summary>
    internal static (Role Role, Policy Policy) NewAutomationRole(Construct scope, string ruleName, string functionArn) =>
        NewAutomationRole(scope, roleName: null,
            $"SSM Automation runs the remediation runbook of {ruleName} as this role: it may only invoke the remediate function",
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "InvokeTheRemediateFunction",
                Actions = ["lambda:InvokeFunction"],
                Resources = [functionArn],
            }));

    /// <summary>
    /// The role SSM Automation runs a runbook as, trusted by this account's Automation only, allowed only <paramref name="allowed"/>;
    /// <paramref name="roleName"/> fixes its name (an Organization's invoker role trusts it by name), null lets CloudFormation name it.
    /// </summary>
    internal static (Role Role, Policy Policy) NewAutomationRole(Construct scope, string? roleName, string description, PolicyStatement allowed)
    {
        var role = new Role(scope, "AutomationRole", new RoleProps
        {
            RoleName = roleName,
            Description = description,
            AssumedBy = new ServicePrincipal("ssm.amazonaws.com", new ServicePrincipalOpts
            {
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = Aws.ACCOUNT_ID },
                    ["ArnLike"] = new Dictionary<string, object>
                    {
                        ["aws:SourceArn"] = $"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:automation-execution/*",
                    },
                },
            }),
        });
        var policy = new Policy(scope, "AutomationPermissions", new PolicyProps { Roles = [role], Statements = [allowed] });
        return (role, policy);
    }

    /// <summary>Config's remediation of the rule's NON_COMPLIANT users through the runbook <paramref name="documentName"/>.</summary>
    internal static CfnRemediationConfiguration NewConfiguration(Construct scope, IRemediationProps props, string documentName, string automationRoleArn) =>
        NewConfiguration(scope, props.ConfigRuleName, props.Action, props.Automatic, props.MaximumAutomaticAttempts, props.RetryAttemptSeconds, documentName, automationRoleArn);

    internal static CfnRemediationConfiguration NewConfiguration(Construct scope, string ruleName, RemediationAction action, bool automatic,
        int maximumAutomaticAttempts, int retryAttemptSeconds, string documentName, string automationRoleArn) =>
        new(scope, "Configuration", new CfnRemediationConfigurationProps
        {
            ConfigRuleName = ruleName,
            TargetType = "SSM_DOCUMENT",
            TargetId = documentName,
            ResourceType = "AWS::IAM::User",
            // Plain dictionaries: CDK 2.160 writes the typed parameter structs with camelCase keys, which are not the CFN shape.
            Parameters = new Dictionary<string, object>
            {
                ["IAMResourceId"] = new Dictionary<string, object> { ["ResourceValue"] = new Dictionary<string, object> { ["Value"] = "RESOURCE_ID" } },
                ["AutomationAssumeRole"] = new Dictionary<string, object> { ["StaticValue"] = new Dictionary<string, object> { ["Values"] = new[] { automationRoleArn } } },
                ["Action"] = new Dictionary<string, object> { ["StaticValue"] = new Dictionary<string, object> { ["Values"] = new[] { action.ToWire() } } },
                ["DryRun"] = new Dictionary<string, object> { ["StaticValue"] = new Dictionary<string, object> { ["Values"] = new[] { "false" } } },
            },
            Automatic = automatic,
            MaximumAutomaticAttempts = automatic ? maximumAutomaticAttempts : null,
            RetryAttemptSeconds = automatic ? retryAttemptSeconds : null,
        });

    public ManagedPolicy? EnforcementPolicy { get; }
    public MfaRuleFunction RemediateFunction { get; }
    public Policy Permissions { get; }
    public Role AutomationRole { get; }
    public Policy AutomationPolicy { get; }
    public CfnDocument Document { get; }
    public CfnRemediationConfiguration Configuration { get; }
    public Amazon.CDK.AWS.Events.Rule? LiftSchedule { get; }
}

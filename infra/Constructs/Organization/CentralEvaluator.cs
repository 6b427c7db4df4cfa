using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Constructs;
using MfaConfigRule.Contract;
using MfaConfigRule.Infra.Constructs.Shared;

namespace MfaConfigRule.Infra.Constructs.Organization;

internal interface ICentralEvaluatorProps
{
    Code Code { get; }

    /// <summary>The Organization's ID (<c>o-…</c>): the only Organization whose accounts' member roles it may assume.</summary>
    string OrganizationId { get; }

    string RuleName { get; }
    string MemberRoleName { get; }
    string ExternalId { get; }
    int MemorySize { get; }
    Duration Timeout { get; }
    RetentionDays LogRetention { get; }

    /// <summary>How long Lambda keeps an invocation it could not yet run or retry: until the next periodic run.</summary>
    Duration EventMaxAge { get; }

    /// <summary>Executions reserved for it (the Organization's account count plus headroom); null reserves none.</summary>
    int? ReservedConcurrency { get; }
}

internal sealed class CentralEvaluatorProps : ICentralEvaluatorProps
{
    public required Code Code { get; init; }
    public required string OrganizationId { get; init; }
    public required string RuleName { get; init; }
    public required string MemberRoleName { get; init; }
    public required string ExternalId { get; init; }
    public required int MemorySize { get; init; }
    public required Duration Timeout { get; init; }
    public required RetentionDays LogRetention { get; init; }
    public required Duration EventMaxAge { get; init; }
    public int? ReservedConcurrency { get; init; }
}

/// <summary>
/// The one <c>evaluate</c> function of an Organization deployment, in the admin account. Every account's Config rule
/// invokes it; it admits only events of the Organization's active accounts, assumes the member role named by
/// <see cref="ICentralEvaluatorProps.MemberRoleName"/> in the event's account, and never Config's own role.
/// </summary>
internal sealed class CentralEvaluator : Construct
{
    public CentralEvaluator(Construct scope, string id, ICentralEvaluatorProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);

        EvaluateFunction = new MfaRuleFunction(this, "Evaluate", new MfaRuleFunctionProps
        {
            Code = props.Code,
            Handler = "evaluate",
            Description = $"Evaluates IAM users of every Organization account for the Config rule {props.RuleName}, through each account's {props.MemberRoleName} role",
            MemorySize = props.MemorySize,
            Timeout = props.Timeout,
            LogRetention = props.LogRetention,
            // Every account's Config invokes it asynchronously; as in a single account, a run that left users without a
            // verdict is worth both of Lambda's retries.
            AsyncRetryAttempts = 2,
            MaxEventAge = props.EventMaxAge,
            // Config may invoke it from any account (see InvokePermission): the reservation bounds what such invocations
            // can take, both from the admin account's other functions and, as a ceiling, from the Organization's own.
            ReservedConcurrency = props.ReservedConcurrency,
            // An invocation that failed three times or aged out is kept (and alarmed on), not dropped.
            KeepFailedEvents = true,
            Environment = new Dictionary<string, string>
            {
                [OrganizationSettings.MemberRoleVariable] = props.MemberRoleName,
                [OrganizationSettings.ExternalIdVariable] = props.ExternalId,
                [OrganizationSettings.AccountsVariable] = OrganizationSettings.WholeOrganization,
            },
        });

        Permissions = new Policy(this, "CentralPermissions", new PolicyProps
        {
            Roles = [EvaluateFunction.Role],
            Statements = CentralMemberAccess.Statements("AssumeMemberRole", props.MemberRoleName, props.OrganizationId),
        });
        CentralMemberAccess.Suppress(Permissions, props.MemberRoleName);

        // Config invokes the function from each member account, so SourceAccount (this account only) would refuse them;
        // SourceArn's schema takes only a 12-digit or empty account (no arn:...:config:REGION:*:config-rule/*), and
        // PrincipalOrgID writes aws:PrincipalOrgID, which a service principal's request does not carry. Nothing
        // CloudFormation can write admits exactly the Organization: the function itself refuses any account outside it.
        InvokePermission = new CfnPermission(this, "ConfigInvokePermission", new CfnPermissionProps
        {
            Action = "lambda:InvokeFunction",
            FunctionName = EvaluateFunction.Function.FunctionArn,
            Principal = "config.amazonaws.com",
        });
    }

    public MfaRuleFunction EvaluateFunction { get; }
    public Policy Permissions { get; }
    public CfnPermission InvokePermission { get; }
}

using Amazon.CDK;
using Amazon.CDK.AWS.Config;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Constructs;
using MfaConfigRule.Infra.Constructs.Shared;

namespace MfaConfigRule.Infra.Constructs.Rule;

internal interface IMfaConfigRuleProps
{
    Code Code { get; }
    string RuleName { get; }

    /// <summary>Config's name for the periodic run's period, e.g. <c>TwentyFour_Hours</c>.</summary>
    string MaximumExecutionFrequency { get; }

    IReadOnlyDictionary<string, string> InputParameters { get; }
    int MemorySize { get; }
    Duration Timeout { get; }
    RetentionDays LogRetention { get; }

    /// <summary>How long Config's invocation event is worth running, queued or between retries: until the next periodic run.</summary>
    Duration EventMaxAge { get; }

    /// <summary>The evaluate function's fixed name (<see cref="IMfaRuleFunctionProps.FunctionName"/>); null: CloudFormation names it.</summary>
    string? FunctionName { get; }
}

internal sealed class MfaConfigRuleProps : IMfaConfigRuleProps
{
    public required Code Code { get; init; }
    public required string RuleName { get; init; }
    public required string MaximumExecutionFrequency { get; init; }
    public required IReadOnlyDictionary<string, string> InputParameters { get; init; }
    public required int MemorySize { get; init; }
    public required Duration Timeout { get; init; }
    public required RetentionDays LogRetention { get; init; }
    public required Duration EventMaxAge { get; init; }
    public string? FunctionName { get; init; }
}

/// <summary>
/// The Config custom rule and its <c>evaluate</c> function: periodic (MFA and login-profile changes never reach
/// Config as configuration changes) and on changes of <c>AWS::IAM::User</c> configuration items (new and deleted users).
/// </summary>
/// <remarks>
/// Written with the L1 <see cref="CfnConfigRule"/>, not the L2 <c>CustomRule</c>: CustomRule attaches the managed policy
/// <c>service-role/AWSConfigRulesExecutionRole</c>, which grants <c>config:Put*</c>, <c>Get*</c>, <c>List*</c>,
/// <c>Describe*</c>, <c>BatchGet*</c>, <c>Select*</c> on every resource and read access to Config's S3 history, far
/// more than the three Config calls the function makes. Here the role gets an inline policy with exactly those calls,
/// and the invoke permission is explicit (principal config.amazonaws.com, SourceAccount this account).
/// </remarks>
internal sealed class MfaConfigRuleConstruct : Construct
{
    public const string Description =
        "Checks that every IAM user with a console password has an MFA device of an allowed type (CIS AWS Foundations " +
        "1.10, Security Hub IAM.5). NON_COMPLIANT: console password without MFA. Users without a password and exempted " +
        "users: NOT_APPLICABLE.";

    public MfaConfigRuleConstruct(Construct scope, string id, IMfaConfigRuleProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);

        EvaluateFunction = new MfaRuleFunction(this, "Evaluate", new MfaRuleFunctionProps
        {
            Code = props.Code,
            Handler = "evaluate",
            FunctionName = props.FunctionName,
            Description = $"Evaluates IAM users for the Config rule {props.RuleName}: console password without MFA is NON_COMPLIANT",
            MemorySize = props.MemorySize,
            Timeout = props.Timeout,
            LogRetention = props.LogRetention,
            // Config invokes asynchronously. A failed run (a user whose state could not be read gets no verdict, and the
            // invocation fails) is worth both of Lambda's retries, a minute and two minutes later: the users left
            // without a verdict get one within minutes instead of at the next periodic run.
            AsyncRetryAttempts = 2,
            MaxEventAge = props.EventMaxAge,
            // An invocation that failed three times or aged out is kept (and alarmed on), not dropped.
            KeepFailedEvents = true,
        });

        ReadPolicy = new Policy(this, "EvaluatePermissions", new PolicyProps
        {
            Roles = [EvaluateFunction.Role],
            Statements =
            [
                .. ReadAndReportStatements(),
                // The rule's own results (to find users Config still holds results for). GetComplianceDetailsByConfigRule
                // takes the ConfigRule resource, whose ARN ends in an ID Config assigns at creation: naming it would make
                // this policy follow the rule, and the rule's first evaluations, which start as soon as it exists, would be
                // denied. So it covers the account's rules in this Region; it only reads compliance results.
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReadOwnEvaluations",
                    Actions = ["config:GetComplianceDetailsByConfigRule"],
                    Resources = [$"arn:{Aws.PARTITION}:config:{Aws.REGION}:{Aws.ACCOUNT_ID}:config-rule/*"],
                }),
            ],
        });
        NagSuppressions.Suppress((CfnResource)ReadPolicy.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM5",
                "iam:ListUsers, ListVirtualMFADevices, GenerateCredentialReport, GetCredentialReport, cloudtrail:LookupEvents, " +
                "config:PutEvaluations and GetResourceConfigHistory support no resource-level permissions (Service Authorization Reference); " +
                "the per-user IAM reads are limited to IAM users of this account, which the rule evaluates all of. " +
                "GetComplianceDetailsByConfigRule is read-only and cannot name this rule before Config assigns its ID.",
                "Resource::*", "Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*",
                "Resource::arn:<AWS::Partition>:config:<AWS::Region>:<AWS::AccountId>:config-rule/*"));

        // Config validates that it may invoke the function when the rule is created, so the permission comes first.
        // No SourceArn: the rule ARN carries an ID Config assigns at creation, which would make a dependency cycle.
        InvokePermission = new CfnPermission(this, "ConfigInvokePermission", new CfnPermissionProps
        {
            Action = "lambda:InvokeFunction",
            FunctionName = EvaluateFunction.Function.FunctionArn,
            Principal = "config.amazonaws.com",
            SourceAccount = Aws.ACCOUNT_ID,
        });

        Rule = new CfnConfigRule(this, "Rule", new CfnConfigRuleProps
        {
            ConfigRuleName = props.RuleName,
            Description = Description,
            Source = RuleSource(EvaluateFunction.Function.FunctionArn, props.MaximumExecutionFrequency),
            Scope = RuleScope,
            InputParameters = props.InputParameters.ToDictionary(p => p.Key, p => (object)p.Value, StringComparer.Ordinal),
        });
        Rule.AddDependency(InvokePermission);
        // The first evaluation starts as soon as the rule exists: the role must already allow every call it makes.
        Rule.AddDependency((CfnResource)ReadPolicy.Node.DefaultChild!);
    }

    public MfaRuleFunction EvaluateFunction { get; }
    public CfnConfigRule Rule { get; }
    public CfnPermission InvokePermission { get; }
    public Policy ReadPolicy { get; }

    public string RuleName => Rule.ConfigRuleName!;
    public string RuleArn => Rule.AttrArn;

    /// <summary>
    /// What invokes the rule's function: IAM user configuration changes (oversized ones too) and the periodic sweep. One
    /// definition for the single-account rule and every Organization member's rule pointing at the central function.
    /// </summary>
    internal static CfnConfigRule.SourceProperty RuleSource(string functionArn, string maximumExecutionFrequency) => new()
    {
        Owner = "CUSTOM_LAMBDA",
        SourceIdentifier = functionArn,
        SourceDetails = new object[]
        {
            new CfnConfigRule.SourceDetailProperty { EventSource = "aws.config", MessageType = "ConfigurationItemChangeNotification" },
            new CfnConfigRule.SourceDetailProperty { EventSource = "aws.config", MessageType = "OversizedConfigurationItemChangeNotification" },
            new CfnConfigRule.SourceDetailProperty
            {
                EventSource = "aws.config",
                MessageType = "ScheduledNotification",
                MaximumExecutionFrequency = maximumExecutionFrequency,
            },
        },
    };

    internal static CfnConfigRule.ScopeProperty RuleScope => new() { ComplianceResourceTypes = ["AWS::IAM::User"] };

    /// <summary>
    /// What evaluating an account takes: its IAM users' credential state and CloudTrail's record of IAM changes read, and
    /// the evaluations written. The single-account evaluate role and the Organization's member role both hold exactly these.
    /// </summary>
    internal static PolicyStatement[] ReadAndReportStatements() =>
    [
        // Resource-level permissions exist for these (Service Authorization Reference, IAM: GetUser,
        // GetLoginProfile and ListUserTags take the "user*" resource, ListMFADevices the "user" resource),
        // so they are limited to IAM users of this account; "user/*" covers every path.
        new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReadIamUsers",
            Actions = ["iam:GetUser", "iam:GetLoginProfile", "iam:ListMFADevices", "iam:ListUserTags"],
            Resources = [$"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:user/*"],
        }),
        // Service Authorization Reference lists no resource type for IAM ListUsers, ListVirtualMFADevices,
        // GenerateCredentialReport, GetCredentialReport: they only accept "*".
        new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReadAccountWideIam",
            Actions = ["iam:ListUsers", "iam:ListVirtualMFADevices", "iam:GenerateCredentialReport", "iam:GetCredentialReport"],
            Resources = ["*"],
        }),
        // Service Authorization Reference: CloudTrail LookupEvents, Config PutEvaluations and
        // GetResourceConfigHistory have no resource type, so "*" is the only valid resource.
        new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReadRecentIamChanges",
            Actions = ["cloudtrail:LookupEvents"],
            Resources = ["*"],
        }),
        new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ReportEvaluations",
            Actions = ["config:PutEvaluations", "config:GetResourceConfigHistory"],
            Resources = ["*"],
        }),
    ];
}

using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Constructs;
using MfaConfigRule.Contract;
using MfaConfigRule.Infra.Constructs.Reevaluation;
using MfaConfigRule.Infra.Constructs.Rule;
using MfaConfigRule.Infra.Constructs.SecurityHub;

namespace MfaConfigRule.Infra.Constructs.AccountEvaluation;

internal interface IAccountEvaluationProps
{
    AccountTemplateParameters Parameters { get; }
    int MemorySize { get; }
    Duration Timeout { get; }
    Duration TriggerTimeout { get; }
    RetentionDays LogRetention { get; }
    Duration EventMaxAge { get; }
    int RemediationMaxAttempts { get; }
    int RemediationRetrySeconds { get; }
}

internal sealed class AccountEvaluationProps : IAccountEvaluationProps
{
    public required AccountTemplateParameters Parameters { get; init; }
    public required int MemorySize { get; init; }
    public required Duration Timeout { get; init; }
    public required Duration TriggerTimeout { get; init; }
    public required RetentionDays LogRetention { get; init; }
    public required Duration EventMaxAge { get; init; }
    public required int RemediationMaxAttempts { get; init; }
    public required int RemediationRetrySeconds { get; init; }
}

/// <summary>
/// One account evaluating itself, from code in S3 (no CDK asset, no bootstrap): the single-account rule and evaluate
/// function (<see cref="MfaConfigRuleConstruct"/>, its role reading only this account's IAM, no sts:AssumeRole), under a
/// fixed function name a conformance pack can name; the rule only with <c>CreateRule=true</c>; and the optional parts the
/// template's parameters switch on: re-evaluation (<see cref="ReevaluationTrigger"/>, and the us-east-1 forwarding outside
/// us-east-1), the direct Security Hub export and remediation (<see cref="AccountRemediation"/>).
/// </summary>
internal sealed class AccountEvaluation : Construct
{
    /// <summary>Fixed, so a conformance pack's rule (or an LZA config) can name <c>arn:...:function:mfa-config-rule-evaluate</c>.</summary>
    public const string EvaluateFunctionName = "mfa-config-rule-evaluate";

    /// <summary>The us-east-1 forwarding rule's name prefix: short and fixed (a StackSet's stack names do not fit EventBridge's 64 characters).</summary>
    public const string ForwardingRulePrefix = "mfa-config-rule-iam-to-";

    public AccountEvaluation(Construct scope, string id, IAccountEvaluationProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        var p = props.Parameters;
        // Lambda fetches the object with the deploying principal's access when the function is created or updated; the
        // function's role gets nothing on the bucket.
        var code = Code.FromBucket(Bucket.FromBucketName(this, "CodeBucket", p.CodeBucket.ValueAsString), p.CodeKey.ValueAsString);

        Rule = new MfaConfigRuleConstruct(this, "MfaRule", new MfaConfigRuleProps
        {
            Code = code,
            FunctionName = EvaluateFunctionName,
            RuleName = p.RuleName.ValueAsString,
            MaximumExecutionFrequency = p.Frequency.ValueAsString,
            // Set below: the lists' Fn::If are no strings.
            InputParameters = new Dictionary<string, string>(),
            MemorySize = props.MemorySize,
            Timeout = props.Timeout,
            LogRetention = props.LogRetention,
            EventMaxAge = props.EventMaxAge,
        });
        PinObjectVersion(Rule.EvaluateFunction.Function, p);
        Rule.Rule.InputParameters = p.InputParameters;
        Rule.Rule.CfnOptions.Condition = p.RuleCreated;
        // Config of this account only (SourceAccount), and only for a Config rule of this account and Region (SourceArn,
        // as Config's guide writes it; the rule's own ARN would be a cycle, and a conformance pack's rule has its own).
        Rule.InvokePermission.SourceArn = $"arn:{Aws.PARTITION}:config:{Aws.REGION}:{Aws.ACCOUNT_ID}:config-rule/*";

        // The direct Security Hub export: the function's switch follows the parameter, and the one permission it needs
        // exists only when it is on.
        var evaluate = Rule.EvaluateFunction.Function;
        evaluate.AddEnvironment(SecurityHubSettings.FailedSeverityVariable, p.SecurityHubSeverity.ValueAsString);
        ((CfnResource)evaluate.Node.DefaultChild!).AddPropertyOverride($"Environment.Variables.{SecurityHubSettings.ModeVariable}",
            AccountTemplateParameters.If(p.SecurityHubDirect, SecurityHubSettings.DirectMode, SecurityHubSettings.OffMode));
        SecurityHubPolicy = new Policy(this, "SecurityHubImport", new PolicyProps
        {
            Roles = [Rule.EvaluateFunction.Role],
            Statements = [SecurityHubFindings.ImportOwnFindings()],
        });
        OnlyIf(SecurityHubPolicy, p.SecurityHubDirect);
        // The rule's first sweep exports at once, so the rule waits for the permission; a DependsOn may not name a
        // resource that is left out, so the rule waits for a handle that refers to the permission when it exists.
        SecurityHubGate = new CfnWaitConditionHandle(this, "SecurityHubGate");
        SecurityHubGate.AddMetadata("WaitsFor", AccountTemplateParameters.If(p.SecurityHubDirect, Fn.Ref(((CfnResource)SecurityHubPolicy.Node.DefaultChild!).LogicalId), Aws.NO_VALUE));
        Rule.Rule.AddDependency(SecurityHubGate);
        // So does the function: an update that turns the export on changes its environment and adds the permission in one
        // go, and the function's first export must not come before the permission.
        ((CfnResource)evaluate.Node.DefaultChild!).AddDependency(SecurityHubGate);

        Reevaluation = new ReevaluationTrigger(this, "Reevaluation", new ReevaluationTriggerProps
        {
            Code = code,
            ConfigRuleName = Rule.RuleName,
            ConfigRuleArn = Rule.RuleArn,
            LogRetention = props.LogRetention,
            Timeout = props.TriggerTimeout,
            EventMaxAge = props.EventMaxAge,
        });
        PinObjectVersion(Reevaluation.TriggerFunction.Function, p);
        OnlyIf(Reevaluation, p.ReevaluationOn);
        Forwarder = new IamEventForwarder(this, "IamEventForwarder", new IamEventForwarderProps
        {
            TargetRegion = Aws.REGION,
            RuleName = ForwardingRulePrefix + Aws.REGION,
            LogRetention = props.LogRetention,
        });
        OnlyIf(Forwarder, p.ForwardIamEvents);

        Remediation = new AccountRemediation(this, "Remediation", new AccountRemediationProps
        {
            Parameters = p,
            Code = code,
            ConfigRuleName = Rule.RuleName,
            MaximumAutomaticAttempts = props.RemediationMaxAttempts,
            RetryAttemptSeconds = props.RemediationRetrySeconds,
            LogRetention = props.LogRetention,
        });
        PinObjectVersion(Remediation.RemediateFunction.Function, p);
        // Config refuses a remediation configuration for a rule that does not exist yet.
        Remediation.Configuration.AddDependency(Rule.Rule);
    }

    public MfaConfigRuleConstruct Rule { get; }
    public Policy SecurityHubPolicy { get; }
    public CfnWaitConditionHandle SecurityHubGate { get; }
    public ReevaluationTrigger Reevaluation { get; }
    public IamEventForwarder Forwarder { get; }
    public AccountRemediation Remediation { get; }

    /// <summary>The code's S3 object version when one is given (CDK's S3 code takes a fixed version or none).</summary>
    private static void PinObjectVersion(Function function, AccountTemplateParameters p) =>
        ((CfnResource)function.Node.DefaultChild!).AddPropertyOverride("Code.S3ObjectVersion",
            AccountTemplateParameters.If(p.HasCodeObjectVersion, p.CodeObjectVersion.ValueAsString, Aws.NO_VALUE));

    /// <summary>Every resource under <paramref name="scope"/> exists only under <paramref name="condition"/>.</summary>
    private static void OnlyIf(IConstruct scope, CfnCondition condition)
    {
        foreach (var resource in scope.Node.FindAll().OfType<CfnResource>()) resource.CfnOptions.Condition = condition;
    }
}

using Amazon.CDK;
using Constructs;
using MfaConfigRule.Infra.Constructs.AccountEvaluation;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Stacks;

internal interface IMfaConfigRuleAccountStackProps : IStackProps
{
    MfaRuleSettings Settings { get; }
}

internal sealed class MfaConfigRuleAccountStackProps : StackProps, IMfaConfigRuleAccountStackProps
{
    public required MfaRuleSettings Settings { get; init; }
}

/// <summary>
/// The per-account template (<c>-c mfaRule:deployment=account-template</c>): plain CloudFormation that one account deploys
/// to evaluate itself, with <c>aws cloudformation deploy</c>, as a StackSet, through Customizations for Control Tower, or
/// beside a conformance pack. The code comes from an S3 object named by parameters; the rule's name, period and input
/// parameters and the optional parts are parameters too (<see cref="AccountTemplateParameters"/>). No asset, no bootstrap
/// rule, no CDK metadata: it deploys into an account that never ran <c>cdk bootstrap</c>.
/// </summary>
internal sealed class MfaConfigRuleAccountStack : Stack
{
    public const string TemplateName = "MfaConfigRuleAccount";

    /// <summary>What the template leaves out, said where an operator reads it (the template's Description).</summary>
    public const string LeftOut = "Remediation (off by default) is configured with the rule it creates; a conformance pack that owns the rule (CreateRule=false) carries its own. Not in this template: the alarms of docs/operations.md.";

    public MfaConfigRuleAccountStack(Construct scope, string id, IMfaConfigRuleAccountStackProps props)
        : base(scope, id, props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var settings = props.Settings;
        // No aws:cdk:path metadata on the resources, even when the CDK CLI asks for it: the template is an artifact.
        Node.SetContext("aws:cdk:enable-path-metadata", false);
        Parameters = new AccountTemplateParameters(this, settings.Rule.RuleName, settings.Rule.MaximumExecutionFrequency, settings.Rule.RuleParameters);
        Evaluation = new AccountEvaluation(this, "Account", new AccountEvaluationProps
        {
            Parameters = Parameters,
            MemorySize = settings.Functions.EvaluateMemoryMb,
            Timeout = Duration.Seconds(settings.Functions.EvaluateTimeoutSeconds),
            TriggerTimeout = Duration.Seconds(settings.Functions.TriggerTimeoutSeconds),
            LogRetention = settings.Functions.LogRetention,
            EventMaxAge = Duration.Seconds(settings.Rule.EventMaxAge.TotalSeconds),
            RemediationMaxAttempts = settings.Remediation.MaxAttempts,
            RemediationRetrySeconds = settings.Remediation.RetrySeconds,
        });

        _ = new CfnOutput(this, "EvaluateFunctionArn", new CfnOutputProps
        {
            Value = Evaluation.Rule.EvaluateFunction.Function.FunctionArn,
            Description = "The evaluate function: a conformance pack's custom rule names this ARN (CreateRule=false)",
        });
        _ = new CfnOutput(this, "ConfigRuleName", new CfnOutputProps
        {
            Value = Evaluation.Rule.RuleName,
            Description = "Config console > Rules; also the title of this rule's Security Hub findings",
            Condition = Parameters.RuleCreated,
        });
        _ = new CfnOutput(this, "EvaluateLogGroup", new CfnOutputProps
        {
            Value = Evaluation.Rule.EvaluateFunction.LogGroup.LogGroupName,
            Description = "CloudWatch Logs of the evaluate function",
        });
        // What a conformance pack's own remediation configuration names (CreateRule=false).
        _ = new CfnOutput(this, "RemediationRunbook", new CfnOutputProps
        {
            Value = Evaluation.Remediation.Document.Ref,
            Description = "The remediation runbook (SSM document): a conformance pack's remediation configuration targets it",
            Condition = Parameters.RemediationOn,
        });
        _ = new CfnOutput(this, "RemediationAutomationRoleArn", new CfnOutputProps
        {
            Value = Evaluation.Remediation.AutomationRole.RoleArn,
            Description = "The runbook's AutomationAssumeRole: it may only invoke the remediate function",
            Condition = Parameters.RemediationOn,
        });
    }

    public AccountTemplateParameters Parameters { get; }
    public AccountEvaluation Evaluation { get; }

    public static string TemplateDescription(string version) =>
        $"MFA Config rule {version}, one account evaluating itself: IAM users with a console password must have MFA (CIS 1.10, Security Hub IAM.5). " +
        "Code from CodeBucket/CodeKey; the rule, re-evaluation, the direct Security Hub export and remediation by parameters. " + LeftOut;

    public static MfaConfigRuleAccountStackProps Props(MfaRuleSettings settings) => new()
    {
        Settings = settings,
        Synthesizer = new BootstraplessSynthesizer(),
        AnalyticsReporting = false,
        Description = TemplateDescription(ReleaseVersion.Current),
    };

    /// <summary>
    /// The template as compact JSON, synthesized in an app of its own (into a scratch directory, never the caller's cloud
    /// assembly): what the Organization's per-account StackSet deploys, byte for byte the template of <c>account-template</c>.
    /// </summary>
    public static string Synthesize(MfaRuleSettings settings) =>
        StackSetTemplateBody.Synthesize("account template", app => new MfaConfigRuleAccountStack(app, TemplateName, Props(settings)));
}

using Amazon.CDK;
using MfaConfigRule.Compliance;
using MfaConfigRule.Contract;
using IamEvents = MfaConfigRule.Infra.Constructs.Reevaluation.IamUserChangeEvents;

namespace MfaConfigRule.Infra.Constructs.AccountEvaluation;

/// <summary>
/// The per-account template's parameters and conditions: where the code is, the rule's name, period and input
/// parameters, and which optional parts exist. Every value CloudFormation can check is checked by an AllowedValues or
/// AllowedPattern, so a typo fails the deploy with the parameter's name instead of an evaluation error later.
/// </summary>
/// <remarks>
/// The names are a contract: release artifacts, CfCT manifests, LZA configs, conformance packs and the Organization's
/// StackSet pass them (see docs). Rename none without changing all of those.
/// </remarks>
internal sealed class AccountTemplateParameters
{
    public const string CodeBucketName = "CodeBucket";
    public const string CodeKeyName = "CodeKey";
    public const string CodeObjectVersionName = "CodeObjectVersion";
    public const string RuleNameName = "RuleName";
    public const string FrequencyName = "MaximumExecutionFrequency";
    public const string CreateRuleName = "CreateRule";
    public const string ReevaluationName = "Reevaluation";
    public const string SecurityHubFindingsName = "SecurityHubFindings";
    public const string SecurityHubSeverityName = "SecurityHubSeverity";
    public const string RemediationName = "Remediation";
    public const string RemediationActionName = "RemediationAction";
    public const string RemediationDenyAccessKeysName = "RemediationDenyAccessKeys";

    /// <summary>The Remediation parameter's values, as <c>mfaRule:remediation</c> spells them.</summary>
    public const string RemediationOff = "off";
    public const string RemediationManual = "manual";
    public const string RemediationAutomatic = "automatic";

    /// <summary>Config's periods for a periodic rule, by its names.</summary>
    public static readonly IReadOnlyList<string> Frequencies = ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"];

    public static readonly IReadOnlyList<string> Severities = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];

    /// <summary>
    /// One template parameter per rule parameter, named as the rule's own key, with the pattern of what the rule's parser
    /// accepts (the parser still decides at run time: a value it rejects fails the evaluation, it never passes a user).
    /// </summary>
    private static readonly IReadOnlyDictionary<string, (string Description, string? Pattern, string[]? Allowed)> RuleParameterShapes =
        new Dictionary<string, (string, string?, string[]?)>(StringComparer.Ordinal)
        {
            [RuleParameters.ExemptUserNamesKey] = ("IAM user names exempt from the rule, comma separated (break-glass users); empty: none", @"^[\w+=,.@-]*$", null),
            [RuleParameters.ExemptPathPrefixesKey] = ("IAM paths whose users are exempt, comma separated, each starting and ending with / (e.g. /service-accounts/), without \" or \\; empty: none", @"^(/[^,\s""\\]*/(,/[^,\s""\\]*/)*)?$", null),
            [RuleParameters.ExemptionTagKeyKey] = ("The user tag whose YYYY-MM-DD value exempts the user through that day (UTC); empty turns tag exemptions off", @"^(?![aA][wW][sS]:)[\w .:/=+@-]{0,128}$", null),
            [RuleParameters.AllowedMfaTypesKey] = ("MFA device types that count, comma separated: virtual, hardware, fido", @"^(virtual|hardware|fido)(,(virtual|hardware|fido))*$", null),
            [RuleParameters.NoPasswordResultKey] = ("The verdict for a user without a console password", null, [ComplianceTypeNames.NotApplicable, ComplianceTypeNames.Compliant]),
            [RuleParameters.GracePeriodHoursKey] = ("Hours a new console password may go without MFA (0: none; at most 8784)", "^[0-9]{1,4}$", null),
            [RuleParameters.ReportChangesOnlyKey] = ("true: a sweep writes only changed verdicts (and refreshes the rest every RefreshDays)", null, ["true", "false"]),
            [RuleParameters.RefreshDaysKey] = ("With ReportChangesOnly: the longest an unchanged result goes without being stated again (1-30 days)", "^([1-9]|[12][0-9]|30)$", null),
        };

    /// <summary>The list parameters whose empty value is left out of the rule's InputParameters (absent and empty mean the same to the rule).</summary>
    private static readonly IReadOnlySet<string> OmittedWhenEmpty = new HashSet<string>(StringComparer.Ordinal)
    {
        RuleParameters.ExemptUserNamesKey,
        RuleParameters.ExemptPathPrefixesKey,
    };

    public AccountTemplateParameters(Stack stack, string defaultRuleName, string defaultFrequency, IReadOnlyDictionary<string, string> defaultRuleParameters)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(defaultRuleParameters);
        CodeBucket = new CfnParameter(stack, CodeBucketName, new CfnParameterProps
        {
            Type = "String",
            Description = "The S3 bucket holding the Lambda package (the zip with the Native AOT bootstrap), in this Region",
            AllowedPattern = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
            ConstraintDescription = "an S3 bucket name: 3-63 lower-case letters, digits, '.' or '-'",
        });
        CodeKey = new CfnParameter(stack, CodeKeyName, new CfnParameterProps
        {
            Type = "String",
            Description = "The key of the Lambda package in CodeBucket, e.g. mfa-config-rule/VERSION/mfa-config-rule-lambda.zip",
            MinLength = 1,
            MaxLength = 1024,
        });
        CodeObjectVersion = new CfnParameter(stack, CodeObjectVersionName, new CfnParameterProps
        {
            Type = "String",
            Description = "The S3 object version of CodeKey (a versioned bucket); empty: the current object",
            Default = string.Empty,
            MaxLength = 1024,
        });
        RuleName = new CfnParameter(stack, RuleNameName, new CfnParameterProps
        {
            Type = "String",
            Description = "The Config rule's name (also the title of its Security Hub findings)",
            Default = defaultRuleName,
            AllowedPattern = "^[A-Za-z0-9_-]{1,128}$",
            ConstraintDescription = "1-128 letters, digits, '-' or '_'",
        });
        Frequency = new CfnParameter(stack, FrequencyName, new CfnParameterProps
        {
            Type = "String",
            Description = "How often Config runs the periodic sweep of every IAM user",
            Default = defaultFrequency,
            AllowedValues = [.. Frequencies],
        });
        var ruleParameters = new SortedDictionary<string, CfnParameter>(StringComparer.Ordinal);
        var defaults = RuleParameters.Default.ToDictionary();
        foreach (var key in RuleParameters.Keys)
        {
            var (description, pattern, allowed) = RuleParameterShapes[key];
            ruleParameters[key] = new CfnParameter(stack, key, new CfnParameterProps
            {
                Type = "String",
                Description = $"Rule parameter {key}: {description}",
                Default = defaultRuleParameters.TryGetValue(key, out var given) ? given : defaults[key],
                AllowedPattern = pattern,
                AllowedValues = allowed,
            });
        }
        RuleParameterValues = ruleParameters;
        CreateRule = new CfnParameter(stack, CreateRuleName, new CfnParameterProps
        {
            Type = "String",
            Description = "true: this template creates the Config rule; false: only the function (a conformance pack owns the rule and names the function's ARN). Re-evaluation needs true",
            Default = "true",
            AllowedValues = ["true", "false"],
        });
        Reevaluation = new CfnParameter(stack, ReevaluationName, new CfnParameterProps
        {
            Type = "String",
            Description = "true: re-run the rule within minutes of an IAM change (needs CreateRule=true and a CloudTrail trail recording IAM's management events in us-east-1)",
            Default = "true",
            AllowedValues = ["true", "false"],
        });
        SecurityHubFindings = new CfnParameter(stack, SecurityHubFindingsName, new CfnParameterProps
        {
            Type = "String",
            Description = "direct: the evaluate function also imports one finding per verdict into Security Hub; off: only Config's own integration",
            Default = SecurityHubSettings.OffMode,
            AllowedValues = [SecurityHubSettings.OffMode, SecurityHubSettings.DirectMode],
        });
        SecurityHubSeverity = new CfnParameter(stack, SecurityHubSeverityName, new CfnParameterProps
        {
            Type = "String",
            Description = "Severity of the direct export's FAILED findings",
            Default = "HIGH",
            AllowedValues = [.. Severities],
        });

        Remediation = new CfnParameter(stack, RemediationName, new CfnParameterProps
        {
            Type = "String",
            Description = "off: no remediation resource at all; manual: an operator remediates a NON_COMPLIANT user from Config; automatic: Config does (docs/remediation.md). Needs CreateRule=true for Config's remediation configuration",
            Default = RemediationOff,
            AllowedValues = [RemediationOff, RemediationManual, RemediationAutomatic],
        });
        RemediationAction = new CfnParameter(stack, RemediationActionName, new CfnParameterProps
        {
            Type = "String",
            Description = "With Remediation on: EnforceMfa attaches a policy allowing only MFA self-service until MFA; DisableConsoleAccess deletes the console password",
            Default = RemediationActionNames.EnforceMfa,
            AllowedValues = [RemediationActionNames.EnforceMfa, RemediationActionNames.DisableConsoleAccess],
        });
        RemediationDenyAccessKeys = new CfnParameter(stack, RemediationDenyAccessKeysName, new CfnParameterProps
        {
            Type = "String",
            Description = "EnforceMfa only: true also denies the user's access-key calls until MFA (BoolIfExists); false leaves access keys working",
            Default = "false",
            AllowedValues = ["true", "false"],
        });

        RuleCreated = new CfnCondition(stack, "RuleCreated", new CfnConditionProps { Expression = Fn.ConditionEquals(CreateRule.ValueAsString, "true") });
        HasCodeObjectVersion = new CfnCondition(stack, "HasCodeObjectVersion", new CfnConditionProps
        {
            Expression = Fn.ConditionNot(Fn.ConditionEquals(CodeObjectVersion.ValueAsString, string.Empty)),
        });
        ReevaluationOn = new CfnCondition(stack, "ReevaluationOn", new CfnConditionProps
        {
            Expression = Fn.ConditionAnd(Fn.ConditionEquals(Reevaluation.ValueAsString, "true"), RuleCreated),
        });
        // IAM's events reach EventBridge in us-east-1 only: elsewhere they are forwarded from there.
        ForwardIamEvents = new CfnCondition(stack, "ForwardIamEvents", new CfnConditionProps
        {
            Expression = Fn.ConditionAnd(ReevaluationOn, Fn.ConditionNot(Fn.ConditionEquals(Aws.REGION, IamEvents.EventRegion))),
        });
        SecurityHubDirect = new CfnCondition(stack, "SecurityHubDirect", new CfnConditionProps
        {
            Expression = Fn.ConditionEquals(SecurityHubFindings.ValueAsString, SecurityHubSettings.DirectMode),
        });
        RemediationOn = new CfnCondition(stack, "RemediationOn", new CfnConditionProps
        {
            Expression = Fn.ConditionNot(Fn.ConditionEquals(Remediation.ValueAsString, RemediationOff)),
        });
        // Config's remediation configuration names the rule: only with the rule (a conformance pack's rule carries its own).
        RemediationConfigured = new CfnCondition(stack, "RemediationConfigured", new CfnConditionProps
        {
            Expression = Fn.ConditionAnd(RemediationOn, RuleCreated),
        });
        RemediationRunsAutomatically = new CfnCondition(stack, "RemediationRunsAutomatically", new CfnConditionProps
        {
            Expression = Fn.ConditionEquals(Remediation.ValueAsString, RemediationAutomatic),
        });
        EnforceMfa = new CfnCondition(stack, "EnforceMfa", new CfnConditionProps
        {
            Expression = Fn.ConditionAnd(RemediationOn, Fn.ConditionEquals(RemediationAction.ValueAsString, RemediationActionNames.EnforceMfa)),
        });
        DenyAccessKeys = new CfnCondition(stack, "DenyAccessKeys", new CfnConditionProps
        {
            Expression = Fn.ConditionEquals(RemediationDenyAccessKeys.ValueAsString, "true"),
        });
        _omitted = OmittedWhenEmpty.ToDictionary(key => key, key => new CfnCondition(stack, $"Has{key}", new CfnConditionProps
        {
            Expression = Fn.ConditionNot(Fn.ConditionEquals(ruleParameters[key].ValueAsString, string.Empty)),
        }), StringComparer.Ordinal);
    }

    private readonly Dictionary<string, CfnCondition> _omitted;

    public CfnParameter CodeBucket { get; }
    public CfnParameter CodeKey { get; }
    public CfnParameter CodeObjectVersion { get; }
    public CfnParameter RuleName { get; }
    public CfnParameter Frequency { get; }
    public IReadOnlyDictionary<string, CfnParameter> RuleParameterValues { get; }
    public CfnParameter CreateRule { get; }
    public CfnParameter Reevaluation { get; }
    public CfnParameter SecurityHubFindings { get; }
    public CfnParameter SecurityHubSeverity { get; }
    public CfnParameter Remediation { get; }
    public CfnParameter RemediationAction { get; }
    public CfnParameter RemediationDenyAccessKeys { get; }

    public CfnCondition RuleCreated { get; }
    public CfnCondition HasCodeObjectVersion { get; }
    public CfnCondition ReevaluationOn { get; }
    public CfnCondition ForwardIamEvents { get; }
    public CfnCondition SecurityHubDirect { get; }

    /// <summary>Remediation is manual or automatic: the remediate function, its runbook and Automation's role exist.</summary>
    public CfnCondition RemediationOn { get; }

    /// <summary>Remediation is on and this template creates the rule: Config's remediation configuration exists.</summary>
    public CfnCondition RemediationConfigured { get; }

    public CfnCondition RemediationRunsAutomatically { get; }

    /// <summary>Remediation is on with EnforceMfa: the enforcement policy and the hourly lifting run exist.</summary>
    public CfnCondition EnforceMfa { get; }

    /// <summary>RemediationDenyAccessKeys=true (only read inside <see cref="EnforceMfa"/>'s resources).</summary>
    public CfnCondition DenyAccessKeys { get; }

    /// <summary>
    /// The rule's InputParameters: every rule parameter by its template parameter, the empty lists left out
    /// (<c>Fn::If</c> with <c>AWS::NoValue</c>), so Config is never handed an empty list value.
    /// </summary>
    public IDictionary<string, object> InputParameters =>
        RuleParameterValues.ToDictionary(
            p => p.Key,
            p => _omitted.TryGetValue(p.Key, out var present)
                ? (object)If(present, p.Value.ValueAsString, Aws.NO_VALUE)
                : p.Value.ValueAsString,
            StringComparer.Ordinal);

    /// <summary>
    /// <c>Fn::If</c> written as the template's JSON: jsii cannot hand CDK's <c>Fn.ConditionIf</c> object back through a
    /// property typed as an object (InputParameters, a property override, metadata).
    /// </summary>
    public static Dictionary<string, object> If(CfnCondition condition, object whenTrue, object whenFalse)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return new() { ["Fn::If"] = new[] { condition.LogicalId, whenTrue, whenFalse } };
    }
}

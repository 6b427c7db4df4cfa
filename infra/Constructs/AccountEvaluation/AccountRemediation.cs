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

namespace MfaConfigRule.Infra.Constructs.AccountEvaluation;

internal interface IAccountRemediationProps
{
    AccountTemplateParameters Parameters { get; }
    Code Code { get; }
    string ConfigRuleName { get; }
    int MaximumAutomaticAttempts { get; }
    int RetryAttemptSeconds { get; }
    RetentionDays LogRetention { get; }
}

internal sealed class AccountRemediationProps : IAccountRemediationProps
{
    public required AccountTemplateParameters Parameters { get; init; }
    public required Code Code { get; init; }
    public required string ConfigRuleName { get; init; }
    public required int MaximumAutomaticAttempts { get; init; }
    public required int RetryAttemptSeconds { get; init; }
    public required RetentionDays LogRetention { get; init; }
}

/// <summary>
/// The per-account template's optional remediation, the single-account design (<see cref="RemediationConstruct"/>'s
/// pieces, reused) made conditional: with <c>Remediation=off</c> (the default) not one of its resources exists. On, the
/// remediate function (same package, handler <c>remediate</c>), its runbook, the role Automation runs as; with EnforceMfa
/// the enforcement policy and the hourly lifting run; and, only when this template creates the rule, Config's remediation
/// configuration. What differs by action or by RemediationDenyAccessKeys is an <c>Fn::If</c> on the parameter.
/// </summary>
/// <remarks>
/// Rights stay split three ways as in the single account: the evaluate function is untouched; the remediate function may
/// attach and detach only this template's enforcement policy (EnforceMfa) or delete login profiles (DisableConsoleAccess),
/// never both; Automation's role may only invoke the remediate function.
/// </remarks>
internal sealed class AccountRemediation : Construct
{
    public AccountRemediation(Construct scope, string id, IAccountRemediationProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        var p = props.Parameters;

        // The policy's name is generated: a fixed one would collide between two Regions of one account.
        EnforcementPolicy = RemediationConstruct.NewEnforcementPolicy(this, denyAccessKeys: false, name: null);
        var policyResource = (CfnResource)EnforcementPolicy.Node.DefaultChild!;
        policyResource.AddPropertyOverride("PolicyDocument",
            Merged(this, p.DenyAccessKeys, RemediationEnforcementPolicy.Document(true), RemediationEnforcementPolicy.Document(false)));
        policyResource.AddPropertyOverride("Description", AccountTemplateParameters.If(p.DenyAccessKeys,
            "MFA Config rule remediation (EnforceMfa): until the user signs in with MFA, only their own password and MFA device; access keys too",
            "MFA Config rule remediation (EnforceMfa): until the user signs in with MFA, only their own password and MFA device; access keys unaffected"));
        OnlyIf(EnforcementPolicy, p.EnforceMfa);
        var policyArn = AccountTemplateParameters.If(p.EnforceMfa, EnforcementPolicy.ManagedPolicyArn, Aws.NO_VALUE);

        RemediateFunction = new MfaRuleFunction(this, "Remediate", new MfaRuleFunctionProps
        {
            Code = props.Code,
            Handler = "remediate",
            Description = $"Remediates NON_COMPLIANT users of the Config rule {props.ConfigRuleName}, re-confirming each live",
            MemorySize = 256,
            Timeout = Duration.Seconds(90),
            LogRetention = props.LogRetention,
            Environment = new Dictionary<string, string>
            {
                [RemediationEnvironment.Action] = p.RemediationAction.ValueAsString,
                // The rule's own parameters, as the JSON object the function parses: judged exactly as the rule judges.
                // Their patterns admit no '"' or '\', so the substitution is always one valid JSON string each.
                [RemediationEnvironment.RuleParameters] = Fn.Sub(
                    "{" + string.Join(',', p.RuleParameterValues.Keys.Select(key => $"\"{key}\":\"${{{key}}}\"")) + "}"),
            },
            AsyncRetryAttempts = 0,
            MaxEventAge = Duration.Hours(1),
        });
        var function = RemediateFunction.Function;
        ((CfnResource)function.Node.DefaultChild!).AddPropertyOverride(
            $"Environment.Variables.{RemediationEnvironment.EnforcementPolicyArn}", policyArn);

        // One policy, its statements by action: a DependsOn cannot name a resource left out, so no policy per action.
        Permissions = new Policy(this, "RemediatePermissions", new PolicyProps
        {
            Roles = [RemediateFunction.Role],
            Statements = [.. RemediationConstruct.RemediateStatements(RemediationAction.DisableConsoleAccess, null)],
        });
        ((CfnResource)Permissions.Node.DefaultChild!).AddPropertyOverride("PolicyDocument", Merged(this, p.EnforceMfa,
            PolicyOf(RemediationConstruct.RemediateStatements(RemediationAction.EnforceMfa, EnforcementPolicy.ManagedPolicyArn)),
            PolicyOf(RemediationConstruct.RemediateStatements(RemediationAction.DisableConsoleAccess, null))));
        NagSuppressions.Suppress((CfnResource)Permissions.Node.DefaultChild!, RemediationConstruct.RemediateStatementsSuppression);
        function.Node.AddDependency(Permissions);

        (AutomationRole, AutomationPolicy) = RemediationConstruct.NewAutomationRole(this, props.ConfigRuleName, function.FunctionArn);

        Document = new CfnDocument(this, "Runbook", new CfnDocumentProps
        {
            DocumentType = "Automation",
            DocumentFormat = "YAML",
            Content = Runbook(p, function.FunctionArn, props.ConfigRuleName),
            // A changed runbook becomes a new document, so the remediation configuration always points at a whole one.
            UpdateMethod = "Replace",
        });

        LiftSchedule = new Amazon.CDK.AWS.Events.Rule(this, "LiftSchedule", new Amazon.CDK.AWS.Events.RuleProps
        {
            Description = $"Hourly: detach the MFA enforcement policy from users of {props.ConfigRuleName} who are no longer NON_COMPLIANT",
            Schedule = Schedule.Rate(Duration.Hours(1)),
            Targets = [new LambdaFunction(function, new LambdaFunctionProps { MaxEventAge = Duration.Hours(1), RetryAttempts = 2 })],
        });

        OnlyIf(this, p.RemediationOn);
        OnlyIf(EnforcementPolicy, p.EnforceMfa);
        OnlyIf(LiftSchedule, p.EnforceMfa);
        // The lifting run's invoke permission is created under the function, but belongs to the schedule.
        foreach (var permission in function.Node.FindAll().OfType<CfnPermission>()) permission.CfnOptions.Condition = p.EnforceMfa;

        Configuration = RemediationConstruct.NewConfiguration(this, props.ConfigRuleName, RemediationAction.EnforceMfa, automatic: true,
            props.MaximumAutomaticAttempts, props.RetryAttemptSeconds, Document.Ref, AutomationRole.RoleArn);
        Configuration.AddPropertyOverride("Parameters.Action.StaticValue.Values", new[] { p.RemediationAction.ValueAsString });
        Configuration.AddPropertyOverride("Automatic", AccountTemplateParameters.If(p.RemediationRunsAutomatically, true, false));
        Configuration.AddPropertyOverride("MaximumAutomaticAttempts",
            AccountTemplateParameters.If(p.RemediationRunsAutomatically, props.MaximumAutomaticAttempts, Aws.NO_VALUE));
        Configuration.AddPropertyOverride("RetryAttemptSeconds",
            AccountTemplateParameters.If(p.RemediationRunsAutomatically, props.RetryAttemptSeconds, Aws.NO_VALUE));
        Configuration.CfnOptions.Condition = p.RemediationConfigured;
        // Automation must be able to run as the role, and the role to invoke, before Config starts a remediation.
        Configuration.Node.AddDependency(AutomationPolicy);
    }

    public ManagedPolicy EnforcementPolicy { get; }
    public MfaRuleFunction RemediateFunction { get; }
    public Policy Permissions { get; }
    public Role AutomationRole { get; }
    public Policy AutomationPolicy { get; }
    public CfnDocument Document { get; }
    public Amazon.CDK.AWS.Events.Rule LiftSchedule { get; }
    public CfnRemediationConfiguration Configuration { get; }

    /// <summary>
    /// The single-account runbook of either action as one <c>Fn::Sub</c> (half the bytes of an <c>Fn::If</c> of both):
    /// the action's name and its paragraph of the description are the only differences, and both are checked to be.
    /// </summary>
    private static Dictionary<string, object> Runbook(AccountTemplateParameters p, string functionArn, string ruleName)
    {
        const string Arn = "${FunctionArn}", Rule = "${RuleName}";
        var enforce = Compact(RemediationDocument.Content(Arn, RemediationAction.EnforceMfa, Rule));
        var disable = Compact(RemediationDocument.Content(Arn, RemediationAction.DisableConsoleAccess, Rule));
        var (enforceText, disableText) = Difference(
            RemediationDocument.Description(RemediationAction.EnforceMfa, Rule), RemediationDocument.Description(RemediationAction.DisableConsoleAccess, Rule));
        var body = enforce.Replace(Escaped(enforceText), "${ActionDescription}", StringComparison.Ordinal)
            .Replace($"\"{RemediationActionNames.EnforceMfa}\"", "\"${Action}\"", StringComparison.Ordinal);
        string Substituted(string action, string text) => body.Replace("${ActionDescription}", Escaped(text), StringComparison.Ordinal)
            .Replace("${Action}", action, StringComparison.Ordinal);
        if (Substituted(RemediationActionNames.EnforceMfa, enforceText) != enforce || Substituted(RemediationActionNames.DisableConsoleAccess, disableText) != disable
            || System.Text.RegularExpressions.Regex.Matches(body, @"\$\{").Count != System.Text.RegularExpressions.Regex.Matches(body, @"\$\{(FunctionArn|RuleName|ActionDescription|Action)\}").Count)
            throw new InvalidOperationException("the runbooks of the two actions differ in more than the action and its paragraph: the per-account template cannot substitute one into the other");
        // Written as the template's JSON: jsii hands no Fn::If object through Fn.Sub's string variables.
        return new Dictionary<string, object>
        {
            ["Fn::Sub"] = new object[]
            {
                body,
                new Dictionary<string, object>
                {
                    ["FunctionArn"] = functionArn,
                    ["RuleName"] = ruleName,
                    ["Action"] = p.RemediationAction.ValueAsString,
                    ["ActionDescription"] = AccountTemplateParameters.If(p.EnforceMfa, Escaped(enforceText), Escaped(disableText)),
                },
            },
        };
    }

    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Compact(string json) => System.Text.Json.Nodes.JsonNode.Parse(json)!.ToJsonString(Relaxed);

    private static string Escaped(string text) => System.Text.Json.JsonSerializer.Serialize(text, Relaxed)[1..^1];

    /// <summary>What differs between two texts: the part of each between their common beginning and common end.</summary>
    private static (string, string) Difference(string a, string b)
    {
        var prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix]) prefix++;
        var suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[^(suffix + 1)] == b[^(suffix + 1)]) suffix++;
        return (a[prefix..^suffix], b[prefix..^suffix]);
    }

    /// <summary>
    /// One policy document for both sides of <paramref name="condition"/>: the statements both share as they are, each
    /// other one an <c>Fn::If</c> (a statement only one side has: <c>AWS::NoValue</c> on the other).
    /// </summary>
    private static Dictionary<string, object> Merged(Construct scope, CfnCondition condition, PolicyDocument whenTrue, PolicyDocument whenFalse)
    {
        var stack = Stack.Of(scope);
        var t = (System.Text.Json.Nodes.JsonObject)Plain(stack.Resolve(whenTrue));
        var f = (System.Text.Json.Nodes.JsonObject)Plain(stack.Resolve(whenFalse));
        var ts = t["Statement"]!.AsArray();
        var fs = f["Statement"]!.AsArray();
        var statements = new List<object>();
        for (var i = 0; i < Math.Max(ts.Count, fs.Count); i++)
        {
            var a = i < ts.Count ? ts[i] : null;
            var b = i < fs.Count ? fs[i] : null;
            statements.Add(System.Text.Json.Nodes.JsonNode.DeepEquals(a, b)
                ? Native(a!)
                : AccountTemplateParameters.If(condition, a is null ? Aws.NO_VALUE : Native(a), b is null ? Aws.NO_VALUE : Native(b)));
        }
        return new Dictionary<string, object> { ["Version"] = Native(t["Version"]!), ["Statement"] = statements.ToArray() };
    }

    private static System.Text.Json.Nodes.JsonNode Plain(object resolved) =>
        System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(resolved))!;

    /// <summary>JSON as the dictionaries, arrays and strings jsii hands to a property override.</summary>
    private static object Native(System.Text.Json.Nodes.JsonNode node) => node switch
    {
        System.Text.Json.Nodes.JsonObject o => o.ToDictionary(p => p.Key, p => Native(p.Value!)),
        System.Text.Json.Nodes.JsonArray a => a.Select(e => Native(e!)).ToArray(),
        _ => node.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => node.GetValue<string>(),
            System.Text.Json.JsonValueKind.True => true,
            System.Text.Json.JsonValueKind.False => false,
            _ => node.GetValue<double>(),
        },
    };

    private static PolicyDocument PolicyOf(IEnumerable<PolicyStatement> statements) =>
        new(new PolicyDocumentProps { Statements = [.. statements] });

    private static void OnlyIf(IConstruct scope, CfnCondition condition)
    {
        foreach (var resource in scope.Node.FindAll().OfType<CfnResource>()) resource.CfnOptions.Condition = condition;
    }
}

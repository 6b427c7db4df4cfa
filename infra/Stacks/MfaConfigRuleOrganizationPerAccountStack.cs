using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.S3.Assets;
using Constructs;
using MfaConfigRule.Compliance;
using MfaConfigRule.Contract;
using MfaConfigRule.Infra.Constructs.AccountEvaluation;
using MfaConfigRule.Infra.Constructs.Operations;
using MfaConfigRule.Infra.Constructs.Organization;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Stacks;

internal interface IMfaConfigRuleOrganizationPerAccountStackProps : IStackProps
{
    Code Code { get; }
    MfaRuleSettings Settings { get; }
    OrganizationDeployment Organization { get; }
}

internal sealed class MfaConfigRuleOrganizationPerAccountStackProps : StackProps, IMfaConfigRuleOrganizationPerAccountStackProps
{
    public required Code Code { get; init; }
    public required MfaRuleSettings Settings { get; init; }
    public required OrganizationDeployment Organization { get; init; }
}

/// <summary>
/// The Organization deployment with per-account evaluation (<c>-c mfaRule:evaluation=per-account</c>), in the management
/// account or a delegated administrator: the code bucket the members read their package from, the StackSet that puts the
/// per-account template (<see cref="MfaConfigRuleAccountStack"/>, the same template <c>account-template</c> writes) into
/// every account of the target OUs, the management account's own copy of it (a nested stack, when deployed from there),
/// and the Organization-wide aggregator. No central function, no member role, no cross-account trust.
/// </summary>
internal sealed class MfaConfigRuleOrganizationPerAccountStack : Stack
{
    public MfaConfigRuleOrganizationPerAccountStack(Construct scope, string id, IMfaConfigRuleOrganizationPerAccountStackProps props)
        : base(scope, id, props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var settings = props.Settings;
        var organization = props.Organization;
        var region = settings.Region ?? throw new ArgumentException("the Organization deployment needs the rule's Region");

        Identity = new OrganizationIdentity(this, "OrganizationId", settings.Functions.LogRetention);
        Code = new OrganizationCodeBucket(this, "Code", new OrganizationCodeBucketProps
        {
            Code = props.Code,
            OrganizationId = Identity.OrganizationId,
            Version = ReleaseVersion.Current,
            LogRetention = settings.Functions.LogRetention,
        });

        TemplateBody = MfaConfigRuleAccountStack.Synthesize(settings);
        MemberParameters = AccountParameters(settings, Code.Bucket.BucketName, Code.Key, Code.VersionId);
        Members = new MemberStackSet(this, "Members", new MemberStackSetProps
        {
            TemplateBody = TemplateBody,
            OrganizationalUnitIds = organization.OrganizationalUnitIds,
            Region = region,
            Parameters = MemberParameters,
            CalledByDelegatedAdministrator = organization.Administrator == OrganizationAdministrator.Delegated,
        });
        // Members create their functions from the package: it must be there (the version ID parameter waits for the copy),
        // and readable, first.
        Members.StackSet.AddDependency(Code.PolicyResource);

        if (organization.Administrator == OrganizationAdministrator.Management)
        {
            // StackSets skip the management account: it gets the same template as a nested stack with the same parameters.
            var template = new Asset(this, "AccountTemplate", new AssetProps { Path = WriteTemplate(TemplateBody) });
            OwnAccount = new CfnStack(this, "ManagementAccount", new CfnStackProps
            {
                TemplateUrl = template.HttpUrl,
                Parameters = MemberParameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            });
            OwnAccount.AddDependency(Code.PolicyResource);
        }

        Aggregator = new OrganizationAggregator(this, "Aggregator", MfaConfigRuleOrganizationStack.AggregatorName);
        Operations = new OperationsMonitoring(this, "Operations", new OperationsMonitoringProps
        {
            AlarmEmail = settings.Operations.AlarmEmail,
            DashboardName = $"{StackName}-{region}",
        });
        // The functions, their alarms and their failed-event queues are each account's own; what stays central is the
        // StackSet: an account whose stack instance fails is a message on the operations topic, not a silent gap.
        Members.NotifyFailuresTo(Operations.Topic);
        ReportAccess = new OrganizationReportAccess(this, "ReportAccess", Aggregator.Aggregator, organization.ReportRoleArn);
        _ = new CfnOutput(this, MfaConfigRuleOrganizationStack.ReportPolicyArnOutput, new CfnOutputProps
        {
            Value = ReportAccess.Policy.ManagedPolicyArn,
            Description = "Attach to whoever runs mfa-config-rule report --aggregator (attached already to mfaRule:reportRoleArn when given)",
        });
        _ = new CfnOutput(this, "ConfigRuleName", new CfnOutputProps { Value = settings.Rule.RuleName, Description = "The rule's name in every account" });
        _ = new CfnOutput(this, "AggregatorName", new CfnOutputProps { Value = MfaConfigRuleOrganizationStack.AggregatorName, Description = "Org-wide results" });
        _ = new CfnOutput(this, "CodeBucketName", new CfnOutputProps { Value = Code.Bucket.BucketName, Description = "The members' code: CodeBucket of the per-account template" });
        _ = new CfnOutput(this, "CodeKey", new CfnOutputProps { Value = Code.Key, Description = "The package the members run (CodeKey; CodeObjectVersion is its version ID)" });
        if (OwnAccount is null)
        {
            _ = new CfnOutput(this, MfaConfigRuleOrganizationStack.ManagementAccountCommandOutput, new CfnOutputProps
            {
                Value = ManagementAccountCommand(region, MemberParameters),
                Description = "Run with the management account's credentials (StackSets skip it): the per-account template with the StackSet's parameters",
            });
        }
    }

    public OrganizationIdentity Identity { get; }
    public OrganizationCodeBucket Code { get; }
    public string TemplateBody { get; }

    /// <summary>Every parameter of the per-account template, with the value the StackSet (and the management account) passes.</summary>
    public IReadOnlyDictionary<string, string> MemberParameters { get; }

    public MemberStackSet Members { get; }

    /// <summary>The management account's nested stack; null when a delegated administrator deploys this stack.</summary>
    public CfnStack? OwnAccount { get; }

    public OrganizationAggregator Aggregator { get; }
    public OperationsMonitoring Operations { get; }
    public OrganizationReportAccess ReportAccess { get; }

    /// <summary>The per-account template's parameters from the app's settings: the same choices as the central mode's.</summary>
    public static IReadOnlyDictionary<string, string> AccountParameters(MfaRuleSettings settings, string bucket, string key, string versionId)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var ruleParameters = RuleParameters.Default.ToDictionary().Concat(settings.Rule.RuleParameters)
            .GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [AccountTemplateParameters.CodeBucketName] = bucket,
            [AccountTemplateParameters.CodeKeyName] = key,
            [AccountTemplateParameters.CodeObjectVersionName] = versionId,
            [AccountTemplateParameters.RuleNameName] = settings.Rule.RuleName,
            [AccountTemplateParameters.FrequencyName] = settings.Rule.MaximumExecutionFrequency,
            [AccountTemplateParameters.CreateRuleName] = "true",
            [AccountTemplateParameters.ReevaluationName] = settings.Rule.Reevaluation ? "true" : "false",
            [AccountTemplateParameters.SecurityHubFindingsName] = settings.SecurityHub.Direct ? SecurityHubSettings.DirectMode : SecurityHubSettings.OffMode,
            [AccountTemplateParameters.SecurityHubSeverityName] = settings.SecurityHub.FailedSeverity,
            // Remediation in each account, by its own remediate function (the per-account template's conditions).
            [AccountTemplateParameters.RemediationName] = settings.Remediation.Mode switch
            {
                RemediationMode.Manual => AccountTemplateParameters.RemediationManual,
                RemediationMode.Automatic => AccountTemplateParameters.RemediationAutomatic,
                _ => AccountTemplateParameters.RemediationOff,
            },
            [AccountTemplateParameters.RemediationActionName] = settings.Remediation.Action.ToWire(),
            [AccountTemplateParameters.RemediationDenyAccessKeysName] = settings.Remediation.DenyAccessKeys ? "true" : "false",
        };
        foreach (var (name, value) in ruleParameters) parameters[name] = value;
        // An empty list (ExemptUserNames, ExemptPathPrefixes) is the template's default already, synthesized from the
        // same settings: left out, so no StackSet parameter is an empty string.
        foreach (var empty in parameters.Where(p => p.Value.Length == 0).Select(p => p.Key).ToList()) parameters.Remove(empty);
        return parameters;
    }

    /// <summary>The template as a file for the nested stack's asset, named by its content so each synthesis finds its own.</summary>
    private static string WriteTemplate(string body)
    {
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)));
        var directory = Path.Combine(Path.GetTempPath(), "mfa-account-template-" + hash[..16]);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, Program.AccountTemplateFile);
        File.WriteAllText(file, body);
        return file;
    }

    private static string ManagementAccountCommand(string region, IReadOnlyDictionary<string, string> parameters) =>
        $"aws cloudformation deploy --region {region} --stack-name {MfaConfigRuleOrganizationStack.ManagementAccountStackName} " +
        $"--template-file cdk.out/{Program.AccountTemplateFile} --capabilities CAPABILITY_IAM --parameter-overrides " +
        string.Join(' ', parameters.Select(p => $"\"{p.Key}={p.Value}\""));
}

using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Constructs;
using MfaConfigRule.Infra.Constructs.Organization;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Stacks;

internal interface IMfaConfigRuleOrganizationStackProps : IStackProps
{
    Code Code { get; }
    MfaRuleSettings Settings { get; }
    OrganizationDeployment Organization { get; }

    /// <summary>Per-account pieces of other capabilities, added to the member template and to this account's own pieces.</summary>
    IReadOnlyList<IOrganizationMemberPart> MemberParts { get; }
}

internal sealed class MfaConfigRuleOrganizationStackProps : StackProps, IMfaConfigRuleOrganizationStackProps
{
    public required Code Code { get; init; }
    public required MfaRuleSettings Settings { get; init; }
    public required OrganizationDeployment Organization { get; init; }
    public IReadOnlyList<IOrganizationMemberPart> MemberParts { get; init; } = [];
}

/// <summary>
/// The Organization deployment, in the management account or a delegated administrator: the central evaluate function,
/// the StackSet that puts the member pieces into every account of the target OUs, an Organization-wide aggregator, and
/// the management account's own member pieces (StackSets never deploy to it): in this stack when deployed from the
/// management account, else by the command the <see cref="ManagementAccountCommandOutput"/> output prints.
/// </summary>
internal sealed class MfaConfigRuleOrganizationStack : Stack
{
    public const string AggregatorName = "mfa-config-rule-organization";

    /// <summary>The management account's stack of the member template, when a delegated administrator deploys the rest.</summary>
    public const string ManagementAccountStackName = "MfaConfigRule-ManagementAccount";

    public const string ManagementAccountCommandOutput = "ManagementAccountCommand";

    public const string ReportPolicyArnOutput = "ReportPolicyArn";

    public MfaConfigRuleOrganizationStack(Construct scope, string id, IMfaConfigRuleOrganizationStackProps props)
        : base(scope, id, props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var settings = props.Settings;
        var organization = props.Organization;

        Identity = new OrganizationIdentity(this, "OrganizationId", settings.Functions.LogRetention);
        Central = new CentralEvaluator(this, "Central", new CentralEvaluatorProps
        {
            OrganizationId = Identity.OrganizationId,
            Code = props.Code,
            RuleName = settings.Rule.RuleName,
            MemberRoleName = organization.MemberRoleName,
            ExternalId = organization.ExternalId,
            MemorySize = settings.Functions.EvaluateMemoryMb,
            Timeout = Duration.Seconds(settings.Functions.EvaluateTimeoutSeconds),
            LogRetention = settings.Functions.LogRetention,
            EventMaxAge = Duration.Seconds(settings.Rule.EventMaxAge.TotalSeconds),
        });
        var central = new OrganizationCentral(this, organization.MemberRoleName, organization.ExternalId, props.Code, Central, Identity);
        central.Provide(CentralValue.EvaluateFunctionArn, Central.EvaluateFunction.Function.FunctionArn);
        central.Provide(CentralValue.EvaluateRoleArn, Central.EvaluateFunction.Role.RoleArn);
        central.Provide(CentralValue.OrganizationId, Identity.OrganizationId);
        foreach (var part in props.MemberParts) part.AddCentral(central);

        if (organization.Administrator == OrganizationAdministrator.Management)
        {
            OwnAccount = new OrganizationMember(this, "ManagementAccount", OrganizationMemberStack.MemberProps(settings, organization, central.Get));
            foreach (var part in props.MemberParts) part.AddTo(OwnAccount);
            // Config checks that it may invoke the function when a rule is created.
            OwnAccount.Rule.AddDependency(Central.InvokePermission);
        }

        var region = settings.Region ?? throw new ArgumentException("the Organization deployment needs the rule's Region");
        var templateBody = OrganizationMemberStack.Synthesize(settings, organization, props.MemberParts);
        // Exactly the parameters the member template declares, each with the admin stack's value.
        var memberParameters = OrganizationMemberStack.ParameterNames(templateBody).ToDictionary(name => name, central.ParameterValue, StringComparer.Ordinal);
        Members = new MemberStackSet(this, "Members", new MemberStackSetProps
        {
            TemplateBody = templateBody,
            OrganizationalUnitIds = organization.OrganizationalUnitIds,
            Region = region,
            Parameters = memberParameters,
            CalledByDelegatedAdministrator = organization.Administrator == OrganizationAdministrator.Delegated,
        });
        // Every member's rule is created against the function's invoke permission, and evaluates at once.
        Members.StackSet.AddDependency(Central.InvokePermission);
        Members.StackSet.Node.AddDependency(Central.Permissions);

        Aggregator = new OrganizationAggregator(this, "Aggregator", AggregatorName);
        ReportAccess = new OrganizationReportAccess(this, "ReportAccess", Aggregator.Aggregator, organization.ReportRoleArn);
        _ = new CfnOutput(this, ReportPolicyArnOutput, new CfnOutputProps
        {
            Value = ReportAccess.Policy.ManagedPolicyArn,
            Description = "Attach to whoever runs mfa-config-rule report --aggregator (attached already to mfaRule:reportRoleArn when given)",
        });

        _ = new CfnOutput(this, "ConfigRuleName", new CfnOutputProps { Value = settings.Rule.RuleName, Description = "The rule's name in every account" });
        _ = new CfnOutput(this, "AggregatorName", new CfnOutputProps
        {
            Value = AggregatorName,
            Description = "Org-wide results: aws configservice get-aggregate-compliance-details-by-config-rule --configuration-aggregator-name ... --config-rule-name ... --account-id ... --aws-region ...",
        });
        if (OwnAccount is null)
        {
            _ = new CfnOutput(this, ManagementAccountCommandOutput, new CfnOutputProps
            {
                Value = ManagementAccountCommand(region, memberParameters),
                Description = "Run with the management account's credentials (StackSets skip it): the member template with the StackSet's parameters",
            });
        }
        _ = new CfnOutput(this, "EvaluateLogGroup", new CfnOutputProps { Value = Central.EvaluateFunction.LogGroup.LogGroupName, Description = "Logs of the central evaluate function, every account" });
    }

    public CentralEvaluator Central { get; }
    public OrganizationIdentity Identity { get; }

    /// <summary>The management account's member pieces; null when a delegated administrator deploys this stack.</summary>
    public OrganizationMember? OwnAccount { get; }
    public MemberStackSet Members { get; }
    public OrganizationAggregator Aggregator { get; }

    /// <summary>The least-privilege policy of <c>report --aggregator</c>.</summary>
    public OrganizationReportAccess ReportAccess { get; }

    /// <summary>
    /// The management account's own copy of what every member gets: the member template Program writes beside the stacks,
    /// deployed as a normal stack with exactly the StackSet's parameters (their deploy-time values, filled in by the output).
    /// </summary>
    private static string ManagementAccountCommand(string region, IReadOnlyDictionary<string, string> parameters) =>
        $"aws cloudformation deploy --region {region} --stack-name {ManagementAccountStackName} " +
        $"--template-file cdk.out/{Program.OrganizationMemberTemplateFile} --capabilities CAPABILITY_NAMED_IAM --parameter-overrides " +
        string.Join(' ', parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}

using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Constructs;
using MfaConfigRule.Infra.Constructs;

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
/// The Organization deployment, in the management account: the central evaluate function, the member pieces for this
/// account itself (StackSets never deploy to the management account), the StackSet that puts them into every account of
/// the target OUs, and an Organization-wide aggregator.
/// </summary>
internal sealed class MfaConfigRuleOrganizationStack : Stack
{
    public const string AggregatorName = "mfa-config-rule-organization";

    public MfaConfigRuleOrganizationStack(Construct scope, string id, IMfaConfigRuleOrganizationStackProps props)
        : base(scope, id, props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var settings = props.Settings;
        var organization = props.Organization;

        Central = new CentralEvaluator(this, "Central", new CentralEvaluatorProps
        {
            Code = props.Code,
            RuleName = settings.RuleName,
            MemberRoleName = organization.MemberRoleName,
            ExternalId = organization.ExternalId,
            MemorySize = settings.EvaluateMemoryMb,
            Timeout = Duration.Seconds(settings.EvaluateTimeoutSeconds),
            LogRetention = settings.LogRetention,
            EventMaxAge = Duration.Seconds(settings.EventMaxAge.TotalSeconds),
        });
        Identity = new OrganizationIdentity(this, "OrganizationId", settings.LogRetention);
        var central = new OrganizationCentral(this, settings, organization, props.Code, Central, Identity);
        central.Provide(CentralValue.EvaluateFunctionArn, Central.EvaluateFunction.Function.FunctionArn);
        central.Provide(CentralValue.EvaluateRoleArn, Central.EvaluateFunction.Role.RoleArn);
        central.Provide(CentralValue.OrganizationId, Identity.OrganizationId);
        foreach (var part in props.MemberParts) part.AddCentral(central);

        OwnAccount = new OrganizationMember(this, "ManagementAccount", OrganizationMemberStack.MemberProps(settings, organization, central.Get));
        foreach (var part in props.MemberParts) part.AddTo(OwnAccount);
        // Config checks that it may invoke the function when a rule is created.
        OwnAccount.Rule.AddDependency(Central.InvokePermission);

        var templateBody = OrganizationMemberStack.Synthesize(settings, organization, props.MemberParts);
        Members = new MemberStackSet(this, "Members", new MemberStackSetProps
        {
            TemplateBody = templateBody,
            OrganizationalUnitIds = organization.OrganizationalUnitIds,
            Region = settings.Region ?? throw new ArgumentException("the Organization deployment needs the rule's Region"),
            // Exactly the parameters the member template declares, each with the admin stack's value.
            Parameters = OrganizationMemberStack.ParameterNames(templateBody).ToDictionary(name => name, central.ParameterValue, StringComparer.Ordinal),
        });
        // Every member's rule is created against the function's invoke permission, and evaluates at once.
        Members.StackSet.AddDependency(Central.InvokePermission);
        Members.StackSet.Node.AddDependency(Central.Permissions);

        Aggregator = new OrganizationAggregator(this, "Aggregator", AggregatorName);

        _ = new CfnOutput(this, "ConfigRuleName", new CfnOutputProps { Value = settings.RuleName, Description = "The rule's name in every account" });
        _ = new CfnOutput(this, "AggregatorName", new CfnOutputProps
        {
            Value = AggregatorName,
            Description = "Org-wide results: aws configservice get-aggregate-compliance-details-by-config-rule --configuration-aggregator-name ... --config-rule-name ... --account-id ... --aws-region ...",
        });
        _ = new CfnOutput(this, "EvaluateLogGroup", new CfnOutputProps { Value = Central.EvaluateFunction.LogGroup.LogGroupName, Description = "Logs of the central evaluate function, every account" });
    }

    public CentralEvaluator Central { get; }
    public OrganizationIdentity Identity { get; }
    public OrganizationMember OwnAccount { get; }
    public MemberStackSet Members { get; }
    public OrganizationAggregator Aggregator { get; }
}

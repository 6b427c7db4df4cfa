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
        // Each member's findings are imported with its member role's session (its part grants the permission there).
        if (settings.SecurityHubFindings) SecurityHubFindings.SwitchOn(Central.EvaluateFunction, settings.SecurityHubSeverity);
        var functionArn = Central.EvaluateFunction.Function.FunctionArn;
        var roleArn = Central.EvaluateFunction.Role.RoleArn;

        OwnAccount = new OrganizationMember(this, "ManagementAccount", OrganizationMemberStack.MemberProps(settings, organization, functionArn, roleArn));
        foreach (var part in props.MemberParts) part.AddTo(OwnAccount);
        // Config checks that it may invoke the function when a rule is created.
        OwnAccount.Rule.AddDependency(Central.InvokePermission);

        Members = new MemberStackSet(this, "Members", new MemberStackSetProps
        {
            TemplateBody = OrganizationMemberStack.Synthesize(settings, organization, props.MemberParts),
            OrganizationalUnitIds = organization.OrganizationalUnitIds,
            Region = settings.Region ?? throw new ArgumentException("the Organization deployment needs the rule's Region"),
            Parameters = new Dictionary<string, string>
            {
                [OrganizationMemberStack.CentralFunctionArnParameter] = functionArn,
                [OrganizationMemberStack.CentralRoleArnParameter] = roleArn,
            },
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
    public OrganizationMember OwnAccount { get; }
    public MemberStackSet Members { get; }
    public OrganizationAggregator Aggregator { get; }
}

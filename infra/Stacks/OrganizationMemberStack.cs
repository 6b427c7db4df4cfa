using System.Text.Json;
using Amazon.CDK;
using Constructs;
using MfaConfigRule.Infra.Constructs.Organization;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Stacks;

internal interface IOrganizationMemberStackProps : IStackProps
{
    MfaRuleSettings Settings { get; }
    OrganizationDeployment Organization { get; }
    IReadOnlyList<IOrganizationMemberPart> Parts { get; }
}

internal sealed class OrganizationMemberStackProps : StackProps, IOrganizationMemberStackProps
{
    public required MfaRuleSettings Settings { get; init; }
    public required OrganizationDeployment Organization { get; init; }
    public IReadOnlyList<IOrganizationMemberPart> Parts { get; init; } = [];
}

/// <summary>
/// The template the StackSet puts into every member account: <see cref="OrganizationMember"/> and the parts other
/// capabilities add, with what they need from the admin account (<see cref="CentralValue"/>) as parameters, which the
/// StackSet passes. It holds no asset, so it needs no CDK bootstrap in the members and fits in a TemplateBody.
/// </summary>
internal sealed class OrganizationMemberStack : Stack
{
    /// <summary>CloudFormation's limit for a template passed as TemplateBody (StackSets included).</summary>
    public const int MaxTemplateBodyBytes = StackSetTemplateBody.MaxBytes;

    public OrganizationMemberStack(Construct scope, string id, IOrganizationMemberStackProps props)
        : base(scope, id, props)
    {
        ArgumentNullException.ThrowIfNull(props);
        Member = new OrganizationMember(this, "Member", MemberProps(props.Settings, props.Organization, Parameter));
        foreach (var part in props.Parts) part.AddTo(Member);
    }

    public OrganizationMember Member { get; }

    /// <summary>A central value as this template has it: a parameter the StackSet passes, declared on first use.</summary>
    private string Parameter(CentralValue value) =>
        (Node.TryFindChild(value.ParameterName) as CfnParameter ?? new CfnParameter(this, value.ParameterName, new CfnParameterProps
        {
            Type = "String",
            Description = value.Description,
            AllowedPattern = value.AllowedPattern,
        })).ValueAsString;

    public static OrganizationMemberProps MemberProps(MfaRuleSettings settings, OrganizationDeployment organization, Func<CentralValue, string> central) => new()
    {
        Central = central,
        MemberRoleName = organization.MemberRoleName,
        ExternalId = organization.ExternalId,
        RuleName = settings.Rule.RuleName,
        MaximumExecutionFrequency = settings.Rule.MaximumExecutionFrequency,
        InputParameters = settings.Rule.RuleParameters,
    };

    /// <summary>The names of the parameters a synthesized member template declares: what the StackSet must pass.</summary>
    public static IReadOnlyList<string> ParameterNames(string templateBody)
    {
        using var template = JsonDocument.Parse(templateBody);
        return template.RootElement.TryGetProperty("Parameters", out var parameters)
            ? [.. parameters.EnumerateObject().Select(p => p.Name)]
            : [];
    }

    /// <summary>
    /// The member template as compact JSON, synthesized in an app of its own (into a scratch directory, never the
    /// caller's cloud assembly) with no bootstrap rule, no asset and no CDK metadata.
    /// </summary>
    public static string Synthesize(MfaRuleSettings settings, OrganizationDeployment organization, IReadOnlyList<IOrganizationMemberPart>? parts = null) =>
        StackSetTemplateBody.Synthesize("member template", app => new OrganizationMemberStack(app, "MfaConfigRuleMember", new OrganizationMemberStackProps
        {
            Settings = settings,
            Organization = organization,
            Parts = parts ?? [],
            Synthesizer = new BootstraplessSynthesizer(),
            AnalyticsReporting = false,
            Description = "MFA Config rule, member account: the rule (evaluated by the central function) and the role it assumes",
        }));
}

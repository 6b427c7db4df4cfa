using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using MfaConfigRule.Infra.Constructs.SecurityHub;

namespace MfaConfigRule.Infra.Constructs.Organization;

/// <summary>
/// The direct Security Hub export in an Organization (<c>-c mfaRule:securityHubFindings=direct</c>): every account's
/// member role may import findings into that account's own default product in the rule's Region, and nothing else,
/// because Security Hub takes such a finding only from the account it is about; the central function, which signs the
/// import with the member role's session, has the export switched on in its environment.
/// </summary>
internal sealed class SecurityHubMemberFindings(string failedSeverity) : IOrganizationMemberPart
{
    public const string PolicyId = "MemberImportFindings";

    /// <summary>The central function imports each member's findings with that member's role session: it only needs the switch.</summary>
    public void AddCentral(OrganizationCentral central)
    {
        ArgumentNullException.ThrowIfNull(central);
        SecurityHubFindings.SwitchOn(central.Evaluator.EvaluateFunction, failedSeverity);
    }

    public void AddTo(OrganizationMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        var policy = new Policy(member, PolicyId, new PolicyProps
        {
            Roles = [member.Role],
            Statements = [SecurityHubFindings.ImportOwnFindings()],
        });
        // Config evaluates as soon as the rule exists, and that first sweep already exports findings.
        member.Rule.AddDependency((CfnResource)policy.Node.DefaultChild!);
    }
}

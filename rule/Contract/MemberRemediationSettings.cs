using System.Text.RegularExpressions;

namespace MfaConfigRule.Contract;

/// <summary>
/// Organization mode of the <c>remediate</c> function, from its environment: the remediation role it assumes in each
/// member (separate from the evaluation role), the runbook every member holds under one name, and which accounts it
/// may act in. Without <see cref="RoleVariable"/> the function is the single-account one and none of this applies.
/// </summary>
internal sealed partial record MemberRemediationSettings(MemberRole Role, string DocumentName, IReadOnlySet<string>? AllowedAccountIds)
{
    public const string RoleVariable = "MFA_RULE_MEMBER_REMEDIATION_ROLE_NAME";
    public const string DocumentNameVariable = "MFA_RULE_REMEDIATION_DOCUMENT_NAME";

    /// <summary>Null when the function is not in Organization mode.</summary>
    public static MemberRemediationSettings? FromEnvironment(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var roleName = environment.Get(RoleVariable)?.Trim();
        if (string.IsNullOrEmpty(roleName)) return null;
        var externalId = environment.Get(OrganizationSettings.ExternalIdVariable)?.Trim();
        var role = new MemberRole(roleName, string.IsNullOrEmpty(externalId) ? null : externalId);
        var document = environment.Get(DocumentNameVariable)?.Trim();
        if (string.IsNullOrEmpty(document) || !DocumentNamePattern().IsMatch(document))
            throw new OrganizationSettingsException($"{DocumentNameVariable} is '{document}'; Organization remediation needs the runbook's name in every member (3-128 of letters, digits and _-.)");
        var accounts = environment.Get(OrganizationSettings.AccountsVariable)?.Trim();
        var allowed = string.IsNullOrEmpty(accounts) || accounts.Equals(OrganizationSettings.WholeOrganization, StringComparison.OrdinalIgnoreCase)
            ? null
            : OrganizationSettings.ParseAccountIds(accounts, OrganizationSettings.AccountsVariable);
        return new MemberRemediationSettings(role, document, allowed);
    }

    [GeneratedRegex(@"^[a-zA-Z0-9_\-.]{3,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex DocumentNamePattern();
}

using System.Text.RegularExpressions;
using Constructs;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Infra;

/// <summary>Which account the admin stack is deployed from, which decides how the StackSet is called and who covers the management account.</summary>
internal enum OrganizationAdministrator
{
    /// <summary>The management account: the StackSet is called as SELF and the admin stack holds the management account's own member pieces.</summary>
    Management,

    /// <summary>
    /// A delegated administrator (a member account registered for StackSets and Config): the StackSet is called as
    /// DELEGATED_ADMIN and reaches this account itself when it sits in a target OU; the management account, which
    /// StackSets skip and a delegated administrator cannot deploy to, gets the member template by one printed command.
    /// </summary>
    Delegated,
}

/// <summary>
/// The Organization deployment's own context values (<c>-c mfaRule:deployment=organization</c>): which OUs get the member
/// stack, what the member role is called, and which account deploys it. Absent or <c>account</c>: the single-account app, unchanged.
/// </summary>
internal sealed partial record OrganizationDeployment
{
    public const string DeploymentKey = "mfaRule:deployment";
    public const string OrganizationalUnitIdsKey = "mfaRule:organizationalUnitIds";
    public const string MemberRoleNameKey = "mfaRule:memberRoleName";
    public const string ExternalIdKey = "mfaRule:externalId";
    public const string AdministratorKey = "mfaRule:administrator";

    public const string SingleAccount = "account";
    public const string Organization = "organization";
    public const string DefaultMemberRoleName = "MfaConfigRule-Member";
    public const string ManagementAdministrator = "management";
    public const string DelegatedAdministrator = "delegated";

    /// <summary>Not a secret (AWS: external IDs never are); it makes the member role refuse sessions that do not name this deployment.</summary>
    public const string DefaultExternalId = "mfa-config-rule";

    public required IReadOnlyList<string> OrganizationalUnitIds { get; init; }
    public string MemberRoleName { get; init; } = DefaultMemberRoleName;
    public string ExternalId { get; init; } = DefaultExternalId;
    public OrganizationAdministrator Administrator { get; init; } = OrganizationAdministrator.Management;

    /// <summary>Null for the single-account deployment; the Organization settings, validated, otherwise.</summary>
    public static OrganizationDeployment? FromContext(Node node, MfaRuleSettings settings)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(settings);
        var deployment = (node.TryGetContext(DeploymentKey) as string)?.Trim() ?? SingleAccount;
        if (deployment == SingleAccount) return null;
        var errors = new List<string>();
        if (deployment != Organization)
            errors.Add($"{DeploymentKey}: '{deployment}' is neither {SingleAccount} nor {Organization}");

        var ous = ((node.TryGetContext(OrganizationalUnitIdsKey) as string) ?? string.Empty)
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (ous.Length == 0)
            errors.Add($"{OrganizationalUnitIdsKey}: the Organization deployment needs the OUs to deploy to, e.g. -c {OrganizationalUnitIdsKey}=ou-ab12-cdef3456,ou-ab12-7890abcd (or the root r-ab12 for every account)");
        errors.AddRange(ous.Where(ou => !OuPattern().IsMatch(ou)).Select(ou => $"{OrganizationalUnitIdsKey}: '{ou}' is not an OU ID (ou-xxxx-xxxxxxxx) or a root ID (r-xxxx)"));

        var roleName = (node.TryGetContext(MemberRoleNameKey) as string)?.Trim() ?? DefaultMemberRoleName;
        var externalId = (node.TryGetContext(ExternalIdKey) as string)?.Trim() ?? DefaultExternalId;
        try
        {
            _ = new MfaConfigRule.Contract.MemberRole(roleName, externalId);
        }
        catch (MfaConfigRule.Contract.OrganizationSettingsException e)
        {
            errors.Add($"{MemberRoleNameKey}/{ExternalIdKey}: {e.Message}");
        }
        var administrator = (node.TryGetContext(AdministratorKey) as string)?.Trim() ?? ManagementAdministrator;
        if (administrator is not (ManagementAdministrator or DelegatedAdministrator))
            errors.Add($"{AdministratorKey}: '{administrator}' is neither {ManagementAdministrator} (deploying from the management account) nor {DelegatedAdministrator} (from a delegated administrator registered for CloudFormation StackSets and Config)");
        if (settings.CreateRecorder)
            errors.Add($"{MfaRuleSettings.CreateRecorderKey}: the Organization deployment expects each account's own recorder (Config's organization-wide recording); it creates none");
        if (settings.Region is null)
            errors.Add($"{MfaRuleSettings.RegionKey}: the Organization deployment needs the Region of the rule in every account, e.g. -c {MfaRuleSettings.RegionKey}=eu-west-1");

        if (errors.Count > 0)
            throw new ArgumentException("invalid CDK context:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        return new OrganizationDeployment
        {
            OrganizationalUnitIds = ous,
            MemberRoleName = roleName,
            ExternalId = externalId,
            Administrator = administrator == DelegatedAdministrator ? OrganizationAdministrator.Delegated : OrganizationAdministrator.Management,
        };
    }

    [GeneratedRegex("^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$", RegexOptions.CultureInvariant)]
    private static partial Regex OuPattern();
}

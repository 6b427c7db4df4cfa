using System.Text.RegularExpressions;
using Constructs;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Infra.Settings;

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

/// <summary>Where an Organization's accounts are evaluated (<c>-c mfaRule:evaluation=central|per-account</c>).</summary>
internal enum OrganizationEvaluation
{
    /// <summary>One central function in the admin account, assuming a role in each member (the default).</summary>
    Central,

    /// <summary>
    /// Each account's own function (the per-account template, through the StackSet), code from a bucket of the admin
    /// account: no member role, no cross-account trust; only the aggregator is central.
    /// </summary>
    PerAccount,
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
    public const string AccountsKey = "mfaRule:organizationAccounts";

    /// <summary>The account count the central functions' reserved concurrency is sized for when none is given.</summary>
    public const int DefaultAccounts = 50;

    /// <summary>
    /// The most accounts the reservations can be sized for: both reservations together stay within 900, what an admin
    /// account with Lambda's default quota (1,000) may reserve while AWS keeps 100 unreserved.
    /// </summary>
    public const int MaxAccounts = 800;

    public const string ReportRoleArnKey = "mfaRule:reportRoleArn";
    public const string EvaluationKey = "mfaRule:evaluation";
    public const string CentralEvaluation = "central";
    public const string PerAccountEvaluation = "per-account";

    /// <summary>The exact number of accounts whose forwarders send heartbeats (docs/operations.md, "The members' forwarders").</summary>
    public const string ForwarderAccountsKey = "mfaRule:forwarderAccounts";

    /// <summary>Heartbeats an hour the alarm can expect at most: the accounts an Organization can hold, far beyond any real one.</summary>
    public const int MaxForwarderAccounts = 10_000;

    public const string SingleAccount = "account";
    public const string Organization = "organization";

    /// <summary>Only the per-account template (MfaConfigRuleAccount), for StackSets, CfCT, LZA and conformance packs.</summary>
    public const string AccountTemplate = "account-template";
    public const string DefaultMemberRoleName = "MfaConfigRule-Member";
    public const string ManagementAdministrator = "management";
    public const string DelegatedAdministrator = "delegated";

    /// <summary>Not a secret (AWS: external IDs never are); it makes the member role refuse sessions that do not name this deployment.</summary>
    public const string DefaultExternalId = "mfa-config-rule";

    public required IReadOnlyList<string> OrganizationalUnitIds { get; init; }
    public string MemberRoleName { get; init; } = DefaultMemberRoleName;
    public string ExternalId { get; init; } = DefaultExternalId;
    public OrganizationAdministrator Administrator { get; init; } = OrganizationAdministrator.Management;

    /// <summary>How many accounts the Organization's target OUs hold (about): sizes the central functions' reserved concurrency; 0 reserves none.</summary>
    public int Accounts { get; init; } = DefaultAccounts;

    /// <summary>
    /// Exactly how many accounts run the member template with re-evaluation (the StackSet's instances, plus the
    /// management account's own when deployed there): the forwarders' heartbeat alarm then fires when fewer than that
    /// many heartbeats arrive an hour, three hours running, i.e. when one member's forwarder stops. 0 (the default,
    /// unknown): it fires only when none arrives.
    /// </summary>
    public int ForwarderAccounts { get; init; }

    /// <summary>
    /// The central evaluate function's reserved concurrency: one execution per account, as when every account's
    /// periodic run lands at once, plus 10 for change-triggered evaluations. Null (no reservation) when
    /// <see cref="Accounts"/> is 0. Config invokes asynchronously, so a throttled evaluation waits in Lambda's queue
    /// (up to the rule's event age) rather than failing; the bound is on what a foreign account pointing a rule at the
    /// function can take from the admin account's other functions.
    /// </summary>
    public int? EvaluateReservedConcurrency => Accounts == 0 ? null : Accounts + 10;

    /// <summary>
    /// The central remediate function's reserved concurrency: 5 plus one per ten accounts (a remediation is a few
    /// seconds of synchronous calls, and Config retries a throttled automatic one); null when <see cref="Accounts"/> is 0.
    /// </summary>
    public int? RemediateReservedConcurrency => Accounts == 0 ? null : 5 + ((Accounts + 9) / 10);

    /// <summary>Where the accounts are evaluated: by the central function (the default) or each by its own.</summary>
    public OrganizationEvaluation Evaluation { get; init; } = OrganizationEvaluation.Central;

    /// <summary>A role of this account to attach the <c>report --aggregator</c> policy to; null: the policy is only created.</summary>
    public string? ReportRoleArn { get; init; }

    /// <summary>Null for the single-account deployment; the Organization settings, validated, otherwise.</summary>
    public static OrganizationDeployment? FromContext(Node node, MfaRuleSettings settings)
    {
        var context = new ContextReader(node);
        var organization = Read(context, settings);
        context.ThrowIfInvalid();
        return organization;
    }

    /// <summary>Null for the single-account deployment; otherwise the Organization settings, their errors kept in <paramref name="context"/>.</summary>
    public static OrganizationDeployment? Read(ContextReader context, MfaRuleSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        var deployment = context.ReadText(DeploymentKey) ?? SingleAccount;
        var evaluation = context.ReadText(EvaluationKey);
        if (evaluation is not null && deployment != Organization)
            context.Reject($"{EvaluationKey}: applies to the Organization deployment only (-c {DeploymentKey}={Organization}), not to '{deployment}'");
        if (deployment is SingleAccount or AccountTemplate) return null;
        if (deployment != Organization)
            context.Reject($"{DeploymentKey}: '{deployment}' is not {SingleAccount} (the default: one account, deployed with cdk deploy), " +
                $"{Organization} (the admin stack and its StackSet) or {AccountTemplate} (only the per-account template, MfaConfigRuleAccount)");

        var ous = (context.ReadText(OrganizationalUnitIdsKey) ?? string.Empty)
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (ous.Length == 0)
            context.Reject($"{OrganizationalUnitIdsKey}: the Organization deployment needs the OUs to deploy to, e.g. -c {OrganizationalUnitIdsKey}=ou-ab12-cdef3456,ou-ab12-7890abcd (or the root r-ab12 for every account)");
        foreach (var ou in ous.Where(ou => !OuPattern().IsMatch(ou)))
            context.Reject($"{OrganizationalUnitIdsKey}: '{ou}' is not an OU ID (ou-xxxx-xxxxxxxx) or a root ID (r-xxxx)");

        var roleName = context.ReadText(MemberRoleNameKey) ?? DefaultMemberRoleName;
        var externalId = context.ReadText(ExternalIdKey) ?? DefaultExternalId;
        try
        {
            _ = new MemberRole(roleName, externalId);
        }
        catch (OrganizationSettingsException e)
        {
            context.Reject($"{MemberRoleNameKey}/{ExternalIdKey}: {e.Message}");
        }
        var administrator = context.ReadText(AdministratorKey) ?? ManagementAdministrator;
        if (administrator is not (ManagementAdministrator or DelegatedAdministrator))
            context.Reject($"{AdministratorKey}: '{administrator}' is neither {ManagementAdministrator} (deploying from the management account) nor {DelegatedAdministrator} (from a delegated administrator registered for CloudFormation StackSets and Config)");
        var accounts = context.Read(AccountsKey, DefaultAccounts, v => ParseAccounts(v));
        var forwarderAccounts = context.Read(ForwarderAccountsKey, 0, v => ContextReader.ParseInt(v, 0, MaxForwarderAccounts, "accounts"));
        if (forwarderAccounts > 0 && !settings.Rule.Reevaluation)
            context.Reject($"{ForwarderAccountsKey}: with {RuleSettings.ReevaluationKey}=false no account has a forwarder whose heartbeats could be counted");
        var reportRoleArn = context.ReadText(ReportRoleArnKey);
        if (reportRoleArn is not null && !RoleArnPattern().IsMatch(reportRoleArn))
            context.Reject($"{ReportRoleArnKey}: '{reportRoleArn}' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME) of the account deployed to");
        if (settings.Rule.CreateRecorder)
            context.Reject($"{RuleSettings.CreateRecorderKey}: the Organization deployment expects each account's own recorder (Config's organization-wide recording); it creates none");
        if (evaluation is not null and not (CentralEvaluation or PerAccountEvaluation))
            context.Reject($"{EvaluationKey}: '{evaluation}' is neither {CentralEvaluation} (the default: one function in this account evaluates every account through a member role) nor {PerAccountEvaluation} (each account's own function, from a code bucket of this account)");
        var perAccount = evaluation == PerAccountEvaluation;
        if (settings.Region is null)
            context.Reject($"{MfaRuleSettings.RegionKey}: the Organization deployment needs the Region of the rule in every account, e.g. -c {MfaRuleSettings.RegionKey}=eu-west-1");

        return new OrganizationDeployment
        {
            OrganizationalUnitIds = ous,
            MemberRoleName = roleName,
            ExternalId = externalId,
            Administrator = administrator == DelegatedAdministrator ? OrganizationAdministrator.Delegated : OrganizationAdministrator.Management,
            Accounts = accounts,
            ForwarderAccounts = forwarderAccounts,
            ReportRoleArn = reportRoleArn,
            Evaluation = perAccount ? OrganizationEvaluation.PerAccount : OrganizationEvaluation.Central,
        };
    }

    /// <summary>Whether <see cref="DeploymentKey"/> asks for the per-account template only (a bad value is <see cref="Read"/>'s to report).</summary>
    public static bool IsAccountTemplate(ContextReader context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.ReadText(DeploymentKey) == AccountTemplate;
    }

    private static int ParseAccounts(object value)
    {
        try
        {
            return ContextReader.ParseInt(value, 0, MaxAccounts, "accounts");
        }
        catch (FormatException e)
        {
            throw new FormatException(
                $"{e.Message}: the central functions reserve accounts + 10 (evaluate) and 5 + accounts/10 (remediate) concurrent " +
                $"executions, and AWS keeps 100 of the admin account's Lambda concurrency unreserved (default quota 1,000), so at most " +
                $"{MaxAccounts} accounts' worth fits; give 0 to reserve nothing (also for an account whose quota is 10 or 50: " +
                "aws lambda get-account-settings)", e);
        }
    }

    [GeneratedRegex(@"^arn:aws[a-z\-]*:iam::\d{12}:role/([\w+=,.@\-]+/)*[\w+=,.@\-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex("^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$", RegexOptions.CultureInvariant)]
    private static partial Regex OuPattern();
}

using System.Text.RegularExpressions;

namespace MfaConfigRule.Contract;

/// <summary>The role the central function assumes in each member account, as the member template names it.</summary>
internal sealed partial record MemberRole
{
    public MemberRole(string name, string? externalId)
    {
        if (string.IsNullOrEmpty(name) || !RoleNamePattern().IsMatch(name))
            throw new OrganizationSettingsException($"'{name}' is not an IAM role name (1-64 of letters, digits and +=,.@_-)");
        if (externalId is not null && !ExternalIdPattern().IsMatch(externalId))
            throw new OrganizationSettingsException("the external ID must be 2-1224 of letters, digits and +=,.@:/-");
        Name = name;
        ExternalId = externalId;
    }

    public string Name { get; }
    public string? ExternalId { get; }

    public string ArnIn(string partition, string accountId) => $"arn:{partition}:iam::{accountId}:role/{Name}";

    /// <summary>The partition a Region belongs to, for ARNs built before any event names one (the CLI).</summary>
    public static string PartitionOf(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : "aws";

    [GeneratedRegex(@"^[\w+=,.@-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleNamePattern();

    [GeneratedRegex(@"^[\w+=,.@:/-]{2,1224}$", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalIdPattern();
}

/// <summary>
/// Organization mode of the <c>evaluate</c> function, from its environment. Without <see cref="MemberRoleVariable"/> the
/// function is the single-account one and none of this applies.
/// </summary>
internal sealed partial record OrganizationSettings(MemberRole Role, IReadOnlySet<string>? AllowedAccountIds)
{
    public const string MemberRoleVariable = "MFA_RULE_MEMBER_ROLE_NAME";
    public const string ExternalIdVariable = "MFA_RULE_MEMBER_ROLE_EXTERNAL_ID";

    /// <summary><c>ORGANIZATION</c> (the default): the Organization's active accounts; or a comma-separated allow-list of account IDs.</summary>
    public const string AccountsVariable = "MFA_RULE_MEMBER_ACCOUNTS";
    public const string WholeOrganization = "ORGANIZATION";

    /// <summary>The central trigger's own queue, where it puts back the events it has to come back to.</summary>
    public const string TriggerQueueUrlVariable = "MFA_RULE_TRIGGER_QUEUE_URL";

    /// <summary>Null when the function is not in Organization mode.</summary>
    public static OrganizationSettings? FromEnvironment(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var roleName = environment.Get(MemberRoleVariable)?.Trim();
        if (string.IsNullOrEmpty(roleName)) return null;
        var externalId = environment.Get(ExternalIdVariable)?.Trim();
        var role = new MemberRole(roleName, string.IsNullOrEmpty(externalId) ? null : externalId);
        var accounts = environment.Get(AccountsVariable)?.Trim();
        if (string.IsNullOrEmpty(accounts) || accounts.Equals(WholeOrganization, StringComparison.OrdinalIgnoreCase))
            return new OrganizationSettings(role, null);
        return new OrganizationSettings(role, ParseAccountIds(accounts, AccountsVariable));
    }

    /// <summary>A comma-separated list of 12-digit account IDs; <paramref name="source"/> names where it came from in errors.</summary>
    public static IReadOnlySet<string> ParseAccountIds(string text, string source)
    {
        var ids = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length == 0) throw new OrganizationSettingsException($"{source} names no account");
        foreach (var id in ids)
            if (!AccountIdPattern().IsMatch(id)) throw new OrganizationSettingsException($"{source}: '{id}' is not a 12-digit AWS account ID");
        return ids.ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex("^[0-9]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountIdPattern();
}

/// <summary>The Organization settings are wrong; the message names the variable or option and the value.</summary>
internal sealed class OrganizationSettingsException(string message) : Exception(message);

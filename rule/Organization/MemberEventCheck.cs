using System.Text.RegularExpressions;
using MfaConfigRule.ConfigEvents;

namespace MfaConfigRule.Organization;

/// <summary>Where a Config event says the rule runs: the member account, its Region and partition.</summary>
internal sealed record MemberTarget(string AccountId, string Region, string Partition);

/// <summary>Whether the central function may act on an event, and why (or why not).</summary>
internal sealed record EventAdmission(MemberTarget? Target, string Reason)
{
    public bool Admitted => Target is not null;
}

/// <summary>
/// The confused-deputy check on a Config event reaching the central function: the event must name one account, and the
/// rule (<c>configRuleArn</c>) and Config's role (<c>executionRoleArn</c>) must belong to that same account. Otherwise
/// one account's event could make the function read or write another's. Membership of the Organization or the allow-list
/// is checked after this, against the account this admits.
/// </summary>
internal static partial class MemberEventCheck
{
    public static EventAdmission Admit(ConfigEvent configEvent)
    {
        ArgumentNullException.ThrowIfNull(configEvent);
        var account = configEvent.AccountId;
        if (string.IsNullOrEmpty(account) || !AccountIdPattern().IsMatch(account))
            return Refuse($"accountId '{account}' is not a 12-digit AWS account ID");
        if (configEvent.ConfigRuleArn is not { Length: > 0 } ruleArn)
            return Refuse("the event has no configRuleArn, so the rule's account and Region are unknown");
        var rule = ConfigRuleArnPattern().Match(ruleArn);
        if (!rule.Success)
            return Refuse($"configRuleArn '{ruleArn}' is not a Config rule ARN");
        if (rule.Groups["account"].Value != account)
            return Refuse($"configRuleArn '{ruleArn}' belongs to account {rule.Groups["account"].Value}, not to the event's accountId {account}");
        var partition = rule.Groups["partition"].Value;
        if (configEvent.ExecutionRoleArn is { Length: > 0 } roleArn)
        {
            var role = RoleArnPattern().Match(roleArn);
            if (!role.Success)
                return Refuse($"executionRoleArn '{roleArn}' is not an IAM role ARN");
            if (role.Groups["account"].Value != account || role.Groups["partition"].Value != partition)
                return Refuse($"executionRoleArn '{roleArn}' belongs to account {role.Groups["account"].Value}, not to the event's accountId {account}");
        }
        var region = rule.Groups["region"].Value;
        return new EventAdmission(new MemberTarget(account, region, partition), $"account {account}, Region {region}");
    }

    /// <summary>Whether <paramref name="accountId"/> is a 12-digit AWS account ID.</summary>
    public static bool IsAccountId(string? accountId) => accountId is not null && AccountIdPattern().IsMatch(accountId);

    private static EventAdmission Refuse(string reason) => new(null, reason);

    [GeneratedRegex("^[0-9]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex("^arn:(?<partition>aws|aws-cn|aws-us-gov):config:(?<region>[a-z0-9]+(-[a-z0-9]+)+):(?<account>[0-9]{12}):config-rule/.+$", RegexOptions.CultureInvariant)]
    private static partial Regex ConfigRuleArnPattern();

    [GeneratedRegex("^arn:(?<partition>aws|aws-cn|aws-us-gov):iam::(?<account>[0-9]{12}):role/.+$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnPattern();
}

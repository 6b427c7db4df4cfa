using Amazon.CDK;
using Amazon.CDK.AWS.IAM;

namespace MfaConfigRule.Infra.Constructs.Remediation;

/// <summary>
/// The EnforceMfa policy, after the IAM User Guide's "manage your own MFA" example, narrowed to first sign-in: without
/// MFA in the session a user may see and change their own password and create, enable, resync and list their own MFA
/// device, and nothing else, whatever their other policies allow (a Deny wins). Once they sign in with MFA, nothing here
/// restricts them.
/// </summary>
/// <remarks>
/// The condition operator: the AWS example's <c>BoolIfExists</c> on <c>aws:MultiFactorAuthPresent</c> also matches
/// requests signed with long-term access keys (the key is absent from them), so it would cut off every script and
/// integration that uses the user's keys. By default this policy uses <c>Bool</c>, which matches only sessions that
/// carry the key as false: console sign-ins and temporary credentials obtained without MFA. Access keys keep working
/// (the rule is about console passwords). <c>mfaRule:remediationDenyAccessKeys=true</c> switches to
/// <c>BoolIfExists</c>, for accounts where keys must not work without MFA either.
/// </remarks>
internal static class RemediationEnforcementPolicy
{
    /// <summary>What a person needs, without MFA, to reach MFA: own password, own MFA device, and the lists the console shows.</summary>
    public static readonly IReadOnlyList<string> SelfServiceActions =
    [
        "iam:ChangePassword",
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
        "iam:GetAccountPasswordPolicy",
        "iam:GetLoginProfile",
        "iam:GetUser",
        "iam:ListMFADevices",
        "iam:ListVirtualMFADevices",
        "iam:ResyncMFADevice",
        "sts:GetSessionToken",
    ];

    /// <summary>The self-service actions that name a user: without MFA, only ever the caller's own.</summary>
    public static readonly IReadOnlyList<string> OwnUserActions =
        ["iam:ChangePassword", "iam:EnableMFADevice", "iam:GetLoginProfile", "iam:GetUser", "iam:ListMFADevices", "iam:ResyncMFADevice"];

    public static PolicyDocument Document(bool denyAccessKeys)
    {
        var noMfa = new Dictionary<string, object>
        {
            [denyAccessKeys ? "BoolIfExists" : "Bool"] = new Dictionary<string, object> { ["aws:MultiFactorAuthPresent"] = "false" },
        };
        // User ARNs carry the path (user/ops/alice); a user name is unique in the account whatever the path, so both forms
        // name only the caller.
        string[] ownUser =
        [
            $"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:user/${{aws:username}}",
            $"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:user/*/${{aws:username}}",
        ];
        return new PolicyDocument(new PolicyDocumentProps
        {
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "AllowViewPasswordPolicyAndVirtualMfaDevices",
                    Actions = ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"],
                    Resources = ["*"],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "AllowOwnPasswordAndMfaDevice",
                    Actions = [.. OwnUserActions],
                    Resources = ownUser,
                }),
                // The console lets a person name the device; an unassigned device protects and grants nothing, so any name
                // is allowed (as in the AWS example). Enabling it, which names the user, is limited to the caller.
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "AllowCreateVirtualMfaDevice",
                    Actions = ["iam:CreateVirtualMFADevice"],
                    Resources = [$"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:mfa/*"],
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "DenyEverythingElseWithoutMfa",
                    Effect = Effect.DENY,
                    NotActions = [.. SelfServiceActions],
                    Resources = ["*"],
                    Conditions = noMfa,
                }),
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "DenyOtherUsersCredentialsWithoutMfa",
                    Effect = Effect.DENY,
                    Actions = [.. OwnUserActions],
                    NotResources = ownUser,
                    Conditions = noMfa,
                }),
            ],
        });
    }
}

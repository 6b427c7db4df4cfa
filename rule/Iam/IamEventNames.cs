namespace MfaConfigRule.Iam;

/// <summary>
/// CloudTrail event names of IAM calls that can change this rule's verdict for a user. The sweep asks CloudTrail for
/// these since the credential report was generated; the CDK app's re-evaluation trigger listens for the same set
/// (plus tag and user-deletion events, which also produce configuration item changes).
/// </summary>
internal static class IamEventNames
{
    /// <summary>Events after which the credential report's row for the user cannot be trusted.</summary>
    public static readonly IReadOnlyList<string> InvalidatingReport =
    [
        "CreateLoginProfile",
        "DeleteLoginProfile",
        "EnableMFADevice",
        "DeactivateMFADevice",
        "DeleteVirtualMFADevice",
        "CreateUser",
    ];

    /// <summary>Everything the re-evaluation trigger reacts to.</summary>
    public static readonly IReadOnlyList<string> Reevaluating =
    [
        "CreateLoginProfile",
        "UpdateLoginProfile",
        "DeleteLoginProfile",
        "EnableMFADevice",
        "DeactivateMFADevice",
        "DeleteVirtualMFADevice",
        "CreateUser",
        "DeleteUser",
        "TagUser",
        "UntagUser",
    ];
}

namespace MfaConfigRule.Contract;

/// <summary>
/// CloudTrail event names of IAM calls that can change this rule's verdict for a user. The CDK app's re-evaluation
/// trigger listens for <see cref="Reevaluating"/>; the sweep asks CloudTrail for <see cref="InvalidatingReport"/> only.
/// </summary>
internal static class IamEventNames
{
    /// <summary>
    /// Events whose effect a sweep learns only from CloudTrail: a password deleted after the credential report, which the
    /// report still shows and no bulk listing contradicts. Every other change is seen by the sweep's live reads.
    /// </summary>
    public static readonly IReadOnlyList<string> InvalidatingReport =
    [
        "DeleteLoginProfile",
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
        "UpdateUser",
        "DeleteUser",
        "TagUser",
        "UntagUser",
    ];
}

using Amazon.CDK.AWS.Events;

namespace MfaConfigRule.Infra.Constructs;

/// <summary>
/// The CloudTrail-recorded IAM calls that can change a user's verdict: a console password created, changed or removed,
/// an MFA device enabled, deactivated or deleted, a user created or deleted, an exemption tag set or removed.
/// </summary>
/// <remarks>
/// IAM is global and delivers these events to EventBridge in us-east-1 only, and only when a CloudTrail trail records
/// management (write) events there.
/// </remarks>
internal static class IamUserChangeEvents
{
    public static IReadOnlyList<string> EventNames => MfaConfigRule.Iam.IamEventNames.Reevaluating;

    /// <summary>The one region where IAM's CloudTrail events reach EventBridge.</summary>
    public const string EventRegion = "us-east-1";

    public static EventPattern Pattern() => new()
    {
        Source = ["aws.iam"],
        DetailType = ["AWS API Call via CloudTrail"],
        Detail = new Dictionary<string, object>
        {
            ["eventSource"] = new[] { "iam.amazonaws.com" },
            ["eventName"] = EventNames.ToArray(),
        },
    };
}

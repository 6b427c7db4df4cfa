using System.Text.Json;
using Amazon.CDK.AWS.Events;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Infra.Constructs.Reevaluation;

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
    public static IReadOnlyList<string> EventNames => IamEventNames.Reevaluating;

    /// <summary>The one region where IAM's CloudTrail events reach EventBridge.</summary>
    public const string EventRegion = "us-east-1";

    private const string Source = "aws.iam";
    private const string DetailType = "AWS API Call via CloudTrail";
    private const string EventSource = "iam.amazonaws.com";

    /// <summary>The pattern for a rule CDK renders (the rule in the rule's own stack, when that is in us-east-1).</summary>
    public static EventPattern Pattern() => new()
    {
        Source = [Source],
        DetailType = [DetailType],
        Detail = new Dictionary<string, object>
        {
            ["eventSource"] = new[] { EventSource },
            ["eventName"] = EventNames.ToArray(),
        },
    };

    /// <summary>The same pattern as the JSON EventBridge's PutRule takes, for a rule created by API call in us-east-1.</summary>
    public static string PatternJson() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["source"] = new[] { Source },
        ["detail-type"] = new[] { DetailType },
        ["detail"] = new Dictionary<string, object>
        {
            ["eventSource"] = new[] { EventSource },
            ["eventName"] = EventNames.ToArray(),
        },
    });
}

using System.Text.Json.Nodes;
using AwsDouble.CloudTrail;

namespace MfaConfigRule.EndToEnd.Tests.Support;

/// <summary>
/// EventBridge "AWS API Call via CloudTrail" events for IAM calls, as the CDK app's rule forwards them to the trigger:
/// the envelope of samples/events/iam-deactivate-mfa.json around the CloudTrail record the double wrote for the call.
/// </summary>
internal static class IamEvents
{
    public static string For(CloudTrailEventRecord record) => Wrap(JsonNode.Parse(record.CloudTrailEventJson)!.AsObject());

    /// <summary>The sample's envelope around <paramref name="detail"/>.</summary>
    public static string Wrap(JsonObject detail)
    {
        var envelope = JsonNode.Parse(File.ReadAllText(Repository.PathOf("samples", "events", "iam-deactivate-mfa.json")))!.AsObject();
        envelope["id"] = Guid.NewGuid().ToString();
        envelope["time"] = detail["eventTime"]?.DeepClone();
        envelope["detail"] = detail;
        return envelope.ToJsonString();
    }

    /// <summary>A call's record with some fields changed (a failed call, another event name).</summary>
    public static string Edited(CloudTrailEventRecord record, Action<JsonObject> edit)
    {
        var detail = JsonNode.Parse(record.CloudTrailEventJson)!.AsObject();
        edit(detail);
        return Wrap(detail);
    }
}

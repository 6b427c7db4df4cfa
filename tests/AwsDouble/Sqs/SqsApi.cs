using System.Xml;
using AwsDouble.Protocol;

namespace AwsDouble.Sqs;

/// <summary>
/// SQS's SendMessage in both its wire protocols: AWS JSON 1.0 (<c>X-Amz-Target: AmazonSQS.SendMessage</c>, what current
/// SDKs and the rule speak) and Query (<c>Action=SendMessage&amp;Version=2012-11-05</c>, what AWS CLI 2.9 speaks).
/// The queue is named by its URL's last two path segments (account, name) in the Region the request is signed for.
/// </summary>
internal sealed class SqsApi(AwsDoubleState state)
{
    public const string TargetPrefix = "AmazonSQS";
    public const string QueryVersion = "2012-11-05";
    public const string XmlNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";
    public const string JsonContentType = "application/x-amz-json-1.0";

    public System.Text.Json.Nodes.JsonObject Handle(AwsCall call, JsonRequest request)
    {
        if (call.Operation != "SendMessage") throw new AwsErrorException(400, "UnknownOperationException", string.Empty);
        var message = Send(call, request.OptionalString("QueueUrl"), request.OptionalString("MessageBody"), request.OptionalInt("DelaySeconds"));
        return new System.Text.Json.Nodes.JsonObject { ["MD5OfMessageBody"] = message.Md5OfBody, ["MessageId"] = message.MessageId };
    }

    public Action<XmlWriter> Handle(AwsCall call, QueryParameters parameters)
    {
        if (call.Operation != "SendMessage") throw new AwsErrorException(400, "InvalidAction", $"The action {call.Operation} is not valid for this endpoint.");
        int? delay = null;
        if (parameters.Optional("DelaySeconds") is { } text)
            delay = int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw SqsErrors.InvalidParameterValue($"Value {text} for parameter DelaySeconds is invalid. Reason: must be an integer.");
        var message = Send(call, parameters.Optional("QueueUrl"), parameters.Optional("MessageBody"), delay);
        return w =>
        {
            w.Element("MessageId", message.MessageId);
            w.Element("MD5OfMessageBody", message.Md5OfBody);
        };
    }

    private QueuedMessage Send(AwsCall call, string? queueUrl, string? body, int? delaySeconds)
    {
        if (string.IsNullOrEmpty(queueUrl)) throw SqsErrors.MissingParameter("QueueUrl");
        if (string.IsNullOrEmpty(body)) throw SqsErrors.MissingParameter("MessageBody");
        var queue = Find(queueUrl, call.Region) ?? throw SqsErrors.NonExistentQueue();
        if (queue.AccountId != call.Caller.AccountId)
            throw SqsErrors.AccessDenied($"User: {call.Caller.Arn} is not authorized to perform: sqs:sendmessage on resource: {queue.Arn} because no resource-based policy allows the sqs:sendmessage action");
        return queue.Send(body, delaySeconds ?? 0, call.Now, call.Caller.UserId);
    }

    private DoubleQueue? Find(string queueUrl, string region)
    {
        if (!Uri.TryCreate(queueUrl, UriKind.Absolute, out var url)) throw new SqsErrorException("InvalidAddress", "InvalidAddress", $"The address {queueUrl} is not valid for this endpoint.");
        var segments = url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 2) return null;
        return state.FindAccount(segments[^2])?.Sqs(region).Find(segments[^1]);
    }
}

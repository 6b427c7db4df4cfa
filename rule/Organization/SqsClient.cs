using System.Text.Json.Serialization;
using MfaConfigRule.Aws;

namespace MfaConfigRule.Organization;

/// <summary>
/// Amazon SQS over the AWS JSON 1.0 protocol (target prefix <c>AmazonSQS</c>), for the one call the central trigger
/// makes: putting an event back on its own queue with a delay. Errors arrive as <c>__type</c>
/// <c>com.amazonaws.sqs#QueueDoesNotExist</c> and the like, which the JSON client reads as <c>QueueDoesNotExist</c>.
/// </summary>
internal sealed class SqsClient
{
    public const string TargetPrefix = "AmazonSQS";

    /// <summary>SendMessage's largest DelaySeconds: 15 minutes.</summary>
    public const int MaxDelaySeconds = 900;

    private readonly JsonProtocolClient _json;

    public SqsClient(JsonProtocolClient json)
    {
        ArgumentNullException.ThrowIfNull(json);
        _json = json;
    }

    public static SqsClient Over(IAwsConnection aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        return new SqsClient(new JsonProtocolClient(aws.Transport, AwsService.Sqs, aws.Endpoints.Resolve(AwsService.Sqs), TargetPrefix, JsonProtocolClient.ContentType10));
    }

    /// <summary>Sends <paramref name="body"/>, to be received no sooner than <paramref name="delaySeconds"/> (0-900) from now; the message's ID.</summary>
    public async Task<string> SendMessageAsync(string queueUrl, string body, int delaySeconds, CancellationToken cancellationToken)
    {
        const string operation = "SendMessage";
        ArgumentException.ThrowIfNullOrWhiteSpace(queueUrl);
        ArgumentException.ThrowIfNullOrEmpty(body);
        ArgumentOutOfRangeException.ThrowIfNegative(delaySeconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(delaySeconds, MaxDelaySeconds);
        var response = await _json.InvokeAsync(operation, new SendMessageRequest(queueUrl, body, delaySeconds),
            SqsJsonContext.Default.SendMessageRequest, SqsJsonContext.Default.SendMessageResponse, cancellationToken).ConfigureAwait(false);
        return response.MessageId is { Length: > 0 } id ? id : throw _json.MalformedResponse(operation, "the response has no MessageId");
    }
}

internal sealed record SendMessageRequest(string QueueUrl, string MessageBody, int DelaySeconds);

internal sealed record SendMessageResponse(string? MessageId, string? MD5OfMessageBody);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(SendMessageResponse))]
internal sealed partial class SqsJsonContext : JsonSerializerContext;

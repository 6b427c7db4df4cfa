using System.Text.Json;
using MfaConfigRule.Compliance;
using MfaConfigRule.Json;

namespace MfaConfigRule.Trigger;

/// <summary>The fields of an EventBridge "AWS API Call via CloudTrail" event for IAM that the trigger reads.</summary>
internal sealed record IamApiCallEvent(string EventId, string EventName, DateTimeOffset EventTime, string? UserName, string? ErrorCode)
{
    /// <summary>The user's ID when the event carries it: CreateUser's responseElements.user.userId.</summary>
    public string? UserId { get; init; }

    public static IamApiCallEvent Parse(string json)
    {
        using var document = JsonMessage.Parse(json, "the EventBridge event");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.Object)
            throw new JsonMessageException("the EventBridge event has no detail object; the trigger expects 'AWS API Call via CloudTrail' events for IAM");
        var timeText = JsonMessage.RequiredString(detail, "eventTime", "detail");
        if (!UtcTime.TryParse(timeText, out var eventTime))
            throw new JsonMessageException($"detail.eventTime '{timeText}' is not a time");
        // CloudTrail writes no such time, and the wait for DeleteLoginProfile looks minutes before it.
        if (eventTime < DateTimeOffset.UnixEpoch)
            throw new JsonMessageException($"detail.eventTime '{timeText}' is before 1970, not a time CloudTrail writes");
        string? userName = null;
        // UpdateUser names the user by its old name and, on a rename, the new one: the user is found under the new.
        if (detail.TryGetProperty("requestParameters", out var request) && request.ValueKind == JsonValueKind.Object)
            userName = JsonMessage.OptionalString(request, "newUserName") ?? JsonMessage.OptionalString(request, "userName");
        string? userId = null;
        if (detail.TryGetProperty("responseElements", out var response) && response.ValueKind == JsonValueKind.Object
            && response.TryGetProperty("user", out var created) && created.ValueKind == JsonValueKind.Object)
            userId = JsonMessage.OptionalString(created, "userId");
        return new IamApiCallEvent(
            JsonMessage.RequiredString(detail, "eventID", "detail"),
            JsonMessage.RequiredString(detail, "eventName", "detail"),
            eventTime,
            userName,
            JsonMessage.OptionalString(detail, "errorCode"))
        {
            UserId = string.IsNullOrEmpty(userId) ? null : userId,
        };
    }
}

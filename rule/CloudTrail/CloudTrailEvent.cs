using System.Text.Json;

namespace MfaConfigRule.CloudTrail;

/// <summary>An event from CloudTrail's event history; <see cref="CloudTrailEventJson"/> is the raw record.</summary>
internal sealed record CloudTrailEvent(string EventId, string EventName, DateTimeOffset EventTime, string? EventSource, IReadOnlyList<string> ResourceNames, string? CloudTrailEventJson)
{
    /// <summary>
    /// The user an IAM event acted on: requestParameters.userName, and nothing else. The event's resources also name what
    /// was acted on (an MFA serial, an ARN), which are not user names.
    /// </summary>
    public string? RequestUserName()
    {
        if (CloudTrailEventJson is not { Length: > 0 } json) return null;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("requestParameters", out var request)
                && request.ValueKind == JsonValueKind.Object
                && request.TryGetProperty("userName", out var name)
                && name.ValueKind == JsonValueKind.String
                && name.GetString() is { Length: > 0 } userName)
                return userName;
        }
        catch (JsonException)
        {
            // A record we cannot read names no user.
        }
        return null;
    }
}

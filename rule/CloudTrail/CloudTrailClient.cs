using MfaConfigRule.Aws;

namespace MfaConfigRule.CloudTrail;

/// <summary><see cref="ICloudTrailClient"/> over the CloudTrail JSON 1.1 API.</summary>
internal sealed class CloudTrailClient : ICloudTrailClient
{
    public const string TargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101";

    // The largest page LookupEvents allows; the API is limited to 2 requests per second, so pages should be full.
    private const int PageSize = 50;

    private readonly JsonProtocolClient _json;

    public CloudTrailClient(JsonProtocolClient json)
    {
        ArgumentNullException.ThrowIfNull(json);
        _json = json;
    }

    public async Task<IReadOnlyList<CloudTrailEvent>> LookupEventsAsync(
        string attributeKey, string attributeValue, DateTimeOffset startTime, DateTimeOffset endTime, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(attributeKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(attributeValue);
        if (endTime < startTime) throw new ArgumentException("the end time is before the start time", nameof(endTime));
        const string operation = "LookupEvents";
        var events = new List<CloudTrailEvent>();
        string? nextToken = null;
        do
        {
            var request = new LookupEventsRequest([new LookupAttribute(attributeKey, attributeValue)], PageSize, nextToken)
            {
                StartTime = startTime,
                EndTime = endTime,
            };
            var page = await _json.InvokeAsync(operation, request,
                CloudTrailJsonContext.Default.LookupEventsRequest, CloudTrailJsonContext.Default.LookupEventsResponse, cancellationToken);
            foreach (var wire in page.Events ?? [])
            {
                if (wire.EventId is not { Length: > 0 } eventId || wire.EventName is not { Length: > 0 } eventName || wire.EventTime is not { } eventTime)
                    throw _json.MalformedResponse(operation, "an event lacks EventId, EventName or EventTime");
                var resourceNames = (wire.Resources ?? []).Select(r => r.ResourceName).OfType<string>().ToList();
                events.Add(new CloudTrailEvent(eventId, eventName, eventTime, wire.EventSource, resourceNames, wire.CloudTrailEvent));
            }
            nextToken = _json.NextPageToken(operation, nextToken, page.NextToken);
        }
        while (nextToken is not null);

        // CloudTrail answers newest first; reversing keeps equal-time events in the order they happened.
        events.Reverse();
        return events.OrderBy(e => e.EventTime).ToList();
    }
}

using MfaConfigRule.Aws;
using MfaConfigRule.CloudTrail;
using MfaConfigRule.Config;

namespace MfaConfigRule.Tests.Fakes;

/// <summary>CloudTrail's event history in memory: LookupEvents by EventName between two times, with a call log and scripted errors.</summary>
internal sealed class FakeCloudTrailClient : ICloudTrailClient
{
    private readonly Lock _gate = new();
    private readonly List<CloudTrailEvent> _events = [];
    private readonly List<LookupCall> _calls = [];

    /// <summary>Called before each lookup with the number of lookups so far, e.g. to make an event appear late.</summary>
    public Action<int>? BeforeLookup { get; set; }

    /// <summary>When set, every LookupEvents call throws this error code.</summary>
    public string? Error { get; set; }

    public IReadOnlyList<LookupCall> Calls
    {
        get { lock (_gate) return [.. _calls]; }
    }

    public void Add(CloudTrailEvent trailEvent)
    {
        lock (_gate) _events.Add(trailEvent);
    }

    /// <summary>Records an IAM call on a user, as CloudTrail's event history would show it.</summary>
    public void Record(string eventName, string userName, DateTimeOffset at) => Add(Builders.TrailEvent(eventName, userName, at));

    public Task<IReadOnlyList<CloudTrailEvent>> LookupEventsAsync(string attributeKey, string attributeValue, DateTimeOffset startTime, DateTimeOffset endTime, CancellationToken cancellationToken)
    {
        int count;
        lock (_gate) count = _calls.Count;
        BeforeLookup?.Invoke(count);
        lock (_gate)
        {
            _calls.Add(new LookupCall(attributeKey, attributeValue, startTime, endTime));
            if (Error is { } code) throw new AwsServiceException("cloudtrail", "LookupEvents", code, 400, $"{code} (from the fake)");
            Func<CloudTrailEvent, bool> matches = attributeKey switch
            {
                "EventName" => e => e.EventName == attributeValue,
                "EventId" => e => e.EventId == attributeValue,
                _ => throw new NotSupportedException($"the fake looks up by EventName or EventId only, not {attributeKey}"),
            };
            return Task.FromResult<IReadOnlyList<CloudTrailEvent>>([.. _events
                .Where(e => matches(e) && e.EventTime >= startTime && e.EventTime <= endTime)
                .OrderBy(e => e.EventTime)]);
        }
    }
}

internal sealed record LookupCall(string AttributeKey, string AttributeValue, DateTimeOffset StartTime, DateTimeOffset EndTime);

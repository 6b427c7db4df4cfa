using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AwsDouble.Auth;
using AwsDouble.Protocol;

namespace AwsDouble.CloudTrail;

/// <summary>A resource an event names (LookupEvents <c>Resources</c>).</summary>
public sealed record CloudTrailResource(string ResourceType, string ResourceName);

/// <summary>One event in the account's CloudTrail event history.</summary>
public sealed record CloudTrailEventRecord(
    string EventId,
    string EventName,
    string EventSource,
    DateTimeOffset EventTime,
    string Username,
    string AccessKeyId,
    string AwsRegion,
    IReadOnlyList<CloudTrailResource> Resources,
    string CloudTrailEventJson,
    bool ReadOnly,
    long Sequence);

/// <summary>What LookupEvents filters on: at most one attribute, as the API allows.</summary>
internal sealed record EventLookup(string? AttributeKey, string? AttributeValue, DateTimeOffset Start, DateTimeOffset End, int MaxResults, string? NextToken);

/// <summary>
/// The account's CloudTrail event history. Events are recorded at the time of the call and become visible to
/// LookupEvents only once the delivery lag has passed on the double's clock, in the Region they were logged in
/// (IAM, a global service, logs in us-east-1).
/// </summary>
internal sealed class EventHistory(string accountId, TimeProvider clock, Random random)
{
    public const string IamEventSource = "iam.amazonaws.com";
    public const string IamEventRegion = "us-east-1";

    private readonly Lock _gate = new();
    private readonly List<CloudTrailEventRecord> _events = [];
    private long _sequence;

    public TimeSpan Lag { get; set; } = TimeSpan.FromMinutes(5);

    public IReadOnlyList<CloudTrailEventRecord> All()
    {
        lock (_gate) return [.. _events];
    }

    public CloudTrailEventRecord RecordIamCall(AwsCall call, JsonObject requestParameters, JsonObject? responseElements, IReadOnlyList<CloudTrailResource> resources)
    {
        lock (_gate)
        {
            var eventId = NewGuid();
            var caller = call.Caller;
            var identity = new JsonObject
            {
                ["type"] = caller.Kind switch { PrincipalKind.Root => "Root", PrincipalKind.User => "IAMUser", _ => "AssumedRole" },
                ["principalId"] = caller.UserId,
                ["arn"] = caller.Arn,
                ["accountId"] = caller.AccountId,
                ["accessKeyId"] = caller.AccessKeyId,
            };
            if (caller.Kind == PrincipalKind.User) identity["userName"] = caller.DisplayName;
            var json = new JsonObject
            {
                ["eventVersion"] = "1.08",
                ["userIdentity"] = identity,
                ["eventTime"] = call.Now.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["eventSource"] = IamEventSource,
                ["eventName"] = call.Operation,
                ["awsRegion"] = IamEventRegion,
                ["sourceIPAddress"] = call.SourceIpAddress,
                ["userAgent"] = call.UserAgent,
                ["requestParameters"] = requestParameters,
                ["responseElements"] = responseElements,
                ["requestID"] = call.RequestId,
                ["eventID"] = eventId,
                ["readOnly"] = false,
                ["eventType"] = "AwsApiCall",
                ["managementEvent"] = true,
                ["recipientAccountId"] = accountId,
                ["eventCategory"] = "Management",
            };
            var record = new CloudTrailEventRecord(eventId, call.Operation, IamEventSource, call.Now, caller.DisplayName,
                caller.AccessKeyId, IamEventRegion, resources, json.ToJsonString(), false, ++_sequence);
            _events.Add(record);
            return record;
        }
    }

    /// <summary>LookupEvents: visible events of the Region, newest first, one page.</summary>
    public (IReadOnlyList<CloudTrailEventRecord> Page, string? NextToken) Lookup(string region, EventLookup lookup)
    {
        var now = clock.GetUtcNow();
        List<CloudTrailEventRecord> matching;
        lock (_gate)
        {
            matching = _events
                .Where(e => e.AwsRegion == region && e.EventTime + Lag <= now)
                .Where(e => e.EventTime >= lookup.Start && e.EventTime <= lookup.End)
                .Where(e => Matches(e, lookup.AttributeKey, lookup.AttributeValue))
                .OrderByDescending(e => e.EventTime)
                .ThenByDescending(e => e.Sequence)
                .ToList();
        }
        var from = 0;
        if (lookup.NextToken is not null)
        {
            var after = DecodeToken(lookup.NextToken);
            var index = matching.FindIndex(e => e.Sequence == after);
            if (index < 0) throw new AwsErrorException(400, "InvalidNextTokenException", "Invalid NextToken");
            from = index + 1;
        }
        var page = matching.Skip(from).Take(lookup.MaxResults).ToList();
        var more = from + page.Count < matching.Count;
        return (page, more ? EncodeToken(page[^1].Sequence) : null);
    }

    private static bool Matches(CloudTrailEventRecord e, string? key, string? value) => key switch
    {
        null => true,
        "EventId" => e.EventId == value,
        "EventName" => e.EventName == value,
        "EventSource" => e.EventSource == value,
        "Username" => e.Username == value,
        "ResourceName" => e.Resources.Any(r => r.ResourceName == value),
        "ResourceType" => e.Resources.Any(r => r.ResourceType == value),
        "AccessKeyId" => e.AccessKeyId == value,
        "ReadOnly" => string.Equals(e.ReadOnly ? "true" : "false", value, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static string EncodeToken(long sequence) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("ct:" + sequence.ToString(CultureInfo.InvariantCulture)));

    private static long DecodeToken(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("ct:", StringComparison.Ordinal) && long.TryParse(text[3..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var sequence))
                return sequence;
        }
        catch (FormatException)
        {
        }
        throw new AwsErrorException(400, "InvalidNextTokenException", "Invalid NextToken");
    }

    private string NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0f) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        return new Guid(bytes).ToString();
    }
}

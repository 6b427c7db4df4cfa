using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AwsDouble.Iam;
using AwsDouble.Protocol;

namespace AwsDouble.Config;

/// <summary>A configuration item as Config records it for a resource (GetResourceConfigHistory).</summary>
public sealed record ConfigurationItemRecord(
    string ResourceType,
    string ResourceId,
    string ResourceName,
    string Arn,
    string Status,
    DateTimeOffset CaptureTime,
    string? ConfigurationJson,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset ResourceCreationTime,
    long ConfigurationStateId);

/// <summary>
/// The configuration recorder's history of the account's IAM users: an item when a user appears, when its tags
/// change, and when it is deleted. IAM is global, so the same history answers in every Region.
/// </summary>
internal sealed class ConfigItemStore
{
    public const string IamUserType = "AWS::IAM::User";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<ConfigurationItemRecord>> _byResourceId = new(StringComparer.Ordinal);
    private long _stateId = 1_700_000_000_000;

    public void RecordUser(IamUserSnapshot user, string status, DateTimeOffset at)
    {
        // Config's times are whole milliseconds on the wire and in its store; a finer capture time would fall just after
        // the laterTime a client copies from the item, and GetResourceConfigHistory would miss the very item.
        at = DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());
        var deleted = status == "ResourceDeleted";
        var configuration = deleted ? null : new JsonObject
        {
            ["path"] = user.Path,
            ["userName"] = user.UserName,
            ["userId"] = user.UserId,
            ["arn"] = user.Arn,
            ["createDate"] = user.CreateDate.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["userPolicyList"] = new JsonArray(),
            ["groupList"] = new JsonArray(),
            ["attachedManagedPolicies"] = new JsonArray(),
            ["permissionsBoundary"] = user.PermissionsBoundaryArn is null ? null : new JsonObject
            {
                ["permissionsBoundaryType"] = "PermissionsBoundaryPolicy",
                ["permissionsBoundaryArn"] = user.PermissionsBoundaryArn,
            },
            ["tags"] = new JsonArray(user.Tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value }).ToArray()),
        }.ToJsonString();
        var tags = deleted
            ? new Dictionary<string, string>()
            : user.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        lock (_gate)
        {
            var item = new ConfigurationItemRecord(IamUserType, user.UserId, user.UserName, user.Arn, status, at,
                configuration, tags, user.CreateDate, ++_stateId);
            if (!_byResourceId.TryGetValue(user.UserId, out var history)) _byResourceId[user.UserId] = history = [];
            history.Add(item);
        }
    }

    /// <summary>The last item of every IAM user Config still records (not deleted): what a replay would carry.</summary>
    public IReadOnlyList<ConfigurationItemRecord> LatestUserItems()
    {
        lock (_gate)
        {
            return _byResourceId.Values.Select(h => h[^1])
                .Where(i => i.ResourceType == IamUserType && i.Status != "ResourceDeleted")
                .OrderBy(i => i.ResourceId, StringComparer.Ordinal)
                .ToList();
        }
    }

    public IReadOnlyList<ConfigurationItemRecord> History(string resourceId)
    {
        lock (_gate) return _byResourceId.TryGetValue(resourceId, out var h) ? [.. h] : [];
    }

    /// <summary>GetResourceConfigHistory: newest first unless chronological, between the times, one page.</summary>
    public (IReadOnlyList<ConfigurationItemRecord> Page, string? NextToken) Query(
        string resourceType, string resourceId, DateTimeOffset? laterTime, DateTimeOffset? earlierTime, bool chronological, int limit, string? nextToken)
    {
        List<ConfigurationItemRecord> items;
        lock (_gate)
        {
            if (resourceType != IamUserType || !_byResourceId.TryGetValue(resourceId, out var history))
            {
                throw new AwsErrorException(400, "ResourceNotDiscoveredException",
                    $"Resource {resourceId} of resourceType:{resourceType} is unknown or has not been discovered");
            }
            items = [.. history];
        }
        // laterTime: items captured at or before it; earlierTime: at or after it.
        var selected = items.Where(i => (laterTime is null || i.CaptureTime <= laterTime) && (earlierTime is null || i.CaptureTime >= earlierTime));
        selected = chronological ? selected.OrderBy(i => i.ConfigurationStateId) : selected.OrderByDescending(i => i.ConfigurationStateId);
        return Pages.Take(selected.ToList(), limit, nextToken, "cfg");
    }

    /// <summary>ListDiscoveredResources for IAM users: newest item per user, deleted ones only when asked.</summary>
    public (IReadOnlyList<ConfigurationItemRecord> Page, string? NextToken) Discovered(
        string resourceType, IReadOnlyList<string>? resourceIds, string? resourceName, bool includeDeleted, int limit, string? nextToken)
    {
        if (resourceType != IamUserType) return ([], null);
        List<ConfigurationItemRecord> latest;
        lock (_gate)
        {
            latest = _byResourceId.Values.Select(h => h[^1]).ToList();
        }
        var selected = latest
            .Where(i => includeDeleted || i.Status != "ResourceDeleted")
            .Where(i => resourceIds is null || resourceIds.Contains(i.ResourceId, StringComparer.Ordinal))
            .Where(i => resourceName is null || i.ResourceName == resourceName)
            .OrderBy(i => i.ResourceId, StringComparer.Ordinal)
            .ToList();
        return Pages.Take(selected, limit, nextToken, "dr");
    }

    public static string Md5(string? configuration) =>
        configuration is null ? string.Empty : Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(configuration)));
}

/// <summary>Offset-based opaque page tokens for JSON services (Config keeps its own form; callers only pass them back).</summary>
internal static class Pages
{
    public static (IReadOnlyList<T> Page, string? NextToken) Take<T>(IReadOnlyList<T> all, int limit, string? nextToken, string kind)
    {
        var from = nextToken is null ? 0 : Decode(nextToken, kind);
        if (from > all.Count) throw new AwsErrorException(400, "InvalidNextTokenException", "The nextToken provided is invalid");
        var page = all.Skip(from).Take(limit).ToList();
        var next = from + page.Count;
        return (page, next < all.Count ? Encode(next, kind) : null);
    }

    private static string Encode(int offset, string kind) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{kind}:{offset.ToString(CultureInfo.InvariantCulture)}"));

    private static int Decode(string token, string kind)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith(kind + ":", StringComparison.Ordinal)
                && int.TryParse(text[(kind.Length + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var offset) && offset >= 0)
                return offset;
        }
        catch (FormatException)
        {
        }
        throw new AwsErrorException(400, "InvalidNextTokenException", "The nextToken provided is invalid");
    }
}

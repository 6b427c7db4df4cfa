using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AwsDouble.CloudTrail;
using AwsDouble.Protocol;

namespace AwsDouble.Iam;

/// <summary>What the parts of IAM share: unique IDs, name and path validation, paging markers, snapshots, CloudTrail formatting.</summary>
internal sealed partial class IamState
{
    private void AddUser(UserRecord user)
    {
        _users.Add(user.UserName, user);
        _usersById.Add(user.UserId, user);
    }

    private UserRecord RequireUser(string userName)
    {
        ValidateUserName(userName);
        return _users.TryGetValue(userName, out var user)
            ? user
            : throw QueryErrors.NoSuchEntity($"The user with name {userName} cannot be found.");
    }

    private string Arn(UserRecord user) => $"arn:aws:iam::{_accountId}:user{user.Path}{user.UserName}";

    private IamUserSnapshot Snapshot(UserRecord user) => new(
        user.UserName, user.UserId, Arn(user), user.Path, user.CreateDate, [.. user.Tags],
        user.LoginProfile?.Snapshot(), [.. user.Devices], user.PasswordLastUsed, user.PermissionsBoundaryArn)
    {
        AttachedPolicyArns = [.. user.AttachedPolicies],
    };

    private static IReadOnlyList<CloudTrailResource> UserResource(string userName) => [new CloudTrailResource("AWS::IAM::User", userName)];

    private static JsonArray TagsJson(IEnumerable<KeyValuePair<string, string>> tags) =>
        new(tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value }).ToArray());

    /// <summary>CloudTrail writes IAM dates in responseElements in this odd, locale-like form.</summary>
    private static string CloudTrailDate(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("MMM d, yyyy h:mm:ss tt", CultureInfo.InvariantCulture);

    /// <summary>IAM markers are opaque; this one names the key of the first item of the next page.</summary>
    private static (List<T> Page, string? Marker) Page<T>(IEnumerable<T> sorted, Func<T, string> key, string? marker, int maxItems)
    {
        var items = sorted.ToList();
        var from = 0;
        if (marker is not null)
        {
            string start;
            try
            {
                start = Encoding.UTF8.GetString(Convert.FromBase64String(marker));
            }
            catch (FormatException)
            {
                throw QueryErrors.Validation("Invalid Marker.");
            }
            from = items.FindIndex(i => string.Compare(key(i), start, StringComparison.OrdinalIgnoreCase) >= 0);
            if (from < 0) from = items.Count;
        }
        var page = items.Skip(from).Take(maxItems).ToList();
        var nextIndex = from + page.Count;
        return (page, nextIndex < items.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes(key(items[nextIndex]))) : null);
    }

    /// <summary>IAM unique IDs: a four-letter prefix (AIDA users, AROA roles, ASIA temporary keys) and 17 more.</summary>
    public string NewUniqueId(string prefix)
    {
        lock (_gate) return NewId(prefix);
    }

    /// <summary>Callers hold the lock: <see cref="Random"/> is not thread-safe.</summary>
    private string NewId(string prefix, int length = 17)
    {
        var builder = new StringBuilder(prefix, prefix.Length + length);
        for (var i = 0; i < length; i++) builder.Append(IdAlphabet[_random.Next(IdAlphabet.Length)]);
        return builder.ToString();
    }

    private string NewDigits(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++) builder.Append((char)('0' + _random.Next(10)));
        return builder.ToString();
    }

    private static void ValidateUserName(string userName)
    {
        if (userName.Length is 0 or > 64 || !NamePattern().IsMatch(userName))
        {
            throw QueryErrors.Validation(
                $"1 validation error detected: Value '{userName}' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
        }
    }

    private static void ValidatePath(string path, string member)
    {
        if (path.Length is 0 or > 512 || !path.StartsWith('/') || !path.EndsWith('/') || path.Any(c => c < '!' || c > '~'))
        {
            throw QueryErrors.Validation(
                $"1 validation error detected: Value '{path}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
        }
    }

    [GeneratedRegex(@"^[\w+=,.@-]+$")]
    private static partial Regex NamePattern();
}

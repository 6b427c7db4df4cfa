using System.Text.Json;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;

namespace MfaConfigRule.ConfigEvents;

/// <summary>The IAM user a configuration item describes.</summary>
internal static class ConfigurationItemUser
{
    /// <summary>User ID and name from the item; path, ARN and create date from its configuration when present.</summary>
    public static IamUser ToUser(this ConfigurationItem item)
    {
        string? name = item.ResourceName, arn = item.Arn, path = null;
        DateTimeOffset? created = null;
        if (item.ConfigurationJson is { } json)
        {
            using var document = ConfigEvent.ParseJson(json, "configuration");
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                name = ConfigEvent.OptionalString(root, "userName") ?? name;
                arn = ConfigEvent.OptionalString(root, "arn") ?? arn;
                path = ConfigEvent.OptionalString(root, "path");
                if (ConfigEvent.OptionalString(root, "createDate") is { } text
                    && UtcTime.TryParse(text, out var time))
                    created = time;
            }
        }
        if (string.IsNullOrWhiteSpace(name)) throw new ConfigEventException($"configuration item {item.ResourceId} names no IAM user (no resourceName or configuration.userName)");
        arn ??= string.Empty;
        return new IamUser(item.ResourceId, name, arn, path ?? IamUser.PathFromArn(arn, name), created);
    }
}

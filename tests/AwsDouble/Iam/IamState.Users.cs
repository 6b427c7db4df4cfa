using System.Globalization;
using System.Text.Json.Nodes;
using AwsDouble.Protocol;

namespace AwsDouble.Iam;

/// <summary>IAM users: creating, renaming, deleting and listing them, their tags and their login profiles (console passwords).</summary>
internal sealed partial class IamState
{
    // ---- users ----

    public (IReadOnlyList<IamUserSnapshot> Users, string? Marker) ListUsers(string? pathPrefix, string? marker, int maxItems)
    {
        lock (_gate)
        {
            var matching = _users.Values.Where(u => pathPrefix is null || u.Path.StartsWith(pathPrefix, StringComparison.Ordinal));
            var (page, next) = Page(matching, u => u.UserName, marker, maxItems);
            return (page.Select(Snapshot).ToList(), next);
        }
    }

    public IamUserSnapshot GetUser(string userName)
    {
        lock (_gate) return Snapshot(RequireUser(userName));
    }

    public IamUserSnapshot CreateUser(AwsCall call, string userName, string path, IReadOnlyList<KeyValuePair<string, string>> tags, string? permissionsBoundary)
    {
        ValidateUserName(userName);
        ValidatePath(path, "path");
        ValidateTags(tags);
        lock (_gate)
        {
            if (_users.ContainsKey(userName)) throw QueryErrors.EntityAlreadyExists($"User with name {userName} already exists.");
            var user = new UserRecord(userName, path, NewId("AIDA"), call.Now) { PermissionsBoundaryArn = permissionsBoundary };
            user.Tags.AddRange(tags);
            AddUser(user);
            var snapshot = Snapshot(user);
            var request = new JsonObject { ["userName"] = userName };
            if (path != "/") request["path"] = path;
            if (tags.Count > 0) request["tags"] = TagsJson(tags);
            _events.RecordIamCall(call, request, new JsonObject
            {
                ["user"] = new JsonObject
                {
                    ["path"] = user.Path,
                    ["userName"] = user.UserName,
                    ["userId"] = user.UserId,
                    ["arn"] = Arn(user),
                    ["createDate"] = CloudTrailDate(user.CreateDate),
                },
            }, UserResource(userName));
            _configItems.RecordUser(snapshot, "ResourceDiscovered", call.Now);
            return snapshot;
        }
    }

    public void DeleteUser(AwsCall call, string userName)
    {
        lock (_gate)
        {
            var user = RequireUser(userName);
            if (user.LoginProfile is not null) throw QueryErrors.DeleteConflict("Cannot delete entity, must delete login profile first.");
            if (user.Devices.Count > 0) throw QueryErrors.DeleteConflict("Cannot delete entity, must delete MFA device first.");
            if (user.AttachedPolicies.Count > 0) throw QueryErrors.DeleteConflict("Cannot delete entity, must detach all policies first.");
            var snapshot = Snapshot(user);
            _users.Remove(user.UserName);
            _usersById.Remove(user.UserId);
            _events.RecordIamCall(call, new JsonObject { ["userName"] = user.UserName }, null, UserResource(user.UserName));
            _configItems.RecordUser(snapshot, "ResourceDeleted", call.Now);
        }
    }

    /// <summary>UpdateUser: a new name and/or path; the user ID, credentials, devices and tags stay.</summary>
    public void UpdateUser(AwsCall call, string userName, string? newUserName, string? newPath)
    {
        if (newUserName is not null) ValidateUserName(newUserName);
        if (newPath is not null) ValidatePath(newPath, "newPath");
        lock (_gate)
        {
            var user = RequireUser(userName);
            var oldName = user.UserName;
            if (newUserName is not null && !string.Equals(newUserName, oldName, StringComparison.OrdinalIgnoreCase) && _users.ContainsKey(newUserName))
                throw QueryErrors.EntityAlreadyExists($"User with name {newUserName} already exists.");
            _users.Remove(oldName);
            user.UserName = newUserName ?? oldName;
            user.Path = newPath ?? user.Path;
            _users[user.UserName] = user;
            foreach (var device in _virtualDevices.Values.Where(v => string.Equals(v.UserName, oldName, StringComparison.OrdinalIgnoreCase)))
                device.UserName = user.UserName;
            var request = new JsonObject { ["userName"] = oldName };
            if (newUserName is not null) request["newUserName"] = newUserName;
            if (newPath is not null) request["newPath"] = newPath;
            _events.RecordIamCall(call, request, null, UserResource(oldName));
            _configItems.RecordUser(Snapshot(user), "OK", call.Now);
        }
    }

    // ---- login profiles ----

    public (string UserName, LoginProfileSnapshot Profile) GetLoginProfile(string userName)
    {
        lock (_gate)
        {
            var user = RequireUser(userName);
            var profile = user.LoginProfile ?? throw QueryErrors.NoSuchEntity($"Login Profile for User {user.UserName} cannot be found.");
            return (user.UserName, profile.Snapshot());
        }
    }

    public (string UserName, LoginProfileSnapshot Profile) CreateLoginProfile(AwsCall call, string userName, string password, bool resetRequired)
    {
        ValidatePassword(password);
        lock (_gate)
        {
            var user = RequireUser(userName);
            if (user.LoginProfile is not null) throw QueryErrors.EntityAlreadyExists($"Login Profile for user {user.UserName} already exists.");
            user.LoginProfile = new LoginProfileRecord(call.Now, call.Now, resetRequired);
            _events.RecordIamCall(call, new JsonObject { ["userName"] = user.UserName, ["passwordResetRequired"] = resetRequired },
                new JsonObject
                {
                    ["loginProfile"] = new JsonObject
                    {
                        ["userName"] = user.UserName,
                        ["createDate"] = CloudTrailDate(call.Now),
                        ["passwordResetRequired"] = resetRequired,
                    },
                }, UserResource(user.UserName));
            return (user.UserName, user.LoginProfile.Snapshot());
        }
    }

    public void UpdateLoginProfile(AwsCall call, string userName, string? password, bool? resetRequired)
    {
        if (password is not null) ValidatePassword(password);
        lock (_gate)
        {
            var user = RequireUser(userName);
            var profile = user.LoginProfile ?? throw QueryErrors.NoSuchEntity($"Login Profile for User {user.UserName} cannot be found.");
            user.LoginProfile = profile with
            {
                PasswordLastChanged = password is null ? profile.PasswordLastChanged : call.Now,
                PasswordResetRequired = resetRequired ?? profile.PasswordResetRequired,
            };
            var request = new JsonObject { ["userName"] = user.UserName };
            if (resetRequired is { } reset) request["passwordResetRequired"] = reset;
            _events.RecordIamCall(call, request, null, UserResource(user.UserName));
        }
    }

    public void DeleteLoginProfile(AwsCall call, string userName)
    {
        lock (_gate)
        {
            var user = RequireUser(userName);
            if (user.LoginProfile is null) throw QueryErrors.NoSuchEntity($"Login Profile for User {user.UserName} cannot be found.");
            user.LoginProfile = null;
            _events.RecordIamCall(call, new JsonObject { ["userName"] = user.UserName }, null, UserResource(user.UserName));
        }
    }

    // ---- tags ----

    public (IReadOnlyList<KeyValuePair<string, string>> Tags, string? Marker) ListUserTags(string userName, string? marker, int maxItems)
    {
        lock (_gate)
        {
            var user = RequireUser(userName);
            var (page, next) = Page(user.Tags.Select((t, i) => (Index: i, Tag: t)), t => t.Index.ToString("D3", CultureInfo.InvariantCulture), marker, maxItems);
            return (page.Select(t => t.Tag).ToList(), next);
        }
    }

    public void TagUser(AwsCall call, string userName, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        ValidateTags(tags);
        lock (_gate)
        {
            var user = RequireUser(userName);
            var merged = user.Tags.ToList();
            foreach (var tag in tags)
            {
                var existing = merged.FindIndex(t => string.Equals(t.Key, tag.Key, StringComparison.OrdinalIgnoreCase));
                if (existing >= 0) merged[existing] = tag;
                else merged.Add(tag);
            }
            if (merged.Count > MaxTagsPerUser)
                throw QueryErrors.LimitExceeded($"The number of tags has reached the maximum limit of {MaxTagsPerUser}.");
            user.Tags.Clear();
            user.Tags.AddRange(merged);
            _events.RecordIamCall(call, new JsonObject { ["userName"] = user.UserName, ["tags"] = TagsJson(tags) }, null, UserResource(user.UserName));
            _configItems.RecordUser(Snapshot(user), "OK", call.Now);
        }
    }

    public void UntagUser(AwsCall call, string userName, IReadOnlyList<string> keys)
    {
        lock (_gate)
        {
            var user = RequireUser(userName);
            user.Tags.RemoveAll(t => keys.Contains(t.Key, StringComparer.OrdinalIgnoreCase));
            _events.RecordIamCall(call, new JsonObject { ["userName"] = user.UserName, ["tagKeys"] = new JsonArray(keys.Select(k => (JsonNode)k).ToArray()) },
                null, UserResource(user.UserName));
            _configItems.RecordUser(Snapshot(user), "OK", call.Now);
        }
    }

    private static void ValidateTags(IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        if (tags.Count > MaxTagsPerUser) throw QueryErrors.LimitExceeded($"The number of tags has reached the maximum limit of {MaxTagsPerUser}.");
        foreach (var tag in tags)
        {
            if (tag.Key.Length is 0 or > 128) throw QueryErrors.Validation($"Tag key '{tag.Key}' must be 1 to 128 characters.");
            if (tag.Value.Length > 256) throw QueryErrors.Validation($"Tag value for key '{tag.Key}' must be at most 256 characters.");
            if (tag.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)) throw QueryErrors.InvalidInput("Tag keys starting with 'aws:' are reserved for AWS use.");
        }
    }

    private static void ValidatePassword(string password)
    {
        if (password.Length is 0 or > 128)
            throw QueryErrors.Validation("1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length between 1 and 128");
    }

    private sealed class UserRecord(string userName, string path, string userId, DateTimeOffset createDate)
    {
        public string UserName { get; set; } = userName;
        public string Path { get; set; } = path;
        public string UserId { get; } = userId;
        public DateTimeOffset CreateDate { get; } = createDate;
        public List<KeyValuePair<string, string>> Tags { get; } = [];
        public LoginProfileRecord? LoginProfile { get; set; }
        public List<MfaDeviceSnapshot> Devices { get; } = [];
        public DateTimeOffset? PasswordLastUsed { get; set; }
        public string? PermissionsBoundaryArn { get; init; }
        public List<string> AttachedPolicies { get; } = [];
    }

    private sealed record LoginProfileRecord(DateTimeOffset CreateDate, DateTimeOffset PasswordLastChanged, bool PasswordResetRequired)
    {
        public LoginProfileSnapshot Snapshot() => new(CreateDate, PasswordLastChanged, PasswordResetRequired);
    }
}

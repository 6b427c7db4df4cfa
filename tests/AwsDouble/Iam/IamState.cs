using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AwsDouble.CloudTrail;
using AwsDouble.Config;
using AwsDouble.Protocol;

namespace AwsDouble.Iam;

/// <summary>How the credential report behaves; real IAM regenerates at most every four hours.</summary>
public sealed record CredentialReportTiming(TimeSpan GenerationDelay, TimeSpan MinimumAge, TimeSpan Expiry)
{
    public static CredentialReportTiming Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromHours(4), TimeSpan.FromHours(4));
}

/// <summary>The answer GenerateCredentialReport gives.</summary>
internal sealed record ReportGeneration(string State, string? Description);

/// <summary>
/// One account's IAM: users, login profiles, MFA devices, tags and the credential report, guarded by one lock so the
/// rule's parallel sweeps see consistent state. State-changing calls are recorded in CloudTrail and, for what AWS
/// Config records of a user, in the configuration history.
/// </summary>
internal sealed partial class IamState
{
    public const int MaxMfaDevicesPerUser = 8;
    public const int MaxTagsPerUser = 50;

    /// <summary>IAM's default quota of managed policies attached to one user (adjustable up to 20).</summary>
    public const int DefaultManagedPoliciesPerUser = 10;
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private static readonly string[] ReportColumns =
    [
        "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
        "password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
        "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
        "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
        "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active", "cert_1_last_rotated",
        "cert_2_active", "cert_2_last_rotated",
    ];

    private readonly Lock _gate = new();
    private readonly string _accountId;
    private readonly TimeProvider _clock;
    private readonly Random _random;
    private readonly EventHistory _events;
    private readonly ConfigItemStore _configItems;
    private readonly SortedList<string, UserRecord> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, UserRecord> _usersById = new(StringComparer.Ordinal);
    private readonly SortedList<string, VirtualMfaRecord> _virtualDevices = new(StringComparer.Ordinal);
    private readonly HashSet<string> _assignedSerials = new(StringComparer.Ordinal);
    private readonly SortedList<string, ManagedPolicyRecord> _policies = new(StringComparer.Ordinal);
    private (string Csv, DateTimeOffset GeneratedTime, DateTimeOffset ReadyAt)? _pendingReport;
    private (string Csv, DateTimeOffset GeneratedTime)? _report;

    public IamState(string accountId, DateTimeOffset accountCreated, TimeProvider clock, Random random, EventHistory events, ConfigItemStore configItems)
    {
        _accountId = accountId;
        AccountCreated = accountCreated;
        _clock = clock;
        _random = random;
        _events = events;
        _configItems = configItems;
    }

    public DateTimeOffset AccountCreated { get; }
    public CredentialReportTiming ReportTiming { get; set; } = CredentialReportTiming.Default;

    /// <summary>Whether EnableMFADevice checks a virtual device's two codes against its seed on the double's clock.</summary>
    public bool VerifyMfaCodes { get; set; } = true;

    public bool RootHasMfa { get; set; } = true;

    /// <summary>The account's quota of managed policies per user; AttachUserPolicy beyond it is LimitExceeded.</summary>
    public int ManagedPoliciesPerUser { get; set; } = DefaultManagedPoliciesPerUser;

    /// <summary>Applied to every report CSV as it is generated: tests of odd rows edit the report IAM would serve.</summary>
    public Func<string, string>? ReportRewriter { get; set; }

    // ---- seeding and snapshots (the C# API for tests) ----

    public IReadOnlyList<IamUserSnapshot> Seed(IEnumerable<UserSeed> seeds)
    {
        var now = _clock.GetUtcNow();
        var created = new List<IamUserSnapshot>();
        lock (_gate)
        {
            foreach (var seed in seeds)
            {
                ValidateUserName(seed.UserName);
                ValidatePath(seed.Path, "path");
                if (_users.ContainsKey(seed.UserName)) throw new InvalidOperationException($"user {seed.UserName} is already in the double");
                var user = new UserRecord(seed.UserName, seed.Path, seed.UserId ?? NewId("AIDA"), seed.CreateDate ?? now)
                {
                    PasswordLastUsed = seed.PasswordLastUsed,
                };
                if (_usersById.ContainsKey(user.UserId)) throw new InvalidOperationException($"user ID {user.UserId} is already in the double");
                user.Tags.AddRange(seed.Tags);
                if (seed.LoginProfile is { } profile)
                    user.LoginProfile = new LoginProfileRecord(profile.CreateDate, profile.PasswordLastChanged ?? profile.CreateDate, profile.PasswordResetRequired);
                foreach (var device in seed.MfaDevices)
                {
                    var serial = device.SerialNumber ?? device.Kind switch
                    {
                        MfaDeviceKind.Virtual => MfaSerials.Virtual(_accountId, "/", user.UserName),
                        MfaDeviceKind.Fido => MfaSerials.Fido(_accountId, user.UserName, "fido-" + NewId(string.Empty, 26).ToLowerInvariant()),
                        _ => "GAHT" + NewDigits(8),
                    };
                    if (!_assignedSerials.Add(serial)) throw new InvalidOperationException($"MFA device {serial} is already assigned");
                    if (device.Kind == MfaDeviceKind.Virtual)
                    {
                        _virtualDevices[serial] = new VirtualMfaRecord(serial, NewSeed())
                        {
                            UserName = user.UserName,
                            EnableDate = device.EnableDate,
                        };
                    }
                    user.Devices.Add(new MfaDeviceSnapshot(serial, device.Kind, device.EnableDate));
                }
                if (seed.AbandonedVirtualMfaDevice)
                {
                    var serial = MfaSerials.Virtual(_accountId, "/", user.UserName + "-pending");
                    if (!_virtualDevices.TryAdd(serial, new VirtualMfaRecord(serial, NewSeed())))
                        throw new InvalidOperationException($"virtual MFA device {serial} is already in the double");
                }
                foreach (var policyArn in seed.AttachedPolicyArns)
                {
                    if (!PolicyExists(policyArn)) throw new InvalidOperationException($"policy {policyArn} is not in the double");
                    user.AttachedPolicies.Add(policyArn);
                }
                AddUser(user);
                var snapshot = Snapshot(user);
                _configItems.RecordUser(snapshot, "ResourceDiscovered", user.CreateDate);
                created.Add(snapshot);
            }
        }
        return created;
    }

    public IReadOnlyList<IamUserSnapshot> Users()
    {
        lock (_gate) return _users.Values.Select(Snapshot).ToList();
    }

    public IamUserSnapshot? FindUser(string userName)
    {
        lock (_gate) return _users.TryGetValue(userName, out var user) ? Snapshot(user) : null;
    }

    public IReadOnlyList<VirtualMfaDeviceSnapshot> VirtualMfaDevices()
    {
        lock (_gate) return _virtualDevices.Values.Select(v => new VirtualMfaDeviceSnapshot(v.SerialNumber, v.UserName, v.EnableDate, v.Base32Seed)).ToList();
    }

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

    // ---- MFA devices ----

    public (IReadOnlyList<(string UserName, MfaDeviceSnapshot Device)> Devices, string? Marker) ListMfaDevices(string userName, string? marker, int maxItems)
    {
        lock (_gate)
        {
            var user = RequireUser(userName);
            var indexed = user.Devices.Select((d, i) => (Index: i, Device: d));
            var (page, next) = Page(indexed, d => d.Index.ToString("D3", CultureInfo.InvariantCulture), marker, maxItems);
            return (page.Select(d => (user.UserName, d.Device)).ToList(), next);
        }
    }

    public (IReadOnlyList<(VirtualMfaDeviceSnapshot Device, IamUserSnapshot? User)> Devices, string? Marker) ListVirtualMfaDevices(
        string assignmentStatus, string? marker, int maxItems)
    {
        lock (_gate)
        {
            var matching = _virtualDevices.Values.Where(v => assignmentStatus switch
            {
                "Assigned" => v.UserName is not null,
                "Unassigned" => v.UserName is null,
                _ => true,
            });
            var (page, next) = Page(matching, v => v.SerialNumber, marker, maxItems);
            return (page.Select(v => (
                new VirtualMfaDeviceSnapshot(v.SerialNumber, v.UserName, v.EnableDate, v.Base32Seed),
                v.UserName is null ? null : Snapshot(_users[v.UserName]))).ToList(), next);
        }
    }

    public VirtualMfaDeviceSnapshot CreateVirtualMfaDevice(AwsCall call, string name, string path, IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        if (name.Length is 0 or > 226 || !NamePattern().IsMatch(name))
            throw QueryErrors.Validation($"The specified value for virtualMFADeviceName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@-");
        ValidatePath(path, "path");
        ValidateTags(tags);
        lock (_gate)
        {
            var serial = MfaSerials.Virtual(_accountId, path, name);
            if (_virtualDevices.ContainsKey(serial)) throw QueryErrors.EntityAlreadyExists("MFADevice entity at the same path and name already exists.");
            var device = new VirtualMfaRecord(serial, NewSeed());
            _virtualDevices[serial] = device;
            var request = new JsonObject { ["virtualMFADeviceName"] = name };
            if (path != "/") request["path"] = path;
            _events.RecordIamCall(call, request, new JsonObject { ["virtualMFADevice"] = new JsonObject { ["serialNumber"] = serial } },
                [new CloudTrailResource("AWS::IAM::MFADevice", serial)]);
            return new VirtualMfaDeviceSnapshot(serial, null, null, device.Base32Seed);
        }
    }

    public void EnableMfaDevice(AwsCall call, string userName, string serialNumber, string code1, string code2)
    {
        foreach (var (code, name) in new[] { (code1, "authenticationCode1"), (code2, "authenticationCode2") })
        {
            if (code.Length != 6 || !code.All(char.IsAsciiDigit))
                throw QueryErrors.Validation($"1 validation error detected: Value at '{name}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]+");
        }
        lock (_gate)
        {
            var user = RequireUser(userName);
            if (user.Devices.Count >= MaxMfaDevicesPerUser)
                throw QueryErrors.LimitExceeded($"Cannot exceed quota for MFADevicesPerUser: {MaxMfaDevicesPerUser}");
            var kind = MfaSerials.KindOf(serialNumber);
            switch (kind)
            {
                case MfaDeviceKind.Virtual:
                    var device = _virtualDevices.GetValueOrDefault(serialNumber)
                        ?? throw QueryErrors.NoSuchEntity($"VirtualMFADevice with serial number {serialNumber} doesn't exist.");
                    if (device.UserName is not null) throw QueryErrors.EntityAlreadyExists("MFA Device is already in use.");
                    if (VerifyMfaCodes)
                    {
                        var step = FirstCodeStep(device.Base32Seed, code1, code2, call.Now);
                        // A pair at or before the last one accepted is a replay (the device was enabled with it before).
                        if (step is not { } first || first <= device.LastAcceptedStep)
                            throw new AwsErrorException(403, "InvalidAuthenticationCode", "Authentication code for device is not valid.");
                        device.LastAcceptedStep = first + 1;
                    }
                    device.UserName = user.UserName;
                    device.EnableDate = call.Now;
                    break;
                case MfaDeviceKind.Fido:
                    throw QueryErrors.InvalidInput("FIDO security keys are registered through the AWS Management Console, not EnableMFADevice.");
                default:
                    if (serialNumber.Length < 9 || !serialNumber.All(c => char.IsAsciiLetterOrDigit(c) || "+=/:,.@-".Contains(c, StringComparison.Ordinal)))
                        throw QueryErrors.Validation($"The specified value for serialNumber is invalid: {serialNumber}");
                    if (_assignedSerials.Contains(serialNumber)) throw QueryErrors.EntityAlreadyExists("MFA Device is already in use.");
                    break;
            }
            _assignedSerials.Add(serialNumber);
            user.Devices.Add(new MfaDeviceSnapshot(serialNumber, kind, call.Now));
            _events.RecordIamCall(call, new JsonObject { ["userName"] = user.UserName, ["serialNumber"] = serialNumber }, null,
                [.. UserResource(user.UserName), new CloudTrailResource("AWS::IAM::MFADevice", serialNumber)]);
        }
    }

    public void DeactivateMfaDevice(AwsCall call, string? userName, string serialNumber)
    {
        lock (_gate)
        {
            var user = userName is null
                ? _users.Values.FirstOrDefault(u => u.Devices.Any(d => d.SerialNumber == serialNumber))
                : RequireUser(userName);
            var device = user?.Devices.FirstOrDefault(d => d.SerialNumber == serialNumber);
            if (user is null || device is null)
                throw QueryErrors.NoSuchEntity($"MFA Device with serial number {serialNumber} does not exist.");
            user.Devices.Remove(device);
            _assignedSerials.Remove(serialNumber);
            if (_virtualDevices.TryGetValue(serialNumber, out var virtualDevice))
            {
                virtualDevice.UserName = null;
                virtualDevice.EnableDate = null;
            }
            _events.RecordIamCall(call, new JsonObject { ["userName"] = user.UserName, ["serialNumber"] = serialNumber }, null,
                [.. UserResource(user.UserName), new CloudTrailResource("AWS::IAM::MFADevice", serialNumber)]);
        }
    }

    public void DeleteVirtualMfaDevice(AwsCall call, string serialNumber)
    {
        lock (_gate)
        {
            var device = _virtualDevices.GetValueOrDefault(serialNumber)
                ?? throw QueryErrors.NoSuchEntity($"VirtualMFADevice with serial number {serialNumber} doesn't exist.");
            if (device.UserName is not null) throw QueryErrors.DeleteConflict("MFA Device is still in use.");
            _virtualDevices.Remove(serialNumber);
            _events.RecordIamCall(call, new JsonObject { ["serialNumber"] = serialNumber }, null,
                [new CloudTrailResource("AWS::IAM::MFADevice", serialNumber)]);
        }
    }

    // ---- managed policies ----

    public ManagedPolicySnapshot CreatePolicy(AwsCall? call, string policyName, string path, string document)
    {
        if (policyName.Length is 0 or > 128 || !NamePattern().IsMatch(policyName))
            throw QueryErrors.Validation($"1 validation error detected: Value '{policyName}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
        ValidatePath(path, "path");
        try
        {
            using var parsed = System.Text.Json.JsonDocument.Parse(document);
        }
        catch (System.Text.Json.JsonException)
        {
            throw new AwsErrorException(400, "MalformedPolicyDocument", "Syntax errors in policy.");
        }
        lock (_gate)
        {
            var arn = $"arn:aws:iam::{_accountId}:policy{path}{policyName}";
            if (_policies.ContainsKey(arn)) throw QueryErrors.EntityAlreadyExists($"A policy called {policyName} already exists. Duplicate names are not allowed.");
            var policy = new ManagedPolicyRecord(policyName, NewId("ANPA"), arn, path, document, call?.Now ?? _clock.GetUtcNow());
            _policies.Add(arn, policy);
            if (call is not null)
                _events.RecordIamCall(call, new JsonObject { ["policyName"] = policyName, ["path"] = path }, null, [new CloudTrailResource("AWS::IAM::Policy", arn)]);
            return PolicySnapshot(policy);
        }
    }

    public IReadOnlyList<ManagedPolicySnapshot> Policies()
    {
        lock (_gate) return _policies.Values.Select(PolicySnapshot).ToList();
    }

    public void AttachUserPolicy(AwsCall call, string userName, string policyArn)
    {
        lock (_gate)
        {
            var user = RequireUser(userName);
            if (!PolicyExists(policyArn)) throw QueryErrors.NoSuchEntity($"Policy {policyArn} does not exist or is not attachable.");
            // Attaching a policy that is already attached succeeds and changes nothing.
            if (user.AttachedPolicies.Contains(policyArn, StringComparer.Ordinal)) return;
            if (user.AttachedPolicies.Count >= ManagedPoliciesPerUser)
                throw QueryErrors.LimitExceeded($"Cannot exceed quota for PoliciesPerUser: {ManagedPoliciesPerUser}");
            user.AttachedPolicies.Add(policyArn);
            _events.RecordIamCall(call, new JsonObject { ["userName"] = user.UserName, ["policyArn"] = policyArn }, null, UserResource(user.UserName));
            _configItems.RecordUser(Snapshot(user), "OK", call.Now);
        }
    }

    public void DetachUserPolicy(AwsCall call, string userName, string policyArn)
    {
        lock (_gate)
        {
            var user = RequireUser(userName);
            if (!user.AttachedPolicies.Remove(policyArn)) throw QueryErrors.NoSuchEntity($"Policy {policyArn} was not found.");
            _events.RecordIamCall(call, new JsonObject { ["userName"] = user.UserName, ["policyArn"] = policyArn }, null, UserResource(user.UserName));
            _configItems.RecordUser(Snapshot(user), "OK", call.Now);
        }
    }

    public (IReadOnlyList<(string PolicyName, string PolicyArn)> Policies, string? Marker) ListAttachedUserPolicies(string userName, string? pathPrefix, string? marker, int maxItems)
    {
        lock (_gate)
        {
            var user = RequireUser(userName);
            var attached = user.AttachedPolicies
                .Select(arn => (Name: arn[(arn.LastIndexOf('/') + 1)..], Arn: arn))
                .Where(p => pathPrefix is null || PolicyPath(p.Arn).StartsWith(pathPrefix, StringComparison.Ordinal))
                .OrderBy(p => p.Arn, StringComparer.Ordinal);
            var (page, next) = Page(attached, p => p.Arn, marker, maxItems);
            return (page.Select(p => (p.Name, p.Arn)).ToList(), next);
        }
    }

    public (IReadOnlyList<IamUserSnapshot> Users, string? Marker) ListEntitiesForPolicy(string policyArn, string? entityFilter, string? marker, int maxItems)
    {
        if (entityFilter is not (null or "User" or "Role" or "Group" or "LocalManagedPolicy" or "AWSManagedPolicy"))
            throw QueryErrors.Validation($"1 validation error detected: Value '{entityFilter}' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [LocalManagedPolicy, Group, AWSManagedPolicy, User, Role]");
        lock (_gate)
        {
            if (!PolicyExists(policyArn)) throw QueryErrors.NoSuchEntity($"Policy {policyArn} does not exist or is not attachable.");
            if (entityFilter is "Role" or "Group") return ([], null);
            var users = _users.Values.Where(u => u.AttachedPolicies.Contains(policyArn, StringComparer.Ordinal));
            var (page, next) = Page(users, u => u.UserName, marker, maxItems);
            return (page.Select(Snapshot).ToList(), next);
        }
    }

    private bool PolicyExists(string policyArn) =>
        _policies.ContainsKey(policyArn) || policyArn.StartsWith("arn:aws:iam::aws:policy/", StringComparison.Ordinal);

    private static string PolicyPath(string arn)
    {
        var resource = arn[(arn.IndexOf(":policy", StringComparison.Ordinal) + ":policy".Length)..];
        return resource[..(resource.LastIndexOf('/') + 1)];
    }

    private ManagedPolicySnapshot PolicySnapshot(ManagedPolicyRecord policy) => new(
        policy.PolicyName, policy.PolicyId, policy.Arn, policy.Path, policy.Document, policy.CreateDate,
        _users.Values.Count(u => u.AttachedPolicies.Contains(policy.Arn, StringComparer.Ordinal)));

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

    // ---- credential report ----

    public ReportGeneration GenerateCredentialReport(DateTimeOffset now)
    {
        lock (_gate)
        {
            CompletePendingReport(now);
            if (_pendingReport is not null) return new ReportGeneration("INPROGRESS", "Report generation in progress");
            if (_report is { } report && now - report.GeneratedTime < ReportTiming.MinimumAge) return new ReportGeneration("COMPLETE", null);
            var description = _report is null ? "No report exists. Starting a new report generation task" : null;
            var csv = BuildReport();
            _pendingReport = (ReportRewriter is { } rewrite ? rewrite(csv) : csv, now, now + ReportTiming.GenerationDelay);
            CompletePendingReport(now);
            return new ReportGeneration("STARTED", description);
        }
    }

    public (string Csv, DateTimeOffset GeneratedTime) GetCredentialReport(DateTimeOffset now)
    {
        lock (_gate)
        {
            CompletePendingReport(now);
            if (_pendingReport is not null)
                throw new AwsErrorException(404, "ReportInProgress", "The request was rejected because the credential report is still being generated.");
            var report = _report ?? throw new AwsErrorException(410, "ReportNotPresent",
                "The request was rejected because the credential report does not exist. To generate a credential report, use GenerateCredentialReport.");
            if (now - report.GeneratedTime >= ReportTiming.Expiry)
            {
                throw new AwsErrorException(410, "ReportExpired",
                    "The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.");
            }
            return report;
        }
    }

    /// <summary>The report as it would be generated now, for tests that compare a client's parse with the source.</summary>
    public string BuildReportNow()
    {
        lock (_gate) return BuildReport();
    }

    private void CompletePendingReport(DateTimeOffset now)
    {
        if (_pendingReport is { } pending && now >= pending.ReadyAt)
        {
            _report = (pending.Csv, pending.GeneratedTime);
            _pendingReport = null;
        }
    }

    /// <summary>The 22 columns of the real report; the root row first, with its not_supported password columns.</summary>
    private string BuildReport()
    {
        var lines = new List<string>(_users.Count + 2) { string.Join(',', ReportColumns) };
        string[] noKeysOrCerts = ["false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"];
        lines.Add(string.Join(',', new[]
        {
            "<root_account>", $"arn:aws:iam::{_accountId}:root", ReportTime(AccountCreated), "not_supported", "no_information",
            "not_supported", "not_supported", RootHasMfa ? "true" : "false",
        }.Concat(noKeysOrCerts)));
        foreach (var user in _users.Values)
        {
            var profile = user.LoginProfile;
            lines.Add(string.Join(',', new[]
            {
                user.UserName, Arn(user), ReportTime(user.CreateDate),
                profile is null ? "false" : "true",
                profile is null ? "N/A" : user.PasswordLastUsed is { } used ? ReportTime(used) : "no_information",
                profile is null ? "N/A" : ReportTime(profile.PasswordLastChanged),
                "N/A",
                user.Devices.Count > 0 ? "true" : "false",
            }.Concat(noKeysOrCerts)));
        }
        return string.Join('\n', lines);
    }

    private static string ReportTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

    // ---- helpers ----

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

    /// <summary>
    /// How far back the pair may start, in 30-second steps: the first code of the step before last, the last or the current
    /// one, the second code of the step after it. A person types the code the app shows, waits for the next and submits,
    /// so the pair normally starts one step back. [UNCERTAIN] IAM does not document its window; this is a small one.
    /// </summary>
    public const int EnableCodeWindowSteps = 2;

    /// <summary>The step of the first code when the two are consecutive codes inside the window; null otherwise.</summary>
    private static long? FirstCodeStep(string base32Seed, string code1, string code2, DateTimeOffset now)
    {
        var key = Base32.Decode(base32Seed);
        var current = Totp.StepAt(now);
        for (var step = current - EnableCodeWindowSteps; step <= current; step++)
        {
            if (Totp.Code(key, step) == code1 && Totp.Code(key, step + 1) == code2) return step;
        }
        return null;
    }

    private string NewSeed()
    {
        var bytes = new byte[40];
        _random.NextBytes(bytes);
        return Base32.Encode(bytes);
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

    [GeneratedRegex(@"^[\w+=,.@-]+$")]
    private static partial Regex NamePattern();

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

    private sealed record ManagedPolicyRecord(string PolicyName, string PolicyId, string Arn, string Path, string Document, DateTimeOffset CreateDate);

    private sealed record LoginProfileRecord(DateTimeOffset CreateDate, DateTimeOffset PasswordLastChanged, bool PasswordResetRequired)
    {
        public LoginProfileSnapshot Snapshot() => new(CreateDate, PasswordLastChanged, PasswordResetRequired);
    }

    private sealed class VirtualMfaRecord(string serialNumber, string base32Seed)
    {
        public string SerialNumber { get; } = serialNumber;
        public string Base32Seed { get; } = base32Seed;
        public string? UserName { get; set; }
        public DateTimeOffset? EnableDate { get; set; }

        /// <summary>The step of the last code an EnableMFADevice accepted; codes up to it are never accepted again.</summary>
        public long LastAcceptedStep { get; set; } = long.MinValue;
    }
}

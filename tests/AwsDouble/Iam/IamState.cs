using AwsDouble.CloudTrail;
using AwsDouble.Config;

namespace AwsDouble.Iam;

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

    /// <summary>The undocumented behaviours in force (the root row, a report that never completes).</summary>
    public Func<AwsBehaviours> Behaviours { get; set; } = () => AwsBehaviours.Today;

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
}

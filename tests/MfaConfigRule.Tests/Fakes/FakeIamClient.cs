using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Tests.Fakes;

/// <summary>
/// IAM in memory: users with login profiles, MFA devices and tags, a credential report that is whatever the test last
/// took (so it can lag behind the users, as the real one does), scripted errors, and a log of every call so a test can
/// assert what a sweep cost. Safe to call from the sweep's parallel workers.
/// </summary>
internal sealed class FakeIamClient(TimeProvider time) : IIamClient
{
    public const string ListUsers = "ListUsers";
    public const string GetUser = "GetUser";
    public const string GetLoginProfile = "GetLoginProfile";
    public const string ListMFADevices = "ListMFADevices";
    public const string ListVirtualMFADevices = "ListVirtualMFADevices";
    public const string ListUserTags = "ListUserTags";
    public const string GenerateCredentialReport = "GenerateCredentialReport";
    public const string GetCredentialReport = "GetCredentialReport";

    private readonly Lock _gate = new();
    private readonly List<FakeUser> _users = [];
    private readonly List<IamCall> _calls = [];
    private readonly List<Fault> _faults = [];
    private readonly Queue<string> _reportErrors = new();
    private readonly Dictionary<string, Task> _holds = new(StringComparer.Ordinal);

    /// <summary>What GetCredentialReport returns once the scripted report errors are used up; null: ReportNotPresent.</summary>
    public CredentialReportDocument? Report { get; set; }

    /// <summary>When set, GenerateCredentialReport throws this error code instead of taking a fresh report.</summary>
    public string? GenerateError { get; set; }

    /// <summary>Runs after each call is logged and before it is answered (to delete a user or move the clock mid-sweep).</summary>
    public Action<IamCall>? OnCall { get; set; }

    public IReadOnlyList<IamCall> Calls
    {
        get { lock (_gate) return [.. _calls]; }
    }

    public int Count(string operation) => Calls.Count(c => c.Operation == operation);

    /// <summary>Calls that name one user (GetLoginProfile, ListMFADevices, ListUserTags, GetUser): the cost that grows with the account.</summary>
    public IReadOnlyList<IamCall> PerUserCalls => [.. Calls.Where(c => c.UserName is not null)];

    /// <summary>Users whose login profile and MFA devices were both read live.</summary>
    public IReadOnlySet<string> ReadLive
    {
        get
        {
            var calls = Calls;
            var profiles = calls.Where(c => c.Operation == GetLoginProfile).Select(c => c.UserName!).ToHashSet(StringComparer.OrdinalIgnoreCase);
            return calls.Where(c => c.Operation == ListMFADevices && profiles.Contains(c.UserName!))
                .Select(c => c.UserName!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>Users whose login profile alone was read live (GetLoginProfile, no ListMFADevices).</summary>
    public IReadOnlySet<string> PasswordCheckedOnly
    {
        get
        {
            var calls = Calls;
            var devices = calls.Where(c => c.Operation == ListMFADevices).Select(c => c.UserName!).ToHashSet(StringComparer.OrdinalIgnoreCase);
            return calls.Where(c => c.Operation == GetLoginProfile && !devices.Contains(c.UserName!))
                .Select(c => c.UserName!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        }
    }

    public IamUser AddUser(IamUser user, DateTimeOffset? passwordSetAt = null, IEnumerable<MfaDevice>? devices = null, IReadOnlyDictionary<string, string>? tags = null)
    {
        lock (_gate)
        {
            _users.RemoveAll(u => string.Equals(u.User.UserName, user.UserName, StringComparison.OrdinalIgnoreCase));
            _users.Add(new FakeUser(user)
            {
                PasswordSetAt = passwordSetAt,
                Devices = [.. devices ?? []],
                Tags = new Dictionary<string, string>(tags ?? Builders.NoTags, StringComparer.Ordinal),
            });
        }
        return user;
    }

    public IamUser AddUser(string name, DateTimeOffset? passwordSetAt = null, IEnumerable<MfaDevice>? devices = null, string path = "/", IReadOnlyDictionary<string, string>? tags = null) =>
        AddUser(Builders.User(name, path), passwordSetAt, devices, tags);

    public void SetPassword(string userName, DateTimeOffset? setAt)
    {
        lock (_gate) Find(userName).PasswordSetAt = setAt;
    }

    /// <summary>A console sign-in with the user's password, as ListUsers then reports it in PasswordLastUsed.</summary>
    public void SignIn(string userName, DateTimeOffset at)
    {
        lock (_gate)
        {
            var user = Find(userName);
            user.User = user.User with { PasswordLastUsed = at };
        }
    }

    public void SetDevices(string userName, params MfaDevice[] devices)
    {
        lock (_gate) Find(userName).Devices = [.. devices];
    }

    public void SetTag(string userName, string key, string value)
    {
        lock (_gate) Find(userName).Tags[key] = value;
    }

    /// <summary>UpdateUser: a new name (and path), same user ID, credentials and tags.</summary>
    public void RenameUser(string userName, string newUserName, string? newPath = null)
    {
        lock (_gate)
        {
            if (TryFind(newUserName) is not null) throw new InvalidOperationException($"the name {newUserName} is taken");
            var user = Find(userName);
            var path = newPath ?? user.User.Path;
            user.User = user.User with { UserName = newUserName, Path = path, Arn = Builders.UserArn(newUserName, path) };
        }
    }

    public void RemoveTag(string userName, string key)
    {
        lock (_gate) Find(userName).Tags.Remove(key);
    }

    /// <summary>The user's state as IAM holds it now, all of it: what a verdict is checked against.</summary>
    public UserCredentialState? LiveTruth(string userId)
    {
        lock (_gate)
        {
            var user = _users.FirstOrDefault(u => u.User.UserId == userId);
            return user is null ? null : Builders.LiveState(user.User, user.PasswordSetAt, [.. user.Devices], new Dictionary<string, string>(user.Tags));
        }
    }

    public IReadOnlyList<IamUser> Users
    {
        get { lock (_gate) return [.. _users.Select(u => u.User)]; }
    }

    public void DeleteUser(string userName)
    {
        lock (_gate) _users.Remove(Find(userName));
    }

    /// <summary>Makes <paramref name="operation"/> throw <paramref name="errorCode"/> (for one user, or for any call when null).</summary>
    public void Fail(string operation, string errorCode, string? userName = null, int times = int.MaxValue)
    {
        lock (_gate) _faults.Add(new Fault(operation, userName, errorCode) { Remaining = times });
    }

    /// <summary>
    /// Calls to <paramref name="operation"/> are logged at once but answered only when <paramref name="release"/> completes
    /// or the caller cancels: a call held in flight, to see what runs alongside it.
    /// </summary>
    public void Hold(string operation, Task release)
    {
        lock (_gate) _holds[operation] = release;
    }

    /// <summary>GetCredentialReport throws these codes, one per call, before it answers with <see cref="Report"/>.</summary>
    public void FailReportWith(params string[] errorCodes)
    {
        lock (_gate)
            foreach (var code in errorCodes) _reportErrors.Enqueue(code);
    }

    /// <summary>Takes the credential report from the users as they are now, stamped <paramref name="generatedAt"/>.</summary>
    public CredentialReportDocument TakeReport(DateTimeOffset generatedAt)
    {
        lock (_gate)
        {
            var rows = _users.Select(u => Builders.ReportRow(
                u.User.UserName, u.PasswordSetAt is not null, u.Devices.Count > 0, u.User.Path, u.User.CreateDate, u.PasswordSetAt));
            Report = new CredentialReportDocument(Builders.ReportCsv([.. rows]), generatedAt);
            return Report;
        }
    }

    public Task<IReadOnlyList<IamUser>> ListUsersAsync(CancellationToken cancellationToken) =>
        Answer<IReadOnlyList<IamUser>>(ListUsers, null, () => [.. _users.Select(u => u.User)], cancellationToken);

    public Task<IamUser?> GetUserAsync(string userName, CancellationToken cancellationToken) =>
        Answer(GetUser, userName, () => TryFind(userName)?.User);

    // IAM answers NoSuchEntity both for "no password" and "no such user"; the client turns both into null.
    public Task<LoginProfile?> GetLoginProfileAsync(string userName, CancellationToken cancellationToken) =>
        Answer(GetLoginProfile, userName, () => TryFind(userName) is { PasswordSetAt: { } set } user ? new LoginProfile(user.User.UserName, set, false) : null);

    public Task<IReadOnlyList<MfaDevice>> ListMfaDevicesAsync(string userName, CancellationToken cancellationToken) =>
        Answer<IReadOnlyList<MfaDevice>>(ListMFADevices, userName, () => [.. Existing(userName, ListMFADevices).Devices]);

    public Task<IReadOnlyList<VirtualMfaAssignment>> ListAssignedVirtualMfaDevicesAsync(CancellationToken cancellationToken) =>
        Answer<IReadOnlyList<VirtualMfaAssignment>>(ListVirtualMFADevices, null, () => [.. _users.SelectMany(u => u.Devices
            .Where(d => d.Kind == MfaKinds.Virtual)
            .Select(d => new VirtualMfaAssignment(d.SerialNumber, u.User.UserName, u.User.UserId, d.EnableDate)))]);

    public Task<IReadOnlyDictionary<string, string>> ListUserTagsAsync(string userName, CancellationToken cancellationToken) =>
        Answer<IReadOnlyDictionary<string, string>>(ListUserTags, userName, () => new Dictionary<string, string>(Existing(userName, ListUserTags).Tags));

    public Task<string> GenerateCredentialReportAsync(CancellationToken cancellationToken) =>
        Answer(GenerateCredentialReport, null, () =>
        {
            if (GenerateError is { } code) throw Error(GenerateCredentialReport, code);
            TakeReport(time.GetUtcNow());
            return "STARTED";
        });

    public Task<CredentialReportDocument> GetCredentialReportAsync(CancellationToken cancellationToken) =>
        Answer(GetCredentialReport, null, () =>
            _reportErrors.TryDequeue(out var code) ? throw Error(GetCredentialReport, code)
            : Report ?? throw Error(GetCredentialReport, "ReportNotPresent"), cancellationToken);

    /// <summary>Logs the call, applies scripted faults, and answers as an async client does: errors come in the task.</summary>
    private Task<T> Answer<T>(string operation, string? userName, Func<T> answer, CancellationToken cancellationToken = default)
    {
        Task? hold;
        lock (_gate) hold = _holds.GetValueOrDefault(operation);
        try
        {
            Enter(operation, userName);
            if (hold is { IsCompleted: false }) return AnswerWhenReleasedAsync(hold, answer, cancellationToken);
            lock (_gate) return Task.FromResult(answer());
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private async Task<T> AnswerWhenReleasedAsync<T>(Task hold, Func<T> answer, CancellationToken cancellationToken)
    {
        await hold.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate) return answer();
    }

    private void Enter(string operation, string? userName)
    {
        var call = new IamCall(operation, userName);
        Fault? fault;
        lock (_gate)
        {
            _calls.Add(call);
            fault = _faults.FirstOrDefault(f => f.Operation == operation && f.Remaining > 0
                && (f.UserName is null || string.Equals(f.UserName, userName, StringComparison.OrdinalIgnoreCase)));
            if (fault is not null) fault.Remaining--;
        }
        OnCall?.Invoke(call);
        if (fault is not null) throw Error(operation, fault.ErrorCode);
    }

    private FakeUser Find(string userName) =>
        TryFind(userName) ?? throw new InvalidOperationException($"the test set up no user {userName}");

    private FakeUser? TryFind(string userName) =>
        _users.FirstOrDefault(u => string.Equals(u.User.UserName, userName, StringComparison.OrdinalIgnoreCase));

    private FakeUser Existing(string userName, string operation) =>
        TryFind(userName) ?? throw Error(operation, "NoSuchEntity", $"The user with name {userName} cannot be found.");

    internal static AwsServiceException Error(string operation, string code, string? message = null) =>
        new("iam", operation, code, code is "Throttling" ? 400 : code is "NoSuchEntity" ? 404 : 409, message ?? $"{code} (from the fake)");

    private sealed class FakeUser(IamUser user)
    {
        public IamUser User { get; set; } = user;
        public DateTimeOffset? PasswordSetAt { get; set; }
        public List<MfaDevice> Devices { get; set; } = [];
        public Dictionary<string, string> Tags { get; init; } = [];
    }

    private sealed record Fault(string Operation, string? UserName, string ErrorCode)
    {
        public int Remaining { get; set; }
    }
}

/// <summary>One call the fake IAM answered: the operation and the user it named, if any.</summary>
internal sealed record IamCall(string Operation, string? UserName);

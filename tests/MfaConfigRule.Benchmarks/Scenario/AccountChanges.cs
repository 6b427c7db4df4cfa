using AwsDouble.Hosting;
using AwsDouble.Iam;
using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Benchmarks.Scenario;

/// <summary>The kinds of change made after the credential report, each one that moves a verdict.</summary>
internal enum ChangeKind
{
    /// <summary>DeactivateMFADevice on a console user's virtual device: COMPLIANT becomes NON_COMPLIANT.</summary>
    VirtualMfaRemoved,

    /// <summary>DeactivateMFADevice on a console user's hardware token: COMPLIANT becomes NON_COMPLIANT.</summary>
    HardwareMfaRemoved,

    /// <summary>CreateLoginProfile for a programmatic-only user: NOT_APPLICABLE becomes NON_COMPLIANT.</summary>
    PasswordAdded,

    /// <summary>DeleteLoginProfile for a console user without MFA: NON_COMPLIANT becomes NOT_APPLICABLE.</summary>
    PasswordRemoved,

    /// <summary>CreateVirtualMFADevice + EnableMFADevice for a console user without MFA: NON_COMPLIANT becomes COMPLIANT.</summary>
    VirtualMfaEnabled,
}

internal sealed record AccountChange(ChangeKind Kind, string UserName);

/// <summary>Makes the changes through the signed IAM API, as a person would, so CloudTrail records each one.</summary>
internal static class AccountChanges
{
    public static async Task<IReadOnlyList<AccountChange>> ApplyAsync(AwsDoubleServer server, AwsClients aws, int count, CancellationToken cancellationToken)
    {
        var account = server.DefaultAccount;
        account.VerifyMfaCodes = false;
        var query = new QueryProtocolClient(aws.Transport, AwsService.Iam, aws.Endpoints.Resolve(AwsService.Iam), IamClient.ApiVersion);
        var users = account.Users;
        var candidates = new Dictionary<ChangeKind, Queue<IamUserSnapshot>>
        {
            [ChangeKind.VirtualMfaRemoved] = new(users.Where(u => u.LoginProfile is not null && OnlyDevice(u, MfaDeviceKind.Virtual))),
            [ChangeKind.HardwareMfaRemoved] = new(users.Where(u => u.LoginProfile is not null && OnlyDevice(u, MfaDeviceKind.Hardware))),
            [ChangeKind.PasswordAdded] = new(users.Where(u => u.LoginProfile is null && u.MfaDevices.Count == 0)),
            // Plain console users without MFA: no exemption path or tag that would keep their verdict where it is.
            [ChangeKind.PasswordRemoved] = new(users.Where(PlainWithoutMfa)),
            [ChangeKind.VirtualMfaEnabled] = new(users.Where(PlainWithoutMfa).Reverse()),
        };
        var kinds = Enum.GetValues<ChangeKind>();
        var changes = new List<AccountChange>(count);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; changes.Count < count && i < count * 4; i++)
        {
            var kind = kinds[i % kinds.Length];
            var queue = candidates[kind];
            while (queue.Count > 0 && taken.Contains(queue.Peek().UserName)) queue.Dequeue();
            if (queue.Count == 0) continue;
            var user = queue.Dequeue();
            taken.Add(user.UserName);
            await ApplyAsync(query, account.AccountId, kind, user, cancellationToken);
            changes.Add(new AccountChange(kind, user.UserName));
        }
        return changes;
    }

    private static bool OnlyDevice(IamUserSnapshot user, MfaDeviceKind kind) => user.MfaDevices is [{ } device] && device.Kind == kind;

    private static bool PlainWithoutMfa(IamUserSnapshot user) =>
        user.LoginProfile is not null && user.MfaDevices.Count == 0 && user.Path == "/" && user.Tags.Count == 0;

    private static async Task ApplyAsync(QueryProtocolClient query, string accountId, ChangeKind kind, IamUserSnapshot user, CancellationToken cancellationToken)
    {
        Task<bool> Call(string action, params (string Name, string Value)[] parameters) =>
            query.InvokeAsync(action, parameters.Select(p => KeyValuePair.Create(p.Name, p.Value)), _ => true, cancellationToken);
        var name = ("UserName", user.UserName);
        switch (kind)
        {
            case ChangeKind.VirtualMfaRemoved:
            case ChangeKind.HardwareMfaRemoved:
                await Call("DeactivateMFADevice", name, ("SerialNumber", user.MfaDevices[0].SerialNumber));
                break;
            case ChangeKind.PasswordAdded:
                await Call("CreateLoginProfile", name, ("Password", "Bench-only-password-1!"));
                break;
            case ChangeKind.PasswordRemoved:
                await Call("DeleteLoginProfile", name);
                break;
            case ChangeKind.VirtualMfaEnabled:
                var deviceName = user.UserName + "-new";
                await Call("CreateVirtualMFADevice", ("VirtualMFADeviceName", deviceName));
                // The double is told not to check codes: the benchmark has no authenticator app.
                await Call("EnableMFADevice", name, ("SerialNumber", MfaSerials.Virtual(accountId, "/", deviceName)),
                    ("AuthenticationCode1", "123456"), ("AuthenticationCode2", "654321"));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}

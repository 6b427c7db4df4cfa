using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Enrollment;

namespace MfaConfigRule.Tests.Fakes;

/// <summary>
/// IAM's device writes over a <see cref="FakeIamClient"/>: a created device is unassigned until EnableMFADevice gets
/// <see cref="AcceptedCodes"/>, then the user lists it. Every call is recorded, in order.
/// </summary>
internal sealed class FakeEnrollmentClient(FakeIamClient iam, TimeProvider time) : IEnrollmentClient
{
    public const string Seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    public List<string> Calls { get; } = [];

    /// <summary>Virtual devices that exist and are not assigned, by serial.</summary>
    public HashSet<string> Unassigned { get; } = new(StringComparer.Ordinal);

    public AuthenticationCodes AcceptedCodes { get; set; } = new("123456", "654321");

    public string CallerArn { get; set; } = Builders.UserArn("alice", "/");

    /// <summary>Error codes EnableMFADevice answers with, one per call, before it behaves.</summary>
    public Queue<string> EnableErrors { get; } = new();

    public string? DeleteError { get; set; }

    public Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken)
    {
        Calls.Add("GetCallerIdentity");
        return Task.FromResult(new CallerIdentity("123456789012", CallerArn, "AIDAEXAMPLE"));
    }

    public Task<VirtualMfaDeviceSecret> CreateVirtualMfaDeviceAsync(string deviceName, CancellationToken cancellationToken)
    {
        Calls.Add($"CreateVirtualMFADevice {deviceName}");
        var serial = $"arn:aws:iam::123456789012:mfa/{deviceName}";
        if (!Unassigned.Add(serial)) throw Error("CreateVirtualMFADevice", "EntityAlreadyExists", 409, "MFADevice entity at the same path and name already exists.");
        return Task.FromResult(new VirtualMfaDeviceSecret(serial, Seed));
    }

    public async Task EnableMfaDeviceAsync(string userName, string serialNumber, string code1, string code2, CancellationToken cancellationToken)
    {
        Calls.Add($"EnableMFADevice {userName} {code1} {code2}");
        if (EnableErrors.TryDequeue(out var code)) throw Error("EnableMFADevice", code, 400, $"{code} from the fake");
        if (new AuthenticationCodes(code1, code2) != AcceptedCodes)
            throw Error("EnableMFADevice", "InvalidAuthenticationCode", 403, "Authentication code for device is not valid.");
        Unassigned.Remove(serialNumber);
        var devices = await iam.ListMfaDevicesAsync(userName, cancellationToken);
        iam.SetDevices(userName, [.. devices, new MfaDevice(serialNumber, time.GetUtcNow())]);
    }

    public Task DeleteVirtualMfaDeviceAsync(string serialNumber, CancellationToken cancellationToken)
    {
        Calls.Add($"DeleteVirtualMFADevice {serialNumber}");
        if (DeleteError is { } code) throw Error("DeleteVirtualMFADevice", code, 400, "refused by the fake");
        if (!Unassigned.Remove(serialNumber)) throw Error("DeleteVirtualMFADevice", "DeleteConflict", 409, "MFA Device is still in use.");
        return Task.CompletedTask;
    }

    private static AwsServiceException Error(string operation, string code, int status, string message) =>
        new("iam", operation, code, status, message);
}

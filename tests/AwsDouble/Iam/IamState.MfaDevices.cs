using System.Globalization;
using System.Text.Json.Nodes;
using AwsDouble.CloudTrail;
using AwsDouble.Protocol;

namespace AwsDouble.Iam;

/// <summary>MFA devices: virtual devices, enabling and deactivating them (with their two codes), listing them.</summary>
internal sealed partial class IamState
{
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

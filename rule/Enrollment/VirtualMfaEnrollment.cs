using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Enrollment;

/// <summary>What to enrol: a user by name, or the caller's own user (<see cref="UserName"/> null).</summary>
internal sealed record EnrollmentRequest(string? UserName)
{
    /// <summary>The virtual device's name in IAM; the user name when not given.</summary>
    public string? DeviceName { get; init; }

    /// <summary>Enrol even when the user already has an MFA device (IAM allows up to 8).</summary>
    public bool AdditionalDevice { get; init; }

    /// <summary>The Config rule to re-evaluate once the device is enabled; null leaves it to the rule's own trigger.</summary>
    public string? ReevaluateRuleName { get; init; }
}

/// <summary>
/// The person on the other side: sees the device (QR code), types two codes. <see cref="AskCodes"/> returns null when
/// no codes can come (end of input); <see cref="MayRetry"/> is true when a person can type new codes after a refusal.
/// </summary>
internal interface IEnrollmentConversation
{
    void ShowDevice(EnrollmentTarget target, VirtualMfaDeviceSecret device);

    AuthenticationCodes? AskCodes();

    bool MayRetry { get; }

    void Say(string line);
}

/// <summary>Two consecutive codes from the authenticator app.</summary>
internal sealed record AuthenticationCodes(string Code1, string Code2)
{
    /// <summary>Six digits, as the app shows them ("123 456" is accepted); null with the reason otherwise.</summary>
    public static string? Normalize(string? typed, out string? problem)
    {
        // A byte-order mark is what some tools put in front of piped text: not part of the code.
        var digits = new string((typed ?? string.Empty).Where(c => !char.IsWhiteSpace(c) && c != '\uFEFF').ToArray());
        if (digits.Length == 6 && digits.All(char.IsAsciiDigit))
        {
            problem = null;
            return digits;
        }
        problem = digits.Length == 0 ? "no code was typed" : $"'{typed!.Trim()}' is not a 6-digit code";
        return null;
    }
}

/// <summary>The user a device is enrolled for.</summary>
internal sealed record EnrollmentTarget(string UserName, string UserArn, string AccountId);

/// <summary>An enabled device, as ListMFADevices confirms it.</summary>
internal sealed record EnrollmentResult(EnrollmentTarget Target, MfaDevice Device, string? ReevaluationNote);

/// <summary>An enrolment that did not happen; the message says why and what to do, and the device it created is gone.</summary>
internal sealed class EnrollmentException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The seed's console steps as calls: find the user, create a virtual MFA device, show it, enable it with two
/// consecutive codes, confirm with ListMFADevices, optionally start the rule's re-evaluation. A device this run created
/// is never left behind unassigned: every way out before it is enabled deletes it.
/// </summary>
internal sealed class VirtualMfaEnrollment(IIamClient iam, IEnrollmentClient enrollment, IConfigClient config)
{
    /// <summary>Refusals a person fixes by typing new codes.</summary>
    private const int MaxAttempts = 3;

    private VirtualMfaDeviceSecret? _unassigned;

    /// <summary>The device created and not yet enabled, if any: what an interrupted run must delete.</summary>
    public string? UnassignedSerial => _unassigned?.SerialNumber;

    public async Task<EnrollmentResult> EnrollAsync(EnrollmentRequest request, IEnrollmentConversation person, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(person);
        var target = await FindUserAsync(request, cancellationToken).ConfigureAwait(false);
        var existing = await iam.ListMfaDevicesAsync(target.UserName, cancellationToken).ConfigureAwait(false);
        if (existing.Count > 0 && !request.AdditionalDevice)
        {
            throw new EnrollmentException(
                $"user {target.UserName} already has MFA: {string.Join(", ", existing.Select(d => $"{d.SerialNumber} ({MfaKindNames.Describe(d.Kind)})"))}. " +
                "Nothing was created. To add another device (IAM allows 8 per user), run again with --additional-device.");
        }

        var deviceName = request.DeviceName ?? target.UserName;
        var device = await CreateAsync(target, deviceName, cancellationToken).ConfigureAwait(false);
        _unassigned = device;
        try
        {
            person.ShowDevice(target, device);
            await EnableAsync(target, device, person, cancellationToken).ConfigureAwait(false);
            _unassigned = null;
        }
        catch (Exception e) when (e is not EnrollmentException)
        {
            var cleanup = await DeleteUnassignedAsync().ConfigureAwait(false);
            throw new EnrollmentException($"{e.Message}. {cleanup}", e);
        }
        catch (EnrollmentException e)
        {
            var cleanup = await DeleteUnassignedAsync().ConfigureAwait(false);
            throw new EnrollmentException($"{e.Message} {cleanup}", e);
        }

        var enabled = (await iam.ListMfaDevicesAsync(target.UserName, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(d => d.SerialNumber == device.SerialNumber)
            ?? throw new EnrollmentException($"IAM accepted the codes but ListMFADevices does not show {device.SerialNumber} for {target.UserName}; check the IAM console.");
        var note = request.ReevaluateRuleName is { } rule ? await ReevaluateAsync(rule, cancellationToken).ConfigureAwait(false) : null;
        return new EnrollmentResult(target, enabled, note);
    }

    /// <summary>Deletes the device this run created and did not enable (even when the run is being cancelled); returns what happened, for the person.</summary>
    public async Task<string> DeleteUnassignedAsync()
    {
        if (_unassigned is not { } device) return string.Empty;
        _unassigned = null;
        try
        {
            await enrollment.DeleteVirtualMfaDeviceAsync(device.SerialNumber, CancellationToken.None).ConfigureAwait(false);
            return $"The unassigned device {device.SerialNumber} was deleted; remove its entry from the authenticator app and run enroll again.";
        }
        catch (AwsServiceException e)
        {
            return $"The unassigned device {device.SerialNumber} could not be deleted ({e.ErrorCode}): delete it with " +
                $"'aws iam delete-virtual-mfa-device --serial-number {device.SerialNumber}'.";
        }
    }

    private async Task<EnrollmentTarget> FindUserAsync(EnrollmentRequest request, CancellationToken cancellationToken)
    {
        var name = request.UserName;
        if (name is null)
        {
            var caller = await enrollment.GetCallerIdentityAsync(cancellationToken).ConfigureAwait(false);
            name = UserNameFromArn(caller.Arn)
                ?? throw new EnrollmentException($"--self enrols the IAM user whose credentials these are, but they are {caller.Arn}. Sign in as the IAM user, or name the user: enroll USER.");
        }
        var user = await iam.GetUserAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new EnrollmentException($"IAM has no user named {name}. Nothing was created. Check the name (aws iam list-users) or the account the credentials point at.");
        return new EnrollmentTarget(user.UserName, user.Arn, AccountFromArn(user.Arn));
    }

    private async Task<VirtualMfaDeviceSecret> CreateAsync(EnrollmentTarget target, string deviceName, CancellationToken cancellationToken)
    {
        try
        {
            return await enrollment.CreateVirtualMfaDeviceAsync(deviceName, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "EntityAlreadyExists")
        {
            var serial = $"arn:{PartitionFromArn(target.UserArn)}:iam::{target.AccountId}:mfa/{deviceName}";
            throw new EnrollmentException(
                $"a virtual MFA device named {deviceName} already exists in account {target.AccountId} (an enrolment that was never finished?). " +
                $"Nothing was created. Choose another name with --device-name, or delete it if it is unassigned: 'aws iam delete-virtual-mfa-device --serial-number {serial}'.", e);
        }
        catch (AwsServiceException e) when (e.ErrorCode is "InvalidInput" or "ValidationError")
        {
            throw new EnrollmentException($"IAM refused the device name {deviceName}: {e.ServiceMessage} Choose another with --device-name.", e);
        }
    }

    private async Task EnableAsync(EnrollmentTarget target, VirtualMfaDeviceSecret device, IEnrollmentConversation person, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var codes = person.AskCodes()
                ?? throw new EnrollmentException("no codes were given, so the device was not enabled.");
            try
            {
                await enrollment.EnableMfaDeviceAsync(target.UserName, device.SerialNumber, codes.Code1, codes.Code2, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (AwsServiceException e) when (e.ErrorCode == "InvalidAuthenticationCode")
            {
                const string advice = "IAM did not accept the two codes. Type two codes in a row as the app shows them (the second after the first changes), " +
                    "and check that the phone's clock is set automatically: codes from the wrong 30-second window are refused.";
                if (!person.MayRetry || attempt >= MaxAttempts) throw new EnrollmentException(advice, e);
                person.Say($"{advice} Try again ({MaxAttempts - attempt} attempt(s) left).");
            }
            catch (AwsServiceException e) when (e.ErrorCode == "EntityAlreadyExists")
            {
                // A retried call whose first attempt went through answers this too: the listing says which it was.
                var devices = await iam.ListMfaDevicesAsync(target.UserName, cancellationToken).ConfigureAwait(false);
                if (devices.Any(d => d.SerialNumber == device.SerialNumber)) return;
                throw new EnrollmentException($"IAM answered EntityAlreadyExists: {e.ServiceMessage} The device was not enabled for {target.UserName}.", e);
            }
            catch (AwsServiceException e) when (e.ErrorCode == "LimitExceeded")
            {
                throw new EnrollmentException($"user {target.UserName} has as many MFA devices as IAM allows ({e.ServiceMessage}); remove one first.", e);
            }
            catch (AwsServiceException e) when (e.ErrorCode == IamClient.NoSuchEntity)
            {
                throw new EnrollmentException($"IAM answered NoSuchEntity ({e.ServiceMessage}): was user {target.UserName} deleted meanwhile?", e);
            }
        }
    }

    private async Task<string> ReevaluateAsync(string ruleName, CancellationToken cancellationToken)
    {
        try
        {
            await config.StartConfigRulesEvaluationAsync([ruleName], cancellationToken).ConfigureAwait(false);
            return $"Started a re-evaluation of Config rule {ruleName}; its result for the user changes when the run ends (usually within a minute or two).";
        }
        catch (AwsServiceException e) when (e.ErrorCode == "NoSuchConfigRuleException")
        {
            return $"warning: no Config rule named {ruleName} in this Region; pass its name with --rule-name (and the Region with --region). The device is enabled all the same.";
        }
        catch (AwsServiceException e) when (e.ErrorCode == "LimitExceededException")
        {
            return $"warning: Config did not start a re-evaluation of {ruleName} now (one is running or started within the last minute); the next run shows the device. The device is enabled.";
        }
        catch (AwsServiceException e)
        {
            return $"warning: the re-evaluation of {ruleName} could not be started ({e.ErrorCode}: {e.ServiceMessage}); the device is enabled all the same.";
        }
    }

    /// <summary>The user name from an IAM user ARN (<c>arn:aws:iam::1:user/path/name</c>); null for root, roles, sessions.</summary>
    internal static string? UserNameFromArn(string arn)
    {
        var parts = arn.Split(':', 6);
        if (parts.Length != 6 || parts[2] != "iam" || !parts[5].StartsWith("user/", StringComparison.Ordinal)) return null;
        var name = parts[5][(parts[5].LastIndexOf('/') + 1)..];
        return name.Length == 0 ? null : name;
    }

    private static string AccountFromArn(string arn) => arn.Split(':', 6) is { Length: 6 } parts ? parts[4] : string.Empty;

    private static string PartitionFromArn(string arn) => arn.Split(':', 6) is { Length: 6 } parts ? parts[1] : "aws";
}

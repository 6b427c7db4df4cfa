using System.Text;
using MfaConfigRule.Aws;

namespace MfaConfigRule.Enrollment;

/// <summary><see cref="IEnrollmentClient"/> over the IAM (2010-05-08) and STS (2011-06-15) Query APIs.</summary>
internal sealed class EnrollmentClient(QueryProtocolClient iam, StsClient sts) : IEnrollmentClient
{
    /// <summary>Both clients over the transport and endpoints the front door already built.</summary>
    public static EnrollmentClient Create(IAwsConnection aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        return new EnrollmentClient(
            new QueryProtocolClient(aws.Transport, AwsService.Iam, aws.Endpoints.Resolve(AwsService.Iam), Iam.IamClient.ApiVersion),
            StsClient.Over(aws));
    }

    public Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken) => sts.GetCallerIdentityAsync(cancellationToken);

    public Task<VirtualMfaDeviceSecret> CreateVirtualMfaDeviceAsync(string deviceName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceName);
        return iam.InvokeAsync("CreateVirtualMFADevice", [new("VirtualMFADeviceName", deviceName)], result =>
        {
            var device = result.Child("VirtualMFADevice") ?? throw new FormatException("<CreateVirtualMFADeviceResult> lacks <VirtualMFADevice>");
            // A blob in the Query protocol: Base64 of the Base32 text.
            var seed = Convert.FromBase64String(device.RequiredText("Base32StringSeed"));
            return new VirtualMfaDeviceSecret(device.RequiredText("SerialNumber"), Encoding.ASCII.GetString(seed));
        }, cancellationToken);
    }

    public Task EnableMfaDeviceAsync(string userName, string serialNumber, string code1, string code2, CancellationToken cancellationToken) =>
        iam.InvokeAsync<bool>("EnableMFADevice",
            [new("UserName", userName), new("SerialNumber", serialNumber), new("AuthenticationCode1", code1), new("AuthenticationCode2", code2)],
            _ => true, cancellationToken);

    public Task DeleteVirtualMfaDeviceAsync(string serialNumber, CancellationToken cancellationToken) =>
        iam.InvokeAsync<bool>("DeleteVirtualMFADevice", [new("SerialNumber", serialNumber)], _ => true, cancellationToken);
}

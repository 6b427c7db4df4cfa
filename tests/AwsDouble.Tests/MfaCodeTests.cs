using System.Net;
using AwsDouble.Tests.Support;
using OtpNet;

namespace AwsDouble.Tests;

/// <summary>
/// EnableMFADevice checks codes as IAM does: RFC 6238 (HMAC-SHA1, 30-second steps, 6 digits) on the double's clock, two
/// consecutive codes, a small window, no replay. The codes come from Otp.NET, an authenticator-app implementation
/// independent of the double's own.
/// </summary>
public sealed class MfaCodeTests : DoubleTest
{
    private async Task<(string Serial, OtpNet.Totp App)> NewDeviceAsync(string userName = "alice")
    {
        await Aws.IamAsync("CreateUser", ("UserName", userName));
        var created = await Aws.IamAsync("CreateVirtualMFADevice", ("VirtualMFADeviceName", userName));
        var seed = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(created.Value("Base32StringSeed")!));
        return (created.Value("SerialNumber")!, new OtpNet.Totp(Base32Encoding.ToBytes(seed)));
    }

    private Task<QueryAnswer> EnableAsync(string serial, string code1, string code2, string userName = "alice") =>
        Aws.IamAsync("EnableMFADevice", ("UserName", userName), ("SerialNumber", serial), ("AuthenticationCode1", code1), ("AuthenticationCode2", code2));

    /// <summary>The app's code <paramref name="stepsBack"/> 30-second steps before the double's now.</summary>
    private static string Code(OtpNet.Totp app, DateTimeOffset now, int stepsBack) => app.ComputeTotp(now.UtcDateTime.AddSeconds(-30 * stepsBack));

    [Theory]
    [InlineData(1)] // the usual: the code shown, then the next, submitted at once
    [InlineData(2)] // submitted some 30 s late
    [InlineData(0)] // the second code from the next step (a phone a little fast)
    public async Task EnableMfaDevice_TwoConsecutiveCodesInsideTheWindow_EnablesTheDevice(int firstStepsBack)
    {
        var (serial, app) = await NewDeviceAsync();
        var now = Clock.GetUtcNow();

        var answer = await EnableAsync(serial, Code(app, now, firstStepsBack), Code(app, now, firstStepsBack - 1));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(serial, Assert.Single(Account.FindUser("alice")!.MfaDevices).SerialNumber);
    }

    [Theory]
    [InlineData(3)]  // 90 s old
    [InlineData(20)] // ten minutes old
    [InlineData(-2)] // from a clock a minute fast
    public async Task EnableMfaDevice_ConsecutiveCodesFromTheWrongWindow_AreInvalidAuthenticationCode(int firstStepsBack)
    {
        var (serial, app) = await NewDeviceAsync();
        var now = Clock.GetUtcNow();

        var answer = await EnableAsync(serial, Code(app, now, firstStepsBack), Code(app, now, firstStepsBack - 1));

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("InvalidAuthenticationCode", answer.ErrorCode);
        Assert.Empty(Account.FindUser("alice")!.MfaDevices);
    }

    [Fact]
    public async Task EnableMfaDevice_SameCodeTwiceOrSwapped_IsInvalidAuthenticationCode()
    {
        var (serial, app) = await NewDeviceAsync();
        var now = Clock.GetUtcNow();

        var twice = await EnableAsync(serial, Code(app, now, 0), Code(app, now, 0));
        var swapped = await EnableAsync(serial, Code(app, now, 0), Code(app, now, 1));

        Assert.Equal("InvalidAuthenticationCode", twice.ErrorCode);
        Assert.Equal("InvalidAuthenticationCode", swapped.ErrorCode);
    }

    [Fact]
    public async Task EnableMfaDevice_CodesAlreadyUsedToEnableIt_AreRefusedAfterADeactivation()
    {
        var (serial, app) = await NewDeviceAsync();
        var now = Clock.GetUtcNow();
        var (code1, code2) = (Code(app, now, 1), Code(app, now, 0));
        Assert.Equal(HttpStatusCode.OK, (await EnableAsync(serial, code1, code2)).Status);
        await Aws.IamAsync("DeactivateMFADevice", ("UserName", "alice"), ("SerialNumber", serial));

        var replay = await EnableAsync(serial, code1, code2);
        Clock.Advance(TimeSpan.FromSeconds(60));
        var later = Clock.GetUtcNow();
        var fresh = await EnableAsync(serial, Code(app, later, 1), Code(app, later, 0));

        Assert.Equal("InvalidAuthenticationCode", replay.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, fresh.Status);
    }

    [Fact]
    public async Task EnableMfaDevice_DeviceAlreadyAssigned_IsEntityAlreadyExists()
    {
        var (serial, app) = await NewDeviceAsync();
        await Aws.IamAsync("CreateUser", ("UserName", "bob"));
        var now = Clock.GetUtcNow();
        await EnableAsync(serial, Code(app, now, 1), Code(app, now, 0));

        var again = await EnableAsync(serial, Code(app, now, 1), Code(app, now, 0), userName: "bob");

        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("EntityAlreadyExists", again.ErrorCode);
    }

    [Fact]
    public async Task EnableMfaDevice_UnknownUser_IsNoSuchEntity()
    {
        var (serial, app) = await NewDeviceAsync();
        var now = Clock.GetUtcNow();

        var answer = await EnableAsync(serial, Code(app, now, 1), Code(app, now, 0), userName: "ghost");

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Equal("NoSuchEntity", answer.ErrorCode);
    }

    [Fact]
    public async Task CreateVirtualMfaDevice_NameTaken_IsEntityAlreadyExists()
    {
        await NewDeviceAsync();

        var again = await Aws.IamAsync("CreateVirtualMFADevice", ("VirtualMFADeviceName", "alice"));

        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("EntityAlreadyExists", again.ErrorCode);
    }
}

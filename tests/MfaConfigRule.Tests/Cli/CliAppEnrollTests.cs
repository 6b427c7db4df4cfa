using MfaConfigRule.Cli;
using MfaConfigRule.Tests.Fakes;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Cli;

/// <summary><c>enroll</c> as a person and a script see it; the secret appears only where it was asked for.</summary>
public sealed partial class CliAppTests
{
    private const string AliceDevice = "arn:aws:iam::123456789012:mfa/alice";

    private string Everything => Out + Err;

    [Fact]
    public void Enroll_CodesOnStdinOfAScript_EnablesWithoutDrawingTheQrCodeOrShowingTheSecret()
    {
        _iam.AddUser("alice", Now.AddDays(-3));
        Stdin = "123456\n654321\n";

        var exit = Run("enroll", "alice");

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Contains("stderr is not a terminal, so the QR code is not drawn", Err, StringComparison.Ordinal);
        Assert.Contains("MFA code 1: ", Err, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeEnrollmentClient.Seed, Everything, StringComparison.Ordinal);
        Assert.DoesNotContain('█', Everything);
        Assert.StartsWith($"MFA device {AliceDevice} (virtual) is enabled for alice on 2026-11-29 12:00:00Z, as ListMFADevices shows.", Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Enroll_OnATerminal_DrawsTheQrCodeButNeverTheSecretAsText()
    {
        _iam.AddUser("alice", Now.AddDays(-3));
        _terminal = Terminal80;
        Stdin = "123456\n654321\n";

        var exit = Run("enroll", "alice");

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Contains("2. Scan this QR code with the app:", Err, StringComparison.Ordinal);
        Assert.Contains('█', Err);
        Assert.DoesNotContain(FakeEnrollmentClient.Seed, Everything, StringComparison.Ordinal);
    }

    [Fact]
    public void Enroll_ShowSecret_PrintsTheKeyOnStdout()
    {
        _iam.AddUser("alice", Now.AddDays(-3));

        Run("enroll", "alice", "--show-secret", "--code1", "123456", "--code2", "654321");

        Assert.Contains($"secret key: {FakeEnrollmentClient.Seed}", Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Enroll_QrPng_WritesAPngThatOnlyTheOwnerCanRead()
    {
        _iam.AddUser("alice", Now.AddDays(-3));
        var png = Path.Combine(_files.FullName, "alice.png");

        var exit = Run("enroll", "alice", "--qr-png", png, "--code1", "123456", "--code2", "654321");

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(png));
        Assert.Contains($"2. Scan the QR code in {png} (it holds the secret", Err, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeEnrollmentClient.Seed, Everything, StringComparison.Ordinal);
    }

    [Fact]
    public void Enroll_WrongCodesGiven_ExitsTwoExplainingAndLeavesNoDevice()
    {
        _iam.AddUser("alice", Now.AddDays(-3));

        var exit = Run("enroll", "alice", "--code1", "000000", "--code2", "000001");

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Contains("error: IAM did not accept the two codes.", Err, StringComparison.Ordinal);
        Assert.Contains($"The unassigned device {AliceDevice} was deleted", Err, StringComparison.Ordinal);
        Assert.Empty(_enrollment.Unassigned);
        Assert.Equal(string.Empty, Out);
    }

    [Fact]
    public void Enroll_InputEndsBeforeTheSecondCode_LeavesNoDevice()
    {
        _iam.AddUser("alice", Now.AddDays(-3));
        Stdin = "123456\n";

        var exit = Run("enroll", "alice");

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Contains("no codes were given", Err, StringComparison.Ordinal);
        Assert.Empty(_enrollment.Unassigned);
    }

    [Fact]
    public void Enroll_Reevaluate_StartsTheDefaultRule()
    {
        _iam.AddUser("alice", Now.AddDays(-3));

        var exit = Run("enroll", "alice", "--code1", "123456", "--code2", "654321", "--reevaluate");

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Equal([EnrollVerb.DefaultRuleName], Assert.Single(_config.StartedEvaluations));
        Assert.Contains($"Started a re-evaluation of Config rule {EnrollVerb.DefaultRuleName}", Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Enroll_Self_UsesTheCallersUser()
    {
        _iam.AddUser("alice", Now.AddDays(-3));

        var exit = Run("enroll", "--self", "--code1", "123456", "--code2", "654321");

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Equal("GetCallerIdentity", _enrollment.Calls[0]);
    }

    [Theory]
    [InlineData(new string[] { "enroll" }, "error: name the IAM user to enrol (enroll USER), or enrol yourself with --self")]
    [InlineData(new[] { "enroll", "alice", "--self" }, "error: give either a user name or --self, not both")]
    [InlineData(new[] { "enroll", "alice", "--code1", "123456" }, "error: --code1 and --code2 go together: two consecutive codes from the app")]
    [InlineData(new[] { "enroll", "alice", "--code1", "12345", "--code2", "123456" }, "error: --code1: '12345' is not a 6-digit code")]
    [InlineData(new[] { "enroll", "bob smith" }, "error: 'bob smith' is not an IAM user name")]
    [InlineData(new[] { "enroll", "ghost", "--code1", "123456", "--code2", "654321" }, "error: IAM has no user named ghost. Nothing was created.")]
    public void Enroll_BadInput_ExitsTwoSayingWhatIsWrongAndCreatesNothing(string[] args, string message)
    {
        var exit = Run(args);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.StartsWith(message, Err, StringComparison.Ordinal);
        Assert.DoesNotContain(_enrollment.Calls, c => c.StartsWith("CreateVirtualMFADevice", StringComparison.Ordinal));
    }
}

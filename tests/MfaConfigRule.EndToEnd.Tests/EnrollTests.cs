using System.Diagnostics;
using System.Text;
using AwsDouble.Iam;
using MfaConfigRule.EndToEnd.Tests.Support;
using OtpNet;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// <c>enroll</c> through the real binary against the double, which checks the codes as IAM does: by a script over pipes,
/// and by a person at a terminal (tmux), where the QR code on the screen is read back as a phone would read it.
/// </summary>
public sealed class EnrollTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromMinutes(1);

    private void SeedConsoleUser(string name, params MfaDeviceSeed[] devices) =>
        Account.SeedUsers([new UserSeed(name) { LoginProfile = new LoginProfileSeed(Now.AddDays(-2)), MfaDevices = devices }]);

    /// <summary>The two codes an authenticator app shows for the secret now: the previous step's and the current one.</summary>
    private (string Code1, string Code2) AppCodes(string base32Secret)
    {
        var app = new OtpNet.Totp(Base32Encoding.ToBytes(base32Secret));
        var now = Now.UtcDateTime;
        return (app.ComputeTotp(now.AddSeconds(-30)), app.ComputeTotp(now));
    }

    [Fact]
    public async Task Enroll_AScriptReadsTheSecretAndTypesTheCodes_TheDeviceIsEnabledInIam()
    {
        SeedConsoleUser("alice");
        var start = Tool.StartInfo(Binary.FileName, Binary.Arguments(["enroll", "alice", "--show-secret", "--reevaluate", "--rule-name", RuleName]), AwsEnvironment());
        // As a script types: plain UTF-8, no byte-order mark before the first code.
        start.StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        using var process = Process.Start(start)!;
        using var limit = new CancellationTokenSource(CliTimeout);
        limit.Token.Register(() => process.Kill(entireProcessTree: true));
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = new StringBuilder();
        string? secret = null;
        while (secret is null && await process.StandardOutput.ReadLineAsync() is { } line)
        {
            stdout.AppendLine(line);
            if (line.StartsWith("secret key: ", StringComparison.Ordinal)) secret = line["secret key: ".Length..];
        }
        // Not Assert.True with the message: its argument would await stderr, which ends only when the process does.
        if (secret is null) Assert.Fail($"no secret printed:\n{stdout}\n{await stderr}");
        var (code1, code2) = AppCodes(secret);
        process.StandardInput.Write($"{code1}\n{code2}\n");
        process.StandardInput.Close();
        stdout.Append(await process.StandardOutput.ReadToEndAsync());
        await process.WaitForExitAsync(limit.Token);
        var run = new ToolRun(process.ExitCode, stdout.ToString(), await stderr);
        Output.WriteLine(run.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        var device = Assert.Single(Account.FindUser("alice")!.MfaDevices);
        Assert.Equal("arn:aws:iam::123456789012:mfa/alice", device.SerialNumber);
        Assert.Equal("alice", Assert.Single(Account.VirtualMfaDevices).UserName);
        Assert.Contains("MFA device arn:aws:iam::123456789012:mfa/alice (virtual) is enabled for alice", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(RuleName, Assert.Single(Config.Starts()).ConfigRuleName);
        // stderr is a pipe: the secret goes to stdout as asked, and no QR code is drawn into a log.
        Assert.Contains("2. Type the secret key into the app", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Scan this QR code", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_WrongCodes_ExitsTwoExplainingAndTheDoubleHoldsNoDevice()
    {
        SeedConsoleUser("alice");

        var run = await CliAsync("enroll", "alice", "--code1", "000000", "--code2", "000001");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("error: IAM did not accept the two codes.", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("was deleted", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Account.VirtualMfaDevices);
        Assert.Empty(Account.FindUser("alice")!.MfaDevices);
    }

    [Fact]
    public async Task Enroll_UserWithADeviceOrNoUser_CreatesNothing()
    {
        SeedConsoleUser("bob", new MfaDeviceSeed(MfaDeviceKind.Fido, Now.AddDays(-1)));

        var hasOne = await CliAsync("enroll", "bob", "--code1", "123456", "--code2", "654321");
        var ghost = await CliAsync("enroll", "ghost", "--code1", "123456", "--code2", "654321");

        Assert.True(hasOne.ExitCode == 2, hasOne.ToString());
        Assert.Contains("error: user bob already has MFA:", hasOne.Stderr, StringComparison.Ordinal);
        Assert.True(ghost.ExitCode == 2, ghost.ToString());
        Assert.Contains("error: IAM has no user named ghost. Nothing was created.", ghost.Stderr, StringComparison.Ordinal);
        Assert.Empty(Account.VirtualMfaDevices);
    }

    [Fact]
    public async Task Enroll_AbandonedDeviceWithTheSameName_SaysHowToDeleteItAndKeepsIt()
    {
        Account.SeedUsers([new UserSeed("carol") { LoginProfile = new LoginProfileSeed(Now.AddDays(-2)) }]);
        var key = Account.CreateAccessKey("carol");
        await Actions.CreateVirtualMfaDeviceAsync("carol");

        var environment = AwsEnvironment();
        environment["AWS_ACCESS_KEY_ID"] = key.AccessKeyId;
        environment["AWS_SECRET_ACCESS_KEY"] = key.SecretAccessKey;
        var run = await Tool.RunAsync(Binary.FileName, Binary.Arguments(["enroll", "--self", "--code1", "123456", "--code2", "654321"]), CliTimeout, environment);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("a virtual MFA device named carol already exists in account 123456789012", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("aws iam delete-virtual-mfa-device --serial-number arn:aws:iam::123456789012:mfa/carol", run.Stderr, StringComparison.Ordinal);
        Assert.Single(Account.VirtualMfaDevices);
    }

    [Fact]
    public async Task Enroll_AtATerminal_ThePersonScansTheQrCodeAndTypesTwoCodes()
    {
        if (!Tmux.IsAvailable) { Output.WriteLine("SKIPPED: tmux is not installed (.ci/run installs it)"); return; }
        SeedConsoleUser("dana");
        using var terminal = await Tmux.StartAsync([Binary.FileName, .. Binary.Arguments(["enroll", "dana"])], AwsEnvironment(), 120, 80);

        var screen = await terminal.WaitForAsync("MFA code 1:", CliTimeout);
        var keyUri = TerminalQrCode.Read(screen);
        var secret = Assert.Single(Account.VirtualMfaDevices).Base32Seed;
        Assert.Equal($"otpauth://totp/Amazon%20Web%20Services:dana%40123456789012?secret={secret}&issuer=Amazon%20Web%20Services", keyUri);
        Assert.DoesNotContain(secret, string.Join('\n', screen), StringComparison.Ordinal);
        var (code1, code2) = AppCodes(secret);
        await terminal.TypeAsync(code1);
        await terminal.WaitForAsync("MFA code 2 (the next code, after the first changes):", CliTimeout);
        await terminal.TypeAsync(code2);
        var done = await terminal.WaitForAsync("[exit ", CliTimeout);
        Output.WriteLine(string.Join('\n', done));

        Assert.Contains("[exit 0]", done);
        Assert.Contains(done, l => l.Contains("is enabled for dana", StringComparison.Ordinal));
        Assert.Single(Account.FindUser("dana")!.MfaDevices);
    }

    [Fact]
    public async Task Enroll_AtATerminalWrongCodesThenRightOnes_IsAskedAgain()
    {
        if (!Tmux.IsAvailable) { Output.WriteLine("SKIPPED: tmux is not installed (.ci/run installs it)"); return; }
        SeedConsoleUser("erin");
        using var terminal = await Tmux.StartAsync([Binary.FileName, .. Binary.Arguments(["enroll", "erin"])], AwsEnvironment(), 120, 80);

        await terminal.WaitForAsync("MFA code 1:", CliTimeout);
        await terminal.TypeAsync("12345");
        await terminal.WaitForAsync("'12345' is not a 6-digit code: type the 6 digits the app shows.", CliTimeout);
        await terminal.TypeAsync("000000");
        await terminal.TypeAsync("000001");
        await terminal.WaitForAsync("Try again (2 attempt(s) left).", CliTimeout);
        var (code1, code2) = AppCodes(Assert.Single(Account.VirtualMfaDevices).Base32Seed);
        await terminal.TypeAsync(code1);
        await terminal.TypeAsync(code2);
        var done = await terminal.WaitForAsync("[exit ", CliTimeout);
        Output.WriteLine(string.Join('\n', done));

        Assert.Contains("[exit 0]", done);
        Assert.Single(Account.FindUser("erin")!.MfaDevices);
    }

    [Fact]
    public async Task Enroll_CtrlCAtThePrompt_DeletesTheDeviceItCreated()
    {
        if (!Tmux.IsAvailable) { Output.WriteLine("SKIPPED: tmux is not installed (.ci/run installs it)"); return; }
        SeedConsoleUser("fred");
        using var terminal = await Tmux.StartAsync([Binary.FileName, .. Binary.Arguments(["enroll", "fred"])], AwsEnvironment(), 120, 80);

        await terminal.WaitForAsync("MFA code 1:", CliTimeout);
        Assert.Single(Account.VirtualMfaDevices);
        await terminal.InterruptAsync();
        var done = await terminal.WaitForAsync("[exit ", CliTimeout);
        Output.WriteLine(string.Join('\n', done));

        Assert.Contains("[exit 130]", done);
        Assert.Contains(done, l => l.Contains("interrupted. The unassigned device arn:aws:iam::123456789012:mfa/fred was deleted", StringComparison.Ordinal));
        Assert.Empty(Account.VirtualMfaDevices);
    }

    private Task<ToolRun> CliAsync(params string[] arguments) =>
        Tool.RunAsync(Binary.FileName, Binary.Arguments(arguments), CliTimeout, AwsEnvironment());
}

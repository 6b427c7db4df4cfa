using MfaConfigRule.Enrollment;

namespace MfaConfigRule.Cli;

/// <summary>
/// <c>enroll</c>'s side of the conversation: the steps, the QR code and the prompts on stderr (so stdout stays the
/// result), codes read from stdin or given as options. The secret reaches the screen or a file only as asked: the QR
/// code is drawn only when stderr is a terminal, the PNG only with <c>--qr-png</c>, the key only with <c>--show-secret</c>.
/// </summary>
internal sealed class EnrollConversation(CliContext cli, bool showSecret, FileInfo? qrPng, AuthenticationCodes? given) : IEnrollmentConversation
{
    private const int TypingAttempts = 3;
    private bool _givenUsed;

    public bool MayRetry => given is null && cli.Terminal.StdinIsTerminal;

    public void ShowDevice(EnrollmentTarget target, VirtualMfaDeviceSecret device)
    {
        var say = cli.Stderr;
        var keyUri = DeviceQrCode.KeyUri(target, device);
        say.WriteLine($"Created virtual MFA device {device.SerialNumber} for {target.UserName} (account {target.AccountId}); it is not enabled yet.");
        say.WriteLine("1. Open the authenticator app and add an account (a new virtual MFA device).");
        var shown = false;
        if (cli.Terminal.StderrIsTerminal)
        {
            say.WriteLine("2. Scan this QR code with the app:");
            say.Write(DeviceQrCode.ForTerminal(keyUri));
            shown = true;
        }
        if (qrPng is not null)
        {
            WritePrivately(qrPng, DeviceQrCode.ForPng(keyUri));
            say.WriteLine($"{(shown ? "   The QR code is also in" : "2. Scan the QR code in")} {qrPng.FullName} (it holds the secret: delete the file once scanned).");
            shown = true;
        }
        if (showSecret)
        {
            say.WriteLine($"{(shown ? "   Or type" : "2. Type")} the secret key into the app (time-based, 6 digits, 30 seconds):");
            cli.Stdout.WriteLine($"secret key: {device.Base32Seed}");
            shown = true;
        }
        if (!shown)
            say.WriteLine("2. stderr is not a terminal, so the QR code is not drawn (it holds the secret); run with --qr-png FILE or --show-secret to get it.");
        say.WriteLine("3. Type two consecutive codes from the app: the one it shows now, then the next one after it changes.");
    }

    public AuthenticationCodes? AskCodes()
    {
        if (given is not null)
        {
            if (_givenUsed) return null;
            _givenUsed = true;
            return given;
        }
        var first = Ask("MFA code 1: ");
        if (first is null) return null;
        for (var attempt = 0; attempt < TypingAttempts; attempt++)
        {
            var second = Ask("MFA code 2 (the next code, after the first changes): ");
            if (second is null) return null;
            if (second != first) return new AuthenticationCodes(first, second);
            cli.Stderr.WriteLine("That is the same code again: wait until the app shows the next one.");
            if (!cli.Terminal.StdinIsTerminal) return null;
        }
        return null;
    }

    public void Say(string line) => cli.Stderr.WriteLine(line);

    /// <summary>A prompt until six digits come; null at end of input or after a few wrong tries (a script gets one).</summary>
    private string? Ask(string prompt)
    {
        for (var attempt = 0; attempt < TypingAttempts; attempt++)
        {
            cli.Stderr.Write(prompt);
            cli.Stderr.Flush();
            var typed = cli.Stdin.ReadLine();
            if (typed is null)
            {
                cli.Stderr.WriteLine();
                return null;
            }
            if (AuthenticationCodes.Normalize(typed, out var problem) is { } code) return code;
            cli.Stderr.WriteLine($"{problem}: type the 6 digits the app shows.");
            if (!cli.Terminal.StdinIsTerminal) return null;
        }
        return null;
    }

    /// <summary>Readable by the owner only: the PNG is as secret as the key.</summary>
    private static void WritePrivately(FileInfo file, byte[] png)
    {
        // A file left from before keeps its mode; a new one is created owner-only.
        if (file.Exists) file.Delete();
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(file.FullName, options);
        stream.Write(png);
    }
}

using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using MfaConfigRule.Compliance;
using MfaConfigRule.Enrollment;

namespace MfaConfigRule.Cli;

/// <summary><c>enroll USER</c> / <c>enroll --self</c>: the seed's console steps for a virtual MFA device, in one command.</summary>
internal static class EnrollVerb
{
    /// <summary>The rule name the CDK app deploys by default (<c>mfaRule:ruleName</c>).</summary>
    public const string DefaultRuleName = "mfa-enabled-for-iam-console-users";

    public static Command Create(CliContext cli, CliOptions options)
    {
        var user = new Argument<string?>("user") { Description = "The IAM user to enrol (or --self).", Arity = ArgumentArity.ZeroOrOne };
        var self = new Option<bool>("--self") { Description = "Enrol the IAM user whose credentials these are (sts:GetCallerIdentity)." };
        var deviceName = new Option<string?>("--device-name") { Description = "Name of the virtual MFA device in IAM (default: the user name)." };
        var additional = new Option<bool>("--additional-device") { Description = "Enrol even if the user already has an MFA device (IAM allows 8)." };
        var qrPng = new Option<FileInfo?>("--qr-png") { Description = "Also write the QR code to this PNG file (it holds the secret: delete it once scanned)." };
        var showSecret = new Option<bool>("--show-secret") { Description = "Print the Base32 secret key, for apps that cannot scan (never shown otherwise)." };
        var code1 = new Option<string?>("--code1") { Description = "First code, instead of a prompt (with --code2)." };
        var code2 = new Option<string?>("--code2") { Description = "The next code the app shows, instead of a prompt." };
        var reevaluate = new Option<bool>("--reevaluate") { Description = "Then start the Config rule's re-evaluation (config:StartConfigRulesEvaluation) so Config shows the user compliant at once." };
        var ruleName = new Option<string>("--rule-name")
        {
            Description = $"The Config rule --reevaluate starts (default {DefaultRuleName}).",
            DefaultValueFactory = _ => DefaultRuleName,
        };
        var command = new Command("enroll", "Create a virtual MFA device for an IAM user, show its QR code, enable it with two consecutive codes and confirm it (the IAM console's 'Assign MFA device' steps). Exit 0 enrolled, 2 not enrolled (nothing left behind).");
        command.Arguments.Add(user);
        foreach (var option in new Option[] { self, deviceName, additional, qrPng, showSecret, code1, code2, reevaluate, ruleName, options.Profile, options.Region })
            command.Options.Add(option);
        command.SetAction(parse => cli.Guarded(() =>
        {
            var name = parse.GetValue(user);
            var isSelf = parse.GetValue(self);
            if (name is null == !isSelf)
                throw new CliException(isSelf ? "give either a user name or --self, not both" : "name the IAM user to enrol (enroll USER), or enrol yourself with --self");
            var given = (parse.GetValue(code1), parse.GetValue(code2)) switch
            {
                (null, null) => null,
                ({ } first, { } second) => PresetCodes(first, second),
                _ => throw new CliException("--code1 and --code2 go together: two consecutive codes from the app"),
            };
            if (parse.GetValue(qrPng) is { } png && Directory.Exists(png.FullName))
                throw new CliException($"--qr-png {png.FullName} is a directory; name a file");
            var account = cli.ConnectTo(parse, options);
            var writes = account.Enrollment ?? throw new CliException("enroll needs IAM write access, which this connection does not offer");
            var request = new EnrollmentRequest(name is null ? null : CliOptions.UserName(name))
            {
                DeviceName = parse.GetValue(deviceName),
                AdditionalDevice = parse.GetValue(additional),
                ReevaluateRuleName = parse.GetValue(reevaluate) ? parse.GetValue(ruleName) : null,
            };
            var conversation = new EnrollConversation(cli, parse.GetValue(showSecret), parse.GetValue(qrPng), given);
            var enrollment = new VirtualMfaEnrollment(account.Iam, writes, account.Config);
            // Ctrl+C at a prompt: the device created must not stay behind unassigned.
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                if (enrollment.UnassignedSerial is null) return;
                context.Cancel = true;
                cli.Stderr.WriteLine();
                cli.Stderr.WriteLine($"interrupted. {enrollment.DeleteUnassignedAsync().GetAwaiter().GetResult()}");
                Environment.Exit(130);
            });
            var result = enrollment.EnrollAsync(request, conversation, CancellationToken.None).GetAwaiter().GetResult();
            var enabled = result.Device.EnableDate is { } at ? at.ToUniversalTime().ToString(" 'on' yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : string.Empty;
            cli.Stdout.WriteLine($"MFA device {result.Device.SerialNumber} ({MfaKindNames.Describe(result.Device.Kind)}) is enabled for {result.Target.UserName}{enabled}, as ListMFADevices shows.");
            if (result.ReevaluationNote is { } note) (note.StartsWith("warning:", StringComparison.Ordinal) ? cli.Stderr : cli.Stdout).WriteLine(note);
            else cli.Stdout.WriteLine("Config shows it after the rule's next run (within minutes where the rule's re-evaluation is deployed; --reevaluate starts one now).");
            return ExitCodes.Clean;
        }));
        return command;
    }

    private static AuthenticationCodes PresetCodes(string first, string second)
    {
        var code1 = AuthenticationCodes.Normalize(first, out var problem1) ?? throw new CliException($"--code1: {problem1}");
        var code2 = AuthenticationCodes.Normalize(second, out var problem2) ?? throw new CliException($"--code2: {problem2}");
        return new AuthenticationCodes(code1, code2);
    }
}

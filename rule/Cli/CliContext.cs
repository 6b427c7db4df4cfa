using MfaConfigRule.Contract;
using System.CommandLine;
using MfaConfigRule.Compliance;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Cli;

/// <summary>What every verb shares: where it reads and writes, its clock, and how it reaches an account.</summary>
internal sealed record CliContext(TextWriter Stdout, TextWriter Stderr, TimeProvider Time, Func<AccountOptions, LiveAccount> Connect)
{
    public TextReader Stdin { get; init; } = TextReader.Null;

    /// <summary><c>evaluate</c> across accounts (<c>--assume-role</c>); absent where the front door offers none.</summary>
    public OrganizationEvaluate? Organization { get; init; }

    public CliTerminal Terminal { get; init; } = CliTerminal.None;

    /// <summary>The width a table is fitted to: the terminal's when stdout is one, else 0 (one line per row).</summary>
    public int TableWidth => Terminal.StdoutIsTerminal ? Terminal.Width : 0;

    /// <summary>Progress and what the run waits for, on stderr.</summary>
    public required CliStatus Status { get; init; }

    /// <summary>The account's IAM client with the status line on its waits, for the verbs that sweep or read users.</summary>
    public IIamClient Iam(LiveAccount account) => new StatusIamClient(account.Iam, Status);

    public LiveAccount ConnectTo(ParseResult parse, CliOptions options) =>
        Connect(new AccountOptions(parse.GetValue(options.Profile), parse.GetValue(options.Region)));

    /// <summary>Runs a verb: a mistake the user can fix is one "error: …" line and exit 2, never a stack trace.</summary>
    public int Guarded(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is CliException or Enrollment.EnrollmentException or OrganizationSettingsException or Aws.AwsConfigurationException or Aws.AwsCredentialsException or ConfigEvents.ConfigEventException or RuleParametersException or CredentialReportFormatException or Aws.AwsServiceException or IOException or UnauthorizedAccessException or HttpRequestException)
        {
            Stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Error;
        }
    }
}

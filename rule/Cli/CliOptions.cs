using System.CommandLine;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Contract;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Cli;

/// <summary>Where the CLI's live mode finds the account: a named profile and Region from the standard credential chain.</summary>
internal sealed record AccountOptions(string? Profile, string? Region);

/// <summary>The AWS clients the live mode needs, built by the front door from <see cref="AccountOptions"/>.</summary>
internal sealed record LiveAccount(IIamClient Iam, ICloudTrailClient CloudTrail, IConfigClient Config)
{
    /// <summary>The writes <c>enroll</c> makes (IAM device calls, STS GetCallerIdentity); null where nothing may write.</summary>
    public Enrollment.IEnrollmentClient? Enrollment { get; init; }
}

/// <summary>
/// Which of the standard streams is a person's terminal, and how wide it is: a table is fitted and a progress line is
/// redrawn only on a terminal; a pipe or a log gets plain lines.
/// </summary>
internal sealed record CliTerminal(bool StdinIsTerminal, bool StdoutIsTerminal, bool StderrIsTerminal, int Width)
{
    /// <summary>Pipes everywhere: what tests and scripts see.</summary>
    public static CliTerminal None { get; } = new(false, false, false, 0);
}

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
        catch (Exception e) when (e is CliException or Enrollment.EnrollmentException or OrganizationSettingsException or Aws.AwsConfigurationException or Aws.AwsCredentialsException or Rule.ConfigEventException or RuleParametersException or CredentialReportFormatException or Aws.AwsServiceException or IOException or UnauthorizedAccessException or HttpRequestException)
        {
            Stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Error;
        }
    }
}

/// <summary>The CLI's exit codes, one rule for every verb.</summary>
internal static class ExitCodes
{
    public const int Clean = 0;
    public const int NonCompliant = 1;
    public const int Error = 2;

    /// <summary>For help texts.</summary>
    public const string Meaning = "Exit codes: 0 no user NON_COMPLIANT, 1 some user NON_COMPLIANT, 2 bad input or an error (including a user left without a verdict).";

    /// <summary>2 when a user got no verdict (an error outranks findings), 1 when one is NON_COMPLIANT, else 0.</summary>
    public static int For(IReadOnlyList<AuditRow> rows) =>
        rows.Any(r => r.Compliance == AuditRow.InsufficientData) ? Error
        : rows.Any(r => r.Compliance == ComplianceTypeNames.NonCompliant) ? NonCompliant
        : Clean;
}

/// <summary>
/// The options the verbs share, one instance each so that every verb spells and documents them the same way, and the
/// readers that turn them into rule parameters and a time.
/// </summary>
internal sealed class CliOptions
{
    public Option<FileInfo?> Report { get; } = new("--credential-report", "-r")
    {
        Description = "Audit this IAM credential report CSV offline instead of the live account (no AWS access needed).",
    };

    public Option<string?> ParametersJson { get; } = new("--parameters")
    {
        Description = "The rule parameters as the JSON object Config takes, e.g. '{\"AllowedMfaTypes\":\"fido\"}'.",
    };

    public Option<string?> ExemptNames { get; } = new("--exempt-user-names") { Description = "ExemptUserNames: comma-separated user names." };
    public Option<string?> ExemptPaths { get; } = new("--exempt-path-prefixes") { Description = "ExemptPathPrefixes: comma-separated IAM paths, e.g. /break-glass/." };
    public Option<string?> TagKey { get; } = new("--exemption-tag-key") { Description = "ExemptionTagKey (default mfa-exempt-until; empty turns tag exemptions off)." };
    public Option<string?> MfaTypes { get; } = new("--allowed-mfa-types") { Description = "AllowedMfaTypes: any of virtual,hardware,fido (default all)." };
    public Option<string?> NoPassword { get; } = new("--no-password-result") { Description = "NoPasswordResult: NOT_APPLICABLE (default) or COMPLIANT." };
    public Option<string?> Grace { get; } = new("--grace-period-hours") { Description = "GracePeriodHours (default 0)." };

    public Option<OutputFormat> Output { get; } = new("--output", "-o")
    {
        Description = "table (default; fitted to the terminal), json or csv.",
        HelpName = "table|json|csv",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
            if (Enum.TryParse<OutputFormat>(text, ignoreCase: true, out var format) && !text.Any(char.IsAsciiDigit)) return format;
            result.AddError($"--output '{text}' is not an output format; choose table, json or csv.");
            return OutputFormat.Table;
        },
    };

    public Option<string?> AsOfTime { get; } = new("--as-of")
    {
        Description = "Evaluate as of this UTC time (ISO 8601) instead of now: grace periods and exemption dates are judged against it.",
    };

    public Option<string?> Profile { get; } = new("--profile") { Description = "AWS profile for the live account (default: the standard credential chain)." };
    public Option<string?> Region { get; } = new("--region")
    {
        Description = "AWS Region of the Config calls (invoke, enroll --reevaluate) and the STS endpoint (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1). " +
            "IAM is global, and its CloudTrail events are read in us-east-1 whatever the Region.",
    };

    /// <summary>What every audit takes: the rule parameters, a report or an account, and the time to judge at.</summary>
    public IEnumerable<Option> Audit => [.. RuleParameterOptions, Report, AsOfTime, Profile, Region];

    public IEnumerable<Option> RuleParameterOptions => [ParametersJson, ExemptNames, ExemptPaths, TagKey, MfaTypes, NoPassword, Grace];

    public RuleParameters Parameters(ParseResult parse)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parse.GetValue(ParametersJson) is { } json)
            foreach (var (key, value) in RuleParameters.ParseJsonValues(json)) values[key] = value;
        void Flag(Option<string?> option, string key)
        {
            if (parse.GetValue(option) is { } value) values[key] = value;
        }
        Flag(ExemptNames, RuleParameters.ExemptUserNamesKey);
        Flag(ExemptPaths, RuleParameters.ExemptPathPrefixesKey);
        Flag(TagKey, RuleParameters.ExemptionTagKeyKey);
        Flag(MfaTypes, RuleParameters.AllowedMfaTypesKey);
        Flag(NoPassword, RuleParameters.NoPasswordResultKey);
        Flag(Grace, RuleParameters.GracePeriodHoursKey);
        return RuleParameters.Parse(values);
    }

    /// <summary>An IAM user name as IAM allows it (1–64 of letters, digits and <c>+=,.@_-</c>), else a clear error.</summary>
    public static string UserName(string? typed)
    {
        var name = typed ?? string.Empty;
        if (name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || "+=,.@_-".Contains(c, StringComparison.Ordinal))) return name;
        throw new CliException($"'{name}' is not an IAM user name: 1 to 64 letters, digits and + = , . @ _ -");
    }

    public DateTimeOffset AsOf(ParseResult parse, TimeProvider time)
    {
        if (parse.GetValue(AsOfTime) is not { } text) return time.GetUtcNow();
        return UtcTime.TryParse(text, out var at)
            ? at
            : throw new CliException($"--as-of '{text}' is not a time; use ISO 8601, e.g. 2026-11-29T12:00:00Z");
    }
}

/// <summary>A mistake in how the CLI was called or what it was given; shown as "error: …" with exit code 2.</summary>
internal sealed class CliException(string message) : Exception(message);

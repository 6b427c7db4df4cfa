using System.CommandLine;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Cli;

/// <summary>Where the CLI's live mode finds the account: a named profile and Region from the standard credential chain.</summary>
internal sealed record AccountOptions(string? Profile, string? Region);

/// <summary>The AWS clients the live mode needs, built by the front door from <see cref="AccountOptions"/>.</summary>
internal sealed record LiveAccount(IIamClient Iam, ICloudTrailClient CloudTrail, IConfigClient Config);

/// <summary>What every verb shares: where it writes, its clock, and how it reaches an account.</summary>
internal sealed record CliContext(TextWriter Stdout, TextWriter Stderr, TimeProvider Time, Func<AccountOptions, LiveAccount> Connect)
{
    public LiveAccount ConnectTo(ParseResult parse, CliOptions options) =>
        Connect(new AccountOptions(parse.GetValue(options.Profile), parse.GetValue(options.Region)));

    /// <summary>Runs a verb: a mistake the user can fix is one "error: …" line and exit 2, never a stack trace.</summary>
    public int Guarded(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is CliException or Aws.AwsCredentialsException or Rule.ConfigEventException or RuleParametersException or CredentialReportFormatException or Aws.AwsServiceException or IOException or UnauthorizedAccessException or HttpRequestException)
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
        Description = "table (default), json or csv.",
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public Option<string?> AsOfTime { get; } = new("--as-of")
    {
        Description = "Evaluate as of this UTC time (ISO 8601) instead of now: grace periods and exemption dates are judged against it.",
    };

    public Option<string?> Profile { get; } = new("--profile") { Description = "AWS profile for the live account (default: the standard credential chain)." };
    public Option<string?> Region { get; } = new("--region") { Description = "AWS Region for CloudTrail lookups and endpoints (IAM itself is global)." };

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

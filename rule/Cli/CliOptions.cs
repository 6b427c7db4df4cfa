using System.CommandLine;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Cli;

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
        Description = "table (default; fitted to the terminal), json, csv, or html (evaluate: one self-contained page to open, print or attach, e.g. -o html > report.html).",
        HelpName = "table|json|csv|html",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
            if (Enum.TryParse<OutputFormat>(text, ignoreCase: true, out var format) && !text.Any(char.IsAsciiDigit)) return format;
            result.AddError($"--output '{text}' is not an output format; choose table, json, csv or html.");
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

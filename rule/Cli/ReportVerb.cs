using System.CommandLine;
using System.Globalization;
using MfaConfigRule.Aggregation;
using MfaConfigRule.Aws;
using MfaConfigRule.Contract;
using MfaConfigRule.Reporting;

namespace MfaConfigRule.Cli;

/// <summary>
/// The hub's clients for <c>report</c>: the aggregator, in the hub account and Region, and the Organization's account
/// list (names; it may be denied). Disposing releases the connection.
/// </summary>
internal sealed record AggregatorConnection(IAggregatorClient Aggregator, Func<CancellationToken, Task<IReadOnlyList<DirectoryAccount>>> ListAccounts, IDisposable? Owner = null) : IDisposable
{
    public void Dispose() => Owner?.Dispose();
}

/// <summary>
/// <c>report --aggregator NAME</c>: what Config's aggregator holds for the rule across the Organization, read in the
/// aggregator's account alone (no member roles, no IAM). Exit 2 when something is not known (an account without
/// results or unreadable, a stale result, a user without a result), else 1 when a user is NON_COMPLIANT, else 0.
/// </summary>
internal static class ReportVerb
{
    /// <summary>The CDK app's default rule name (infra/Settings/RuleSettings.DefaultRuleName).</summary>
    public const string DefaultRuleName = "mfa-enabled-for-iam-console-users";

    /// <summary>The rule runs every 24 hours (TwentyFour_Hours); a result may be that old, plus a margin for a late run.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromHours(24 + 2);

    private static readonly HashSet<string> NamesDenied = new(StringComparer.Ordinal)
    {
        "AccessDeniedException", "AccessDenied", "AWSOrganizationsNotInUseException",
    };

    public static Command Create(CliContext cli, CliOptions options, Func<AccountOptions, AggregatorConnection>? connect)
    {
        var aggregator = new Option<string?>("--aggregator") { Description = "The Config aggregator's name, in the account and Region you call from (--profile, --region).", Required = true };
        var ruleName = new Option<string?>("--rule-name") { Description = $"The Config rule's name (default {DefaultRuleName}, the CDK app's)." };
        var accounts = new Option<string?>("--accounts") { Description = "Only these accounts: comma-separated 12-digit IDs." };
        var maxAge = new Option<string?>("--max-age") { Description = "A result older than this many hours is flagged stale (default 26: the rule's 24-hour period plus 2 hours' margin)." };
        var parallel = new Option<int>("--max-parallel-accounts")
        {
            Description = $"Accounts read at once (default {AggregateReadOptions.DefaultConcurrency}).",
            DefaultValueFactory = _ => AggregateReadOptions.DefaultConcurrency,
        };
        var dropsNotApplicable = new Option<bool>("--aggregator-drops-not-applicable")
        {
            Description = "Your aggregator does not carry NOT_APPLICABLE results (check it: docs/organization-report.md): a discovered user without any result is then presumed NOT_APPLICABLE " +
                "(shown, never counted compliant) and no longer makes the exit code 2, unless a NOT_APPLICABLE result comes through after all.",
        };
        var command = new Command("report", "What the Config aggregator holds for the rule across the Organization: every account's users, verdicts and why, stale results and accounts without results called out. " +
            "Exit codes: 0 no user NON_COMPLIANT and everything known, 1 some user NON_COMPLIANT, 2 bad input or an error, or something not known (an account without results, a stale result, a user without a result).");
        command.Options.Add(aggregator);
        command.Options.Add(ruleName);
        command.Options.Add(accounts);
        command.Options.Add(maxAge);
        command.Options.Add(parallel);
        command.Options.Add(dropsNotApplicable);
        command.Options.Add(options.Output);
        command.Options.Add(options.Profile);
        command.Options.Add(options.Region);
        command.SetAction(parse => cli.Guarded(() =>
        {
            var name = parse.GetValue(aggregator) ?? string.Empty;
            if (name.Length is 0 or > 256 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                throw new CliException($"--aggregator '{name}' is not an aggregator name: 1 to 256 letters, digits, _ and -");
            var rule = parse.GetValue(ruleName) ?? DefaultRuleName;
            if (rule.Length is 0 or > 128 || string.IsNullOrWhiteSpace(rule)) throw new CliException($"--rule-name '{rule}' is not a Config rule name: 1 to 128 characters");
            var hours = DefaultMaxAge.TotalHours;
            if (parse.GetValue(maxAge) is { } text && (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out hours) || hours <= 0 || hours > 24 * 366))
                throw new CliException($"--max-age '{text}' is not a number of hours between 0 and 8784");
            var concurrency = parse.GetValue(parallel);
            if (concurrency is < 1 or > 64) throw new CliException($"--max-parallel-accounts {concurrency} is outside 1-64");
            IReadOnlySet<string>? only = null;
            try
            {
                if (parse.GetValue(accounts) is { } list) only = OrganizationSettings.ParseAccountIds(list, "--accounts").ToHashSet(StringComparer.Ordinal);
            }
            catch (OrganizationSettingsException e)
            {
                throw new CliException(e.Message);
            }
            if (connect is null) throw new CliException("report needs AWS access, which this front door does not offer");

            using var hub = connect(new AccountOptions(parse.GetValue(options.Profile), parse.GetValue(options.Region)));
            var directory = Directory(cli, hub);
            var read = new AggregateReadOptions(name, rule, TimeSpan.FromHours(hours)) { Accounts = only, Concurrency = concurrency, NotApplicableDropped = parse.GetValue(dropsNotApplicable) };
            Report report;
            try
            {
                report = new AggregateReader(hub.Aggregator, cli.Time).ReadAsync(read, directory, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (AwsServiceException e) when (e.ErrorCode == AggregatorClient.NoSuchAggregator)
            {
                throw new CliException($"there is no aggregator '{name}' in this account and Region: {e.ServiceMessage} (the CDK app's Organization stack names it in its outputs; pass --region where it is)");
            }
            var warnings = new List<string>();
            if (parse.GetValue(maxAge) is null)
                warnings.Add(string.Create(CultureInfo.InvariantCulture, $"results older than {hours:0.##} h are flagged stale (the rule's 24-hour period plus 2 hours; --max-age to change)"));
            if (directory is null) warnings.Add("account names unavailable: the caller may not list the Organization's accounts");
            // The names note was said once already, when the Organization's list was refused.
            if (parse.GetValue(maxAge) is null) cli.Stderr.WriteLine($"note: {warnings[0]}");
            foreach (var failed in report.Accounts.Where(a => a.Status == AccountStatus.Unreachable)) cli.Stderr.WriteLine($"error: account {failed.AccountId}: {failed.Reason}");
            if (NotApplicableNote(report, read.NotApplicableDropped) is { } note)
            {
                warnings.Add(note);
                cli.Stderr.WriteLine($"note: {note}");
            }
            report = report with { Warnings = warnings };
            var exitCode = ExitCodes.For(report.Totals);
            switch (parse.GetValue(options.Output))
            {
                case OutputFormat.Html: HtmlReport.Write(cli.Stdout, report); break;
                case OutputFormat.Json: RecordedReportWriter.WriteJson(cli.Stdout, report); break;
                case OutputFormat.Csv: RecordedReportWriter.WriteCsv(cli.Stdout, report); break;
                default: RecordedReportWriter.WriteTable(cli.Stdout, report, exitCode); break;
            }
            return exitCode;
        }));
        return command;
    }

    /// <summary>
    /// What the users without a result mean here: with <c>--aggregator-drops-not-applicable</c>, that a NOT_APPLICABLE
    /// result came through after all (the flag is disproved, they count as unknown); without it, where none came
    /// through, that they are consistent with an aggregator that drops NOT_APPLICABLE, and how to say so.
    /// </summary>
    internal static string? NotApplicableNote(Report report, bool dropped)
    {
        var missing = report.Users.Count(u => u.Verdict is null && u.Annotation == AggregateReader.NoAggregatedResult);
        var carried = report.Users.Count(u => u.Verdict == Compliance.ComplianceType.NotApplicable);
        if (dropped && carried > 0)
            return $"--aggregator-drops-not-applicable was given, but the aggregator returned {carried} NOT_APPLICABLE result(s): it carries them, so a user without a result ({missing} here) is not presumed NOT_APPLICABLE and counts as unknown";
        if (!dropped && carried == 0 && missing > 0)
            return $"{missing} user(s) have no aggregated result and no NOT_APPLICABLE result came through: consistent with an aggregator that does not carry NOT_APPLICABLE (users without a console password). " +
                "If yours does not (docs/organization-report.md says how to check), --aggregator-drops-not-applicable stops counting them as unknown";
        return null;
    }

    /// <summary>The Organization's active accounts with their names; null (said once) when the caller may not list them.</summary>
    private static IReadOnlyList<DirectoryAccount>? Directory(CliContext cli, AggregatorConnection hub)
    {
        try
        {
            return hub.ListAccounts(CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (AwsServiceException e) when (NamesDenied.Contains(e.ErrorCode))
        {
            cli.Stderr.WriteLine($"note: account names unavailable (organizations:ListAccounts answered {e.ErrorCode}); the accounts are those the aggregator knows, " +
                "so an account whose IAM users Config has never recorded is not listed");
            return null;
        }
    }
}

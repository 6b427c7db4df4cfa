using System.CommandLine;
using MfaConfigRule.Compliance;
using MfaConfigRule.Composition;
using MfaConfigRule.Iam;
using MfaConfigRule.Reporting;

namespace MfaConfigRule.Cli;

/// <summary><c>evaluate</c>: every IAM user, from a credential report offline or from the live account.</summary>
internal static class EvaluateVerb
{
    public static Command Create(CliContext cli, CliOptions options)
    {
        var liveOnly = new Option<bool>("--live-only") { Description = "Read every user with live IAM calls instead of starting from the credential report." };
        var command = new Command("evaluate", $"Evaluate every IAM user: a credential report offline (--credential-report), else the live account. NON_COMPLIANT users come first, riskiest first. {ExitCodes.Meaning}");
        foreach (var option in options.Audit) command.Options.Add(option);
        command.Options.Add(options.Output);
        command.Options.Add(liveOnly);
        foreach (var option in cli.Organization?.Options ?? []) command.Options.Add(option);
        command.SetAction(parse => cli.Guarded(() =>
        {
            var parameters = options.Parameters(parse);
            if (cli.Organization is { } organization && organization.Applies(parse))
            {
                if (parse.GetValue(options.Report) is not null) throw new CliException("--assume-role audits live accounts; it cannot be combined with --credential-report");
                return organization.Run(parse, new AccountOptions(parse.GetValue(options.Profile), parse.GetValue(options.Region)), parameters, parse.GetValue(options.Output), parse.GetValue(liveOnly));
            }
            var now = options.AsOf(parse, cli.Time);
            var format = parse.GetValue(options.Output);
            var file = parse.GetValue(options.Report);
            var warnings = new List<string>();
            var rows = file is not null
                ? Offline(cli, file, parameters, now, warnings)
                : Live(cli, cli.ConnectTo(parse, options), parameters, parse.GetValue(liveOnly), warnings);
            if (format == OutputFormat.Html)
            {
                var report = file is not null
                    ? AuditReport.ForAccount(rows, ReportSource.CredentialReport, $"credential report {file}", cli.Time.GetUtcNow(), warnings, parse.GetValue(options.AsOfTime) is null ? null : now)
                    : AuditReport.ForAccount(rows, ReportSource.LiveAccount, null, cli.Time.GetUtcNow(), warnings);
                HtmlReport.Write(cli.Stdout, report);
            }
            else
            {
                AuditWriter.Write(cli.Stdout, rows, format, cli.TableWidth);
            }
            return ExitCodes.For(rows);
        }));
        return command;
    }

    /// <summary>The rows of a credential report; <paramref name="warnings"/> gets what was also written to stderr.</summary>
    private static IReadOnlyList<AuditRow> Offline(CliContext cli, FileInfo file, RuleParameters parameters, DateTimeOffset now, List<string> warnings)
    {
        var report = OfflineReport.Read(file);
        foreach (var problem in report.Problems)
            Warn(cli, warnings, $"{file.Name} line {problem.LineNumber}{(problem.UserName is null ? string.Empty : $" ({problem.UserName})")}: {problem.Message}; that row is reported as {AuditRow.InsufficientData}");
        var rows = report.Users
            .Select(row => AuditRow.From(Evaluator.Evaluate(OfflineReport.State(row), parameters, now)))
            // One row per user: a user on conflicting rows is one finding, not one per line.
            .Concat(report.Problems.GroupBy(p => p.UserName ?? $"(line {p.LineNumber})", StringComparer.OrdinalIgnoreCase).Select(g => new AuditRow(
                g.Key, string.Empty, AuditRow.InsufficientData, $"Unreadable report row: {string.Join("; ", g.Select(p => p.Message).Distinct(StringComparer.Ordinal))}")))
            .ToList();
        if (parameters.ExemptionTagKey.Length > 0 && rows.Any(r => r.Compliance == ComplianceTypeNames.NonCompliant))
            cli.Stderr.WriteLine($"note: a credential report carries no tags, so exemptions by tag {parameters.ExemptionTagKey} are not applied offline.");
        return AuditRow.Ordered(rows);
    }

    /// <summary>One account's sweep, as the Lambda runs it; the rows of users left without a verdict say why.</summary>
    internal static IReadOnlyList<AuditRow> Live(CliContext cli, LiveAccount account, RuleParameters parameters, bool liveOnly, List<string> warnings)
    {
        var assessor = Wiring.Assessor(cli.Iam(account), account.CloudTrail, cli.Time, new AssessorOptions { UseCredentialReport = !liveOnly });
        var sweep = assessor.SweepAsync(parameters, CancellationToken.None, cli.Status).GetAwaiter().GetResult();
        foreach (var warning in sweep.Stats.Warnings) Warn(cli, warnings, warning);
        return AuditRow.Ordered(AuditRow.ForSweep(sweep));
    }

    private static void Warn(CliContext cli, List<string> warnings, string warning)
    {
        cli.Stderr.WriteLine($"warning: {warning}");
        warnings.Add(warning);
    }
}

/// <summary>A credential report file as the offline verbs read it.</summary>
internal static class OfflineReport
{
    public static CredentialReport Read(FileInfo file)
    {
        if (Directory.Exists(file.FullName))
        {
            var csvs = Directory.EnumerateFiles(file.FullName, "*.csv").Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(5).ToList();
            throw new CliException($"credential report {file.FullName} is a directory; name a CSV file" +
                (csvs.Count == 0 ? string.Empty : $" in it, e.g. {Path.Combine(file.ToString(), csvs[0]!)} (there: {string.Join(", ", csvs)})"));
        }
        if (!file.Exists) throw new CliException($"credential report {file.FullName} does not exist");
        return CredentialReport.Parse(File.ReadAllText(file.FullName));
    }

    /// <summary>A report row as state: the report has no tags and no device kinds, which the audit says where it matters.</summary>
    public static UserCredentialState State(CredentialReportRow row) =>
        row.ToState(row.Arn) with { Tags = new Dictionary<string, string>() };
}

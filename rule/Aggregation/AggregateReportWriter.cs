using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MfaConfigRule.Aggregation;

/// <summary>
/// The report as a table for people, or JSON/CSV for pipelines: one row per user, riskiest first, and one row per
/// account the aggregator holds no result for (or could not be read), so no account disappears from any format.
/// </summary>
internal static class AggregateReportWriter
{
    public const string WholeAccount = "(whole account)";
    public const string NoResults = "NO_RESULTS";
    public const string Unreadable = "UNREADABLE";

    public static void WriteTable(TextWriter writer, AggregateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = Rows(report).ToList();
        string[] headers = ["ACCOUNT", "NAME", "USER", "VERDICT", "RECORDED", "WHY"];
        var cells = rows.Select(r => new[] { r.AccountId, r.AccountName ?? "-", r.User, r.Verdict + (r.Stale ? " (stale)" : string.Empty), Time(r.RecordedTime) ?? "-", r.Annotation }).ToList();
        var widths = Enumerable.Range(0, headers.Length - 1).Select(i => Math.Max(headers[i].Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToList();
        string Line(string[] c) => string.Join("  ", c.Take(headers.Length - 1).Select((v, i) => v.PadRight(widths[i]))) + "  " + c[^1];
        writer.WriteLine(Line(headers));
        foreach (var c in cells) writer.WriteLine(Line(c));
        writer.WriteLine();
        writer.WriteLine(Summary(report));
    }

    public static string Summary(AggregateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var counts = report.Users.GroupBy(u => u.Verdict).OrderBy(g => Verdicts.Rank(g.Key)).Select(g => $"{g.Count()} {g.Key}");
        var stale = report.Users.Count(u => u.Stale);
        var missing = report.Accounts.Count(a => a.State == AccountState.NoResults);
        var unreadable = report.Accounts.Count(a => a.State == AccountState.Unreadable);
        return string.Create(CultureInfo.InvariantCulture,
            $"{report.Accounts.Count} accounts, {report.Users.Count} users: {string.Join(", ", counts)}; {stale} stale (older than {report.MaxAge.TotalHours:0.##} h); {missing} account(s) without results; {unreadable} unreadable. Exit {report.ExitCode}.");
    }

    public static void WriteJson(TextWriter writer, AggregateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("aggregator", report.Aggregator);
            json.WriteString("ruleName", report.RuleName);
            json.WriteString("generatedAt", report.GeneratedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteNumber("maxAgeHours", report.MaxAge.TotalHours);
            json.WriteBoolean("accountNamesAvailable", report.NamesAvailable);
            json.WriteStartArray("accounts");
            foreach (var account in report.Accounts)
            {
                json.WriteStartObject();
                json.WriteString("accountId", account.AccountId);
                if (account.Name is null) json.WriteNull("accountName"); else json.WriteString("accountName", account.Name);
                json.WriteString("state", account.State switch { AccountState.NoResults => NoResults, AccountState.Unreadable => Unreadable, _ => "REPORTED" });
                if (account.Error is not null) json.WriteString("error", account.Error);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("users");
            foreach (var user in report.Users)
            {
                json.WriteStartObject();
                json.WriteString("accountId", user.AccountId);
                if (user.AccountName is null) json.WriteNull("accountName"); else json.WriteString("accountName", user.AccountName);
                json.WriteString("user", user.User);
                json.WriteString("userId", user.UserId);
                json.WriteString("verdict", user.Verdict);
                json.WriteString("annotation", user.Annotation);
                if (Time(user.RecordedTime) is { } recorded) json.WriteString("recordedTime", recorded); else json.WriteNull("recordedTime");
                json.WriteBoolean("stale", user.Stale);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    public static void WriteCsv(TextWriter writer, AggregateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        writer.WriteLine("account,account_name,user,user_id,verdict,stale,recorded_time,annotation");
        foreach (var r in Rows(report))
        {
            string[] fields = [r.AccountId, r.AccountName ?? string.Empty, r.User, r.UserId, r.Verdict, r.Stale ? "true" : "false", Time(r.RecordedTime) ?? string.Empty, r.Annotation];
            writer.WriteLine(string.Join(',', fields.Select(CsvField)));
        }
    }

    /// <summary>The users, then a row per account without results or unreadable (user <see cref="WholeAccount"/>).</summary>
    private static IEnumerable<ReportUser> Rows(AggregateReport report) =>
        report.Users.Concat(report.Accounts.Where(a => a.State != AccountState.Reported).Select(a => new ReportUser(
            a.AccountId, a.Name, WholeAccount, string.Empty, a.State == AccountState.NoResults ? NoResults : Unreadable,
            a.State == AccountState.NoResults
                ? "The aggregator holds no result of the rule for this account: the rule is not deployed there, has not run, or its results have not reached the aggregator."
                : $"Could not be read: {a.Error}",
            null, false, null)));

    private static string? Time(DateTimeOffset? time) => time?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string CsvField(string value)
    {
        // A leading =, +, - or @ would run as a formula when the CSV is opened in a spreadsheet.
        var safe = value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal) ? "'" + value : value;
        return safe.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }
}

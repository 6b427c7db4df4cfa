using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Reporting;

/// <summary>
/// A <see cref="Report"/> of results Config recorded (<c>report --aggregator</c>) as a table for people, or JSON/CSV
/// for pipelines: one row per user in the order the report holds them, and one row per account without results or
/// unreadable, so no account disappears from any format. A user without a verdict is <see cref="NoResult"/>, never
/// COMPLIANT. The HTML of the same report is <see cref="HtmlReport"/>.
/// </summary>
internal static class RecordedReportWriter
{
    public const string WholeAccount = "(whole account)";
    public const string NoResults = "NO_RESULTS";
    public const string Unreadable = "UNREADABLE";
    public const string Reported = "REPORTED";

    /// <summary>A user the aggregator discovered but holds no verdict for (no result, or INSUFFICIENT_DATA).</summary>
    public const string NoResult = "NO_RESULT";

    /// <summary>The verdict as these formats spell it.</summary>
    public static string VerdictName(ComplianceType? verdict) => verdict?.ToWire() ?? NoResult;

    /// <summary>Riskiest first: NON_COMPLIANT, then what is not known, then NOT_APPLICABLE, then COMPLIANT.</summary>
    public static int Rank(ComplianceType? verdict) => verdict switch
    {
        ComplianceType.NonCompliant => 0,
        null => 1,
        ComplianceType.NotApplicable => 2,
        _ => 3,
    };

    public static void WriteTable(TextWriter writer, Report report, int exitCode)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        string[] headers = ["ACCOUNT", "NAME", "USER", "VERDICT", "RECORDED", "WHY"];
        var cells = Rows(report).Select(r => new[] { r.AccountId, r.AccountName ?? "-", r.User, r.Verdict + (r.Stale ? " (stale)" : string.Empty), Time(r.RecordedAt) ?? "-", r.Annotation }).ToList();
        var widths = Enumerable.Range(0, headers.Length - 1).Select(i => Math.Max(headers[i].Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToList();
        string Line(string[] c) => string.Join("  ", c.Take(headers.Length - 1).Select((v, i) => v.PadRight(widths[i]))) + "  " + c[^1];
        writer.WriteLine(Line(headers));
        foreach (var c in cells) writer.WriteLine(Line(c));
        writer.WriteLine();
        writer.WriteLine(Summary(report, exitCode));
    }

    public static string Summary(Report report, int exitCode)
    {
        ArgumentNullException.ThrowIfNull(report);
        var totals = report.Totals;
        var counts = report.Users.GroupBy(u => u.Verdict).OrderBy(g => Rank(g.Key)).Select(g => $"{g.Count()} {VerdictName(g.Key)}");
        return string.Create(CultureInfo.InvariantCulture,
            $"{totals.Accounts} accounts, {totals.Users} users: {string.Join(", ", counts)}; {totals.Stale} stale (older than {(report.MaxAge ?? TimeSpan.Zero).TotalHours:0.##} h); {totals.AccountsWithoutResults} account(s) without results; {totals.AccountsUnreachable} unreadable{(totals.PresumedNotApplicable > 0 ? $"; {totals.PresumedNotApplicable} without a result presumed NOT_APPLICABLE (--aggregator-drops-not-applicable)" : string.Empty)}. Exit {exitCode}.");
    }

    public static void WriteJson(TextWriter writer, Report report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        var names = AccountNames(report);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("aggregator", report.Aggregator ?? string.Empty);
            json.WriteString("ruleName", report.RuleName ?? string.Empty);
            json.WriteString("generatedAt", Time(report.GeneratedAt));
            json.WriteNumber("maxAgeHours", (report.MaxAge ?? TimeSpan.Zero).TotalHours);
            json.WriteBoolean("accountNamesAvailable", report.AccountNamesKnown);
            json.WriteStartArray("accounts");
            foreach (var account in report.Accounts)
            {
                json.WriteStartObject();
                json.WriteString("accountId", account.AccountId);
                WriteNullable(json, "accountName", account.Name);
                json.WriteString("state", State(account.Status));
                if (account.Status == AccountStatus.Unreachable) json.WriteString("error", account.Reason ?? string.Empty);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("users");
            foreach (var user in report.Users)
            {
                json.WriteStartObject();
                json.WriteString("accountId", user.AccountId);
                WriteNullable(json, "accountName", names.GetValueOrDefault(user.AccountId));
                json.WriteString("user", user.User);
                json.WriteString("userId", user.UserId ?? string.Empty);
                json.WriteString("verdict", VerdictName(user.Verdict));
                json.WriteString("annotation", user.Annotation);
                WriteNullable(json, "recordedTime", Time(user.RecordedAt));
                json.WriteBoolean("stale", user.Stale);
                json.WriteBoolean("presumedNotApplicable", user.PresumedNotApplicable);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    public static void WriteCsv(TextWriter writer, Report report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        writer.WriteLine("account,account_name,user,user_id,verdict,stale,recorded_time,annotation");
        foreach (var r in Rows(report))
        {
            string[] fields = [r.AccountId, r.AccountName ?? string.Empty, r.User, r.UserId, r.Verdict, r.Stale ? "true" : "false", Time(r.RecordedAt) ?? string.Empty, r.Annotation];
            writer.WriteLine(string.Join(',', fields.Select(Csv.Field)));
        }
    }

    /// <summary>A line of the table or the CSV.</summary>
    private sealed record Row(string AccountId, string? AccountName, string User, string UserId, string Verdict, string Annotation, DateTimeOffset? RecordedAt, bool Stale);

    /// <summary>The users, then a row per account without results or unreadable (user <see cref="WholeAccount"/>).</summary>
    private static IEnumerable<Row> Rows(Report report)
    {
        var names = AccountNames(report);
        return report.Users.Select(u => new Row(u.AccountId, names.GetValueOrDefault(u.AccountId), u.User, u.UserId ?? string.Empty, VerdictName(u.Verdict), u.Annotation, u.RecordedAt, u.Stale))
            .Concat(report.Accounts.Where(a => a.Status != AccountStatus.Evaluated).Select(a => new Row(
                a.AccountId, a.Name, WholeAccount, string.Empty, a.Status == AccountStatus.NoResults ? NoResults : Unreadable,
                a.Status == AccountStatus.NoResults ? a.Reason ?? string.Empty : $"Could not be read: {a.Reason}", null, false)));
    }

    private static Dictionary<string, string?> AccountNames(Report report)
    {
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var account in report.Accounts) names.TryAdd(account.AccountId, account.Name);
        return names;
    }

    private static string State(AccountStatus status) => status switch
    {
        AccountStatus.NoResults => NoResults,
        AccountStatus.Unreachable => Unreadable,
        _ => Reported,
    };

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    private static string? Time(DateTimeOffset? time) => time?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

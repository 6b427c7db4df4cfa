using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Cli;

/// <summary>Writes audit rows as a table for people, or JSON/CSV for pipelines.</summary>
internal static class AuditWriter
{
    /// <summary>Narrower than this, a wrapped WHY column would be harder to read than a long line.</summary>
    private const int NarrowestWrappedColumn = 24;

    /// <summary>
    /// <paramref name="width"/> is the terminal's width, 0 when stdout is not a terminal: the table's WHY column is then
    /// wrapped to fit it; a pipe or a file gets one line per user.
    /// </summary>
    public static void Write(TextWriter writer, IReadOnlyList<AuditRow> rows, OutputFormat format, int width = 0)
    {
        switch (format)
        {
            case OutputFormat.Json: WriteJson(writer, rows); break;
            case OutputFormat.Csv: WriteCsv(writer, rows); break;
            case OutputFormat.Html: throw new ArgumentException("HTML is written from a Reporting.Report (AuditReport), not from rows", nameof(format));
            default: WriteTable(writer, rows, width); break;
        }
    }

    public static string Summary(IReadOnlyList<AuditRow> rows)
    {
        var counts = rows.GroupBy(r => r.Compliance).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
        return $"{rows.Count} users: {string.Join(", ", counts)}";
    }

    /// <summary>What the exit code will be, what it means, and what to do next.</summary>
    public static string NextStep(IReadOnlyList<AuditRow> rows)
    {
        var undecided = rows.Count(r => r.Compliance == AuditRow.InsufficientData);
        var nonCompliant = rows.Count(r => r.Compliance == ComplianceTypeNames.NonCompliant);
        return ExitCodes.For(rows) switch
        {
            ExitCodes.Error => $"Exit {ExitCodes.Error}: {undecided} user(s) got no verdict ({AuditRow.InsufficientData}); WHY says what was missing. Fix that and run again" +
                (nonCompliant > 0 ? $"; {nonCompliant} user(s) are NON_COMPLIANT as well." : "."),
            ExitCodes.NonCompliant => $"Exit {ExitCodes.NonCompliant}: {nonCompliant} user(s) can sign in to the console without an accepted MFA device (listed first, riskiest first). " +
                "Enrol a device for each (mfa-config-rule enroll USER), or exempt them (--exempt-user-names, the exemption tag).",
            _ => $"Exit {ExitCodes.Clean}: no user with a console password lacks an accepted MFA device.",
        };
    }

    private static void WriteJson(TextWriter writer, IReadOnlyList<AuditRow> rows) => WriteJson(writer, [.. rows.Select(r => (Account: (string?)null, Row: r))]);

    private static void WriteCsv(TextWriter writer, IReadOnlyList<AuditRow> rows) => WriteCsv(writer, [.. rows.Select(r => (Account: (string?)null, Row: r))]);

    /// <summary>JSON for one account's rows, or several accounts' (each row then carries its <c>account</c> first).</summary>
    internal static void WriteJson(TextWriter writer, IReadOnlyList<(string? Account, AuditRow Row)> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var (account, row) in rows)
            {
                json.WriteStartObject();
                if (account is not null) json.WriteString("account", account);
                json.WriteString("user", row.User);
                json.WriteString("arn", row.Arn);
                json.WriteString("compliance", row.Compliance);
                json.WriteString("annotation", row.Annotation);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>CSV for one account's rows, or several accounts' (with an <c>account</c> column first).</summary>
    internal static void WriteCsv(TextWriter writer, IReadOnlyList<(string? Account, AuditRow Row)> rows)
    {
        var withAccount = rows.Any(r => r.Account is not null);
        writer.WriteLine(withAccount ? "account,user,arn,compliance,annotation" : "user,arn,compliance,annotation");
        foreach (var (account, row) in rows)
        {
            var fields = new[] { row.User, row.Arn, row.Compliance, row.Annotation };
            writer.WriteLine(string.Join(',', (withAccount ? fields.Prepend(account ?? string.Empty) : fields).Select(Reporting.Csv.Field)));
        }
    }


    private static void WriteTable(TextWriter writer, IReadOnlyList<AuditRow> rows, int width)
    {
        const string userHeader = "USER", verdictHeader = "COMPLIANCE", whyHeader = "WHY";
        var userWidth = Math.Max(userHeader.Length, rows.Count == 0 ? 0 : rows.Max(r => r.User.Length));
        var verdictWidth = Math.Max(verdictHeader.Length, rows.Count == 0 ? 0 : rows.Max(r => r.Compliance.Length));
        var indent = userWidth + 2 + verdictWidth + 2;
        // Leave the last column free: a line exactly as wide as the terminal wraps on some terminals.
        var whyWidth = width - indent - 1;
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{userHeader.PadRight(userWidth)}  {verdictHeader.PadRight(verdictWidth)}  {whyHeader}"));
        foreach (var row in rows)
        {
            var lines = width > 0 && whyWidth >= NarrowestWrappedColumn ? Wrap(row.Annotation, whyWidth) : [row.Annotation];
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.User.PadRight(userWidth)}  {row.Compliance.PadRight(verdictWidth)}  {lines[0]}"));
            foreach (var line in lines.Skip(1)) writer.WriteLine(new string(' ', indent) + line);
        }
        writer.WriteLine();
        writer.WriteLine(Summary(rows));
        foreach (var line in width > 0 && width - 1 >= NarrowestWrappedColumn ? Wrap(NextStep(rows), width - 1) : [NextStep(rows)]) writer.WriteLine(line);
    }

    /// <summary>Words into lines of at most <paramref name="width"/> characters; a longer word (an ARN) is cut.</summary>
    internal static IReadOnlyList<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = word;
            while (rest.Length > 0)
            {
                var room = line.Length == 0 ? width : width - line.Length - 1;
                if (rest.Length <= room)
                {
                    if (line.Length > 0) line.Append(' ');
                    line.Append(rest);
                    rest = string.Empty;
                }
                else if (line.Length > 0)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                }
                else
                {
                    lines.Add(rest[..width]);
                    rest = rest[width..];
                }
            }
        }
        if (line.Length > 0 || lines.Count == 0) lines.Add(line.ToString());
        return lines;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Cli;

/// <summary>One line of an audit: a verdict, or INSUFFICIENT_DATA where the evidence could not decide one.</summary>
internal sealed record AuditRow(string User, string Arn, string Compliance, string Annotation)
{
    public const string InsufficientData = "INSUFFICIENT_DATA";

    public static AuditRow From(Assessment assessment) => new(
        assessment.User.UserName,
        assessment.User.Arn,
        assessment.Compliance?.ToWire() ?? InsufficientData,
        assessment.Annotation);

    /// <summary>What needs action first: NON_COMPLIANT, then undecided, COMPLIANT, NOT_APPLICABLE; by user name within each.</summary>
    public static IReadOnlyList<AuditRow> Ordered(IEnumerable<AuditRow> rows) =>
        [.. rows.OrderBy(r => Rank(r.Compliance)).ThenBy(r => r.User, StringComparer.Ordinal)];

    internal static int Rank(string compliance) => compliance switch
    {
        ComplianceTypeNames.NonCompliant => 0,
        InsufficientData => 1,
        ComplianceTypeNames.Compliant => 2,
        _ => 3,
    };
}

internal enum OutputFormat
{
    Table,
    Json,
    Csv,
}

/// <summary>Writes audit rows as a table for people, or JSON/CSV for pipelines.</summary>
internal static class AuditWriter
{
    public static void Write(TextWriter writer, IReadOnlyList<AuditRow> rows, OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.Json: WriteJson(writer, rows); break;
            case OutputFormat.Csv: WriteCsv(writer, rows); break;
            default: WriteTable(writer, rows); break;
        }
    }

    public static string Summary(IReadOnlyList<AuditRow> rows)
    {
        var counts = rows.GroupBy(r => r.Compliance).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
        return $"{rows.Count} users: {string.Join(", ", counts)}";
    }

    private static void WriteJson(TextWriter writer, IReadOnlyList<AuditRow> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                json.WriteStartObject();
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

    private static void WriteCsv(TextWriter writer, IReadOnlyList<AuditRow> rows)
    {
        writer.WriteLine("user,arn,compliance,annotation");
        foreach (var row in rows)
            writer.WriteLine(string.Join(',', CsvField(row.User), CsvField(row.Arn), CsvField(row.Compliance), CsvField(row.Annotation)));
    }

    internal static string CsvField(string value)
    {
        // A leading =, +, - or @ would run as a formula when the CSV is opened in a spreadsheet.
        var safe = value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal) ? "'" + value : value;
        return safe.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }

    private static void WriteTable(TextWriter writer, IReadOnlyList<AuditRow> rows)
    {
        const string userHeader = "USER", verdictHeader = "COMPLIANCE", whyHeader = "WHY";
        var userWidth = Math.Max(userHeader.Length, rows.Count == 0 ? 0 : rows.Max(r => r.User.Length));
        var verdictWidth = Math.Max(verdictHeader.Length, rows.Count == 0 ? 0 : rows.Max(r => r.Compliance.Length));
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{userHeader.PadRight(userWidth)}  {verdictHeader.PadRight(verdictWidth)}  {whyHeader}"));
        foreach (var row in rows)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.User.PadRight(userWidth)}  {row.Compliance.PadRight(verdictWidth)}  {row.Annotation}"));
        writer.WriteLine();
        writer.WriteLine(Summary(rows));
    }
}

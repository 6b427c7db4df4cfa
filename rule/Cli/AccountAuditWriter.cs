using System.Globalization;

namespace MfaConfigRule.Cli;

/// <summary>The multi-account report: the single-account formats with an <c>account</c> column first.</summary>
internal static class AccountAuditWriter
{
    public static void Write(TextWriter writer, IReadOnlyList<AccountRow> rows, OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.Json: AuditWriter.WriteJson(writer, [.. rows.Select(r => ((string?)r.Account, r.Row))]); break;
            case OutputFormat.Csv: AuditWriter.WriteCsv(writer, [.. rows.Select(r => ((string?)r.Account, r.Row))]); break;
            case OutputFormat.Html: throw new ArgumentException("HTML is written from a Reporting.Report (AuditReport), not from rows", nameof(format));
            default: WriteTable(writer, rows); break;
        }
    }

    private static void WriteTable(TextWriter writer, IReadOnlyList<AccountRow> rows)
    {
        const string accountHeader = "ACCOUNT", userHeader = "USER", verdictHeader = "COMPLIANCE", whyHeader = "WHY";
        var userWidth = Math.Max(userHeader.Length, rows.Count == 0 ? 0 : rows.Max(r => r.Row.User.Length));
        var verdictWidth = Math.Max(verdictHeader.Length, rows.Count == 0 ? 0 : rows.Max(r => r.Row.Compliance.Length));
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{accountHeader,-12}  {userHeader.PadRight(userWidth)}  {verdictHeader.PadRight(verdictWidth)}  {whyHeader}"));
        foreach (var (account, row) in rows)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{account,-12}  {row.User.PadRight(userWidth)}  {row.Compliance.PadRight(verdictWidth)}  {row.Annotation}"));
        writer.WriteLine();
        var accounts = rows.Select(r => r.Account).Distinct(StringComparer.Ordinal).Count();
        var unreachable = rows.Count(r => r.Row.User == OrganizationEvaluate.WholeAccount);
        writer.WriteLine($"{accounts} accounts ({unreachable} not read): " + AuditWriter.Summary([.. rows.Where(r => r.Row.User != OrganizationEvaluate.WholeAccount).Select(r => r.Row)]));
    }
}

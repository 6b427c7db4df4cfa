namespace MfaConfigRule.Reporting;

/// <summary>CSV fields as every CSV output of the CLI writes them.</summary>
internal static class Csv
{
    /// <summary>A field quoted where it must be, and defused where a spreadsheet would run it as a formula.</summary>
    public static string Field(string value)
    {
        // A leading =, +, - or @ would run as a formula when the CSV is opened in a spreadsheet.
        var safe = value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal) ? "'" + value : value;
        return safe.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }
}

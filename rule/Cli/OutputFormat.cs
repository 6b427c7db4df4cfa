namespace MfaConfigRule.Cli;

internal enum OutputFormat
{
    Table,
    Json,
    Csv,

    /// <summary>One self-contained HTML file (<see cref="Reporting.HtmlReport"/>): evaluate and report only.</summary>
    Html,
}

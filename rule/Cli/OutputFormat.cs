namespace MfaConfigRule.Cli;

internal enum OutputFormat
{
    Table,
    Json,
    Csv,
}

namespace MfaConfigRule.Logging;

/// <summary>Severity of a log line, in increasing order; the names are the ones Lambda's JSON log format uses.</summary>
internal enum LogLevel
{
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
}

internal static class LogLevels
{
    public static string Name(LogLevel level) => level switch
    {
        LogLevel.Debug => "DEBUG",
        LogLevel.Info => "INFO",
        LogLevel.Warn => "WARN",
        LogLevel.Error => "ERROR",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>
    /// Reads a level as people and Lambda write it. Lambda's advanced logging controls also use TRACE and FATAL
    /// (<c>AWS_LAMBDA_LOG_LEVEL</c>); they map to the nearest level this logger has.
    /// </summary>
    public static bool TryParse(string? text, out LogLevel level)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "TRACE" or "DEBUG":
                level = LogLevel.Debug;
                return true;
            case "INFO" or "INFORMATION":
                level = LogLevel.Info;
                return true;
            case "WARN" or "WARNING":
                level = LogLevel.Warn;
                return true;
            case "ERROR" or "FATAL" or "CRITICAL":
                level = LogLevel.Error;
                return true;
            default:
                level = LogLevel.Info;
                return false;
        }
    }
}

using System.Globalization;

namespace MfaConfigRule.Compliance;

/// <summary>
/// Reads the timestamps AWS writes (ISO 8601, with or without an offset; one without is UTC) and the CLI's
/// <c>--as-of</c>, always as UTC. Callers keep their own message for text that is not a time.
/// </summary>
internal static class UtcTime
{
    public static bool TryParse(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}

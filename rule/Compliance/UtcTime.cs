using System.Globalization;

namespace MfaConfigRule.Compliance;

/// <summary>
/// Reads the timestamps AWS writes (ISO 8601, with or without an offset; one without is UTC) and the CLI's
/// <c>--as-of</c>, always as UTC. Callers keep their own message for text that is not a time.
/// Also the date arithmetic on values a person or a report can set (a tag's date, a password date, a grace period):
/// it saturates at the ends of <see cref="DateTimeOffset"/>'s range instead of throwing, so no such value can make an
/// evaluation fail.
/// </summary>
internal static class UtcTime
{
    public static bool TryParse(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    /// <summary>
    /// The end of <paramref name="date"/> in UTC: midnight starting the next day. For 9999-12-31, the last day
    /// representable, the end is <see cref="DateTimeOffset.MaxValue"/> (one tick earlier, which no comparison notices).
    /// </summary>
    public static DateTimeOffset EndOfDay(DateOnly date) =>
        date == DateOnly.MaxValue
            ? DateTimeOffset.MaxValue
            : new DateTimeOffset(date.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary><paramref name="time"/> + <paramref name="span"/> in UTC, held at the ends of the range instead of overflowing.</summary>
    public static DateTimeOffset AddSaturating(DateTimeOffset time, TimeSpan span)
    {
        // In UTC: an offset would make the local clock overflow before the instant does.
        var utc = time.ToUniversalTime();
        if (span >= TimeSpan.Zero)
            return DateTimeOffset.MaxValue - utc <= span ? DateTimeOffset.MaxValue : utc + span;
        return span <= DateTimeOffset.MinValue - utc ? DateTimeOffset.MinValue : utc + span;
    }
}

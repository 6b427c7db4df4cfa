using CsCheck;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Tests.Compliance;

public sealed class UtcTimeTests
{
    [Fact]
    public void EndOfDay_AnyDay_IsMidnightUtcStartingTheNext()
    {
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), UtcTime.EndOfDay(new DateOnly(2026, 11, 29)));
        Assert.Equal(new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero), UtcTime.EndOfDay(new DateOnly(9999, 12, 30)));
    }

    [Fact]
    public void EndOfDay_LastRepresentableDay_IsTheEndOfTimeInsteadOfOverflowing()
    {
        Assert.Equal(DateTimeOffset.MaxValue, UtcTime.EndOfDay(DateOnly.MaxValue));
    }

    [Fact]
    public void AddSaturating_WithinRange_IsTheSum()
    {
        var time = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(time.AddHours(72), UtcTime.AddSaturating(time, TimeSpan.FromHours(72)));
        Assert.Equal(time.AddHours(-72), UtcTime.AddSaturating(time, TimeSpan.FromHours(-72)));
    }

    [Fact]
    public void AddSaturating_PastEitherEnd_HoldsAtThatEnd()
    {
        Assert.Equal(DateTimeOffset.MaxValue, UtcTime.AddSaturating(DateTimeOffset.MaxValue.AddHours(-1), TimeSpan.FromHours(24)));
        Assert.Equal(DateTimeOffset.MaxValue, UtcTime.AddSaturating(DateTimeOffset.MaxValue, TimeSpan.MaxValue));
        Assert.Equal(DateTimeOffset.MinValue, UtcTime.AddSaturating(DateTimeOffset.MinValue.AddHours(1), TimeSpan.FromHours(-24)));
        Assert.Equal(DateTimeOffset.MinValue, UtcTime.AddSaturating(DateTimeOffset.MinValue, TimeSpan.MinValue));
    }

    [Fact]
    public void AddSaturating_TimeWithAnOffsetNearTheEnd_IsComputedInUtc()
    {
        // 9999-12-31 20:00 +05:00 is 15:00 UTC: five hours later is still inside the range, though the local clock is not.
        var time = new DateTimeOffset(9999, 12, 31, 20, 0, 0, TimeSpan.FromHours(5));

        var sum = UtcTime.AddSaturating(time, TimeSpan.FromHours(5));

        Assert.Equal(new DateTimeOffset(9999, 12, 31, 20, 0, 0, TimeSpan.Zero), sum);
        Assert.Equal(TimeSpan.Zero, sum.Offset);
    }

    [Fact]
    public void AddSaturating_AnyTimeAndSpan_NeverThrowsAndStaysInOrder()
    {
        Gen.Select(Gen.Long[DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks], Gen.Long, Gen.Int[-14 * 60, 14 * 60])
            .Sample((ticks, spanTicks, offsetMinutes) =>
            {
                var utc = new DateTimeOffset(ticks, TimeSpan.Zero);
                var offset = TimeSpan.FromMinutes(offsetMinutes);
                var time = utc.UtcDateTime.Ticks + offset.Ticks is var local && local >= DateTime.MinValue.Ticks && local <= DateTime.MaxValue.Ticks
                    ? utc.ToOffset(offset)
                    : utc;
                var span = new TimeSpan(spanTicks);
                var sum = UtcTime.AddSaturating(time, span);
                return span >= TimeSpan.Zero ? sum >= time : sum <= time;
            }, iter: 5000);
    }
}

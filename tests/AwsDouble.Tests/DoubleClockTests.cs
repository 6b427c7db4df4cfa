using Microsoft.Extensions.Time.Testing;

namespace AwsDouble.Tests;

/// <summary>The double's clock: held or following real time, and movable by hand in both modes.</summary>
public sealed class DoubleClockTests
{
    [Fact]
    public void HeldClock_Advance_MovesOnlyWhenTold()
    {
        var wall = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var clock = new DoubleClock(wall: wall);

        wall.Advance(TimeSpan.FromHours(1));
        var still = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromHours(4));

        Assert.Equal(DoubleClock.DefaultStart, still);
        Assert.Equal(DoubleClock.DefaultStart.AddHours(4), clock.GetUtcNow());
    }

    [Fact]
    public void FollowingRealTime_MovesWithTheWallAndKeepsWhatAdvanceAdded()
    {
        var wall = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var clock = DoubleClock.FollowingRealTime(wall);

        clock.Advance(TimeSpan.FromHours(4));
        wall.Advance(TimeSpan.FromMinutes(10));

        Assert.True(clock.FollowsRealTime);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 4, 10, 0, TimeSpan.Zero), clock.GetUtcNow());
    }

    [Fact]
    public void Set_HoldsTheClockAgainEvenWhenItWasFollowingRealTime()
    {
        var wall = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var clock = DoubleClock.FollowingRealTime(wall);
        var instant = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.FromHours(2));

        clock.Set(instant);
        wall.Advance(TimeSpan.FromDays(1));

        Assert.False(clock.FollowsRealTime);
        Assert.Equal(instant, clock.GetUtcNow());
        Assert.Equal(TimeSpan.Zero, clock.GetUtcNow().Offset);
    }
}

namespace AwsDouble;

/// <summary>
/// The double's sense of "now": credential-report ages, CloudTrail lag, Config's once-a-minute limit and temporary
/// credential expiry all read it. Tests hold it still and move it by hand; the runnable server can follow real time
/// and still be pushed forward (say, four hours to make a credential report stale).
/// </summary>
public sealed class DoubleClock : TimeProvider
{
    /// <summary>Where a held clock starts when nobody says otherwise: a fixed instant so that runs repeat.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 15, 9, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly TimeProvider _wall;
    private DateTimeOffset _held;
    private TimeSpan _offset;
    private bool _followsRealTime;

    /// <summary>A clock held at <paramref name="start"/> until set or advanced.</summary>
    public DoubleClock(DateTimeOffset? start = null, TimeProvider? wall = null)
    {
        _wall = wall ?? TimeProvider.System;
        _held = (start ?? DefaultStart).ToUniversalTime();
    }

    /// <summary>A clock that moves with real time, shifted by whatever <see cref="Advance"/> adds.</summary>
    public static DoubleClock FollowingRealTime(TimeProvider? wall = null)
    {
        var source = wall ?? TimeProvider.System;
        var clock = new DoubleClock(source.GetUtcNow(), source);
        clock.FollowRealTime();
        return clock;
    }

    public bool FollowsRealTime
    {
        get
        {
            lock (_gate) return _followsRealTime;
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _followsRealTime ? _wall.GetUtcNow() + _offset : _held;
    }

    /// <summary>Moves the clock forward (or back, with a negative span) in either mode.</summary>
    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            if (_followsRealTime) _offset += by;
            else _held += by;
        }
    }

    /// <summary>Holds the clock at <paramref name="now"/>.</summary>
    public void Set(DateTimeOffset now)
    {
        lock (_gate)
        {
            _followsRealTime = false;
            _held = now.ToUniversalTime();
        }
    }

    /// <summary>Lets the clock run with real time from where it is now.</summary>
    public void FollowRealTime()
    {
        lock (_gate)
        {
            if (_followsRealTime) return;
            _offset = _held - _wall.GetUtcNow();
            _followsRealTime = true;
        }
    }
}

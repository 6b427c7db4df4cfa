namespace MfaConfigRule.Trigger;

/// <summary>When Config last accepted and refused a start of one rule, as this instance saw it; safe across threads.</summary>
internal sealed class StartMemory
{
    private readonly Lock _gate = new();
    private StartHistory _history = StartHistory.None;

    public StartHistory Current
    {
        get
        {
            lock (_gate) return _history;
        }
    }

    public void Accepted(DateTimeOffset askedAt)
    {
        lock (_gate)
            if (_history.LastAccepted is not { } last || askedAt > last) _history = _history with { LastAccepted = askedAt };
    }

    public void Refused(DateTimeOffset at)
    {
        lock (_gate)
            if (_history.LastRefused is not { } last || at > last) _history = _history with { LastRefused = at };
    }
}

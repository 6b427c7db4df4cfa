using MfaConfigRule.Aws;

namespace MfaConfigRule.Functions;

/// <summary>
/// What one invocation cost, for its log line: the AWS requests sent since it started, per operation, and how long it
/// has run. Started when the handler takes the event; read when the line is written.
/// </summary>
internal sealed class InvocationMeter
{
    private readonly ApiCallCounter _calls;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly IReadOnlyDictionary<string, int> _before;

    private InvocationMeter(ApiCallCounter calls, TimeProvider time)
    {
        _calls = calls;
        _time = time;
        _started = time.GetTimestamp();
        _before = calls.Snapshot();
    }

    public static InvocationMeter Start(ApiCallCounter calls, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(time);
        return new InvocationMeter(calls, time);
    }

    /// <summary>The requests sent since the start, per operation (the <c>apiCalls</c> field).</summary>
    public SortedDictionary<string, int> ApiCalls => _calls.Since(_before);

    /// <summary>Whole milliseconds since the start (the <c>durationMs</c> field).</summary>
    public int DurationMs => (int)_time.GetElapsedTime(_started).TotalMilliseconds;
}

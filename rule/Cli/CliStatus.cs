using System.Globalization;
using MfaConfigRule.Aws;

namespace MfaConfigRule.Cli;

/// <summary>
/// What a long run is doing, on stderr: "assessed N/M users" for sweeps of 50 users or more, and what it waits for
/// (IAM generating the credential report, retries after throttling). On a terminal the count is one line redrawn with
/// <c>\r</c>; anywhere else (a pipe, a log) it is a plain line at every tenth, so a log holds no control characters.
/// Written synchronously under a lock (not via <see cref="Progress{T}"/>, which posts to the thread pool) so lines never
/// come out of order or after the result.
/// </summary>
internal sealed class CliStatus(TextWriter stderr, bool isTerminal, TimeProvider time) : IProgress<(int Done, int Total)>
{
    private const int MinimumUsers = 50;
    private const int TerminalStep = 50;
    private static readonly TimeSpan RetryNoteInterval = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private readonly HashSet<string> _waits = new(StringComparer.Ordinal);
    private int _shown;
    private bool _lineOpen;
    private int _retries;
    private DateTimeOffset _lastRetryNote = DateTimeOffset.MinValue;

    public void Report((int Done, int Total) value)
    {
        if (value.Total < MinimumUsers) return;
        var step = isTerminal ? TerminalStep : Math.Max(1, value.Total / 10);
        if (value.Done % step != 0 && value.Done != value.Total) return;
        lock (_gate)
        {
            // Counts are reported from parallel workers: a late, smaller one would overwrite a later line.
            if (value.Done <= _shown) return;
            _shown = value.Done;
            var text = string.Create(CultureInfo.InvariantCulture, $"assessed {value.Done}/{value.Total} users");
            if (isTerminal)
            {
                stderr.Write("\r" + text);
                _lineOpen = value.Done != value.Total;
                if (!_lineOpen) stderr.WriteLine();
            }
            else
            {
                stderr.WriteLine(text);
            }
        }
    }

    /// <summary>Says once what the run now waits for.</summary>
    public void Waiting(string what)
    {
        lock (_gate)
        {
            if (_waits.Add(what)) Line($"waiting for {what}");
        }
    }

    /// <summary>A retry after throttling or a server error: the first at once, then a running count every 10 seconds.</summary>
    public void Retrying(AwsRetryNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        lock (_gate)
        {
            _retries++;
            var now = time.GetUtcNow();
            if (now - _lastRetryNote < RetryNoteInterval) return;
            _lastRetryNote = now;
            Line(_retries == 1
                ? string.Create(CultureInfo.InvariantCulture, $"{notice.Service} {notice.Operation} answered {notice.ErrorCode}; retrying with backoff (attempt {notice.Attempt + 1} of {notice.MaxAttempts}, next in {notice.Delay.TotalSeconds:0.0} s)")
                : string.Create(CultureInfo.InvariantCulture, $"still retrying: {_retries} retries so far (last: {notice.Service} {notice.Operation} {notice.ErrorCode}); a request gives up after {notice.MaxAttempts} attempts"));
        }
    }

    private void Line(string text)
    {
        if (_lineOpen) stderr.WriteLine();
        _lineOpen = false;
        stderr.WriteLine(text);
    }
}

using System.Collections.Concurrent;

namespace MfaConfigRule.Aws;

/// <summary>
/// How many HTTP requests each operation sent (retries included), keyed <c>service:Operation</c> as in IAM policy
/// actions (<c>iam:ListUsers</c>). The logs print it so a run's cost and throttling exposure are visible. Thread-safe.
/// </summary>
internal sealed class ApiCallCounter
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Increment(string service, string operation) =>
        _counts.AddOrUpdate($"{service}:{operation}", 1, static (_, count) => count + 1);

    /// <summary>A copy, sorted by key, that later calls do not change.</summary>
    public IReadOnlyDictionary<string, int> Snapshot() => new SortedDictionary<string, int>(_counts, StringComparer.Ordinal);

    public int Total => _counts.Values.Sum();

    /// <summary>Calls made since <paramref name="before"/> was taken: one invocation's share of a process-wide count.</summary>
    public SortedDictionary<string, int> Since(IReadOnlyDictionary<string, int> before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var delta = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (operation, count) in Snapshot())
        {
            var added = count - before.GetValueOrDefault(operation);
            if (added > 0) delta[operation] = added;
        }
        return delta;
    }
}

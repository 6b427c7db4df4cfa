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
}

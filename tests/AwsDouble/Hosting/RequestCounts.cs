using System.Collections.Concurrent;

namespace AwsDouble.Hosting;

/// <summary>
/// Every signed request the double answered, by <c>service:Operation</c> (as the rule's own counter names them), faults
/// included: what a process outside the test (the published binary) cost in API calls.
/// </summary>
public sealed class RequestCounts
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    internal void Add(string service, string operation) => _counts.AddOrUpdate($"{service}:{operation}", 1, (_, n) => n + 1);

    public IReadOnlyDictionary<string, int> Snapshot() => new SortedDictionary<string, int>(_counts, StringComparer.Ordinal);

    /// <summary>Requests to one service (<c>iam</c>, <c>config</c>, <c>cloudtrail</c>, <c>sts</c>).</summary>
    public int Of(string service) => _counts.Where(c => c.Key.StartsWith(service + ":", StringComparison.Ordinal)).Sum(c => c.Value);

    public void Clear() => _counts.Clear();
}

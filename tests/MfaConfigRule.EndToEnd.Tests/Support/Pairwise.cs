namespace MfaConfigRule.EndToEnd.Tests.Support;

/// <summary>One factor of a test matrix: a name and its values (the first is the default, used where any value would do).</summary>
internal sealed record Factor(string Name, IReadOnlyList<string> Values);

/// <summary>
/// A small all-pairs generator: rows such that every value of every factor meets every value of every other factor in at
/// least one row. Greedy and deterministic: each row starts from the first pair not yet covered and fills the other
/// factors with the value that covers the most new pairs (the earlier value on a tie), so a matrix is the same on every
/// run and its test names are stable. A pair the caller excludes is neither required nor generated.
/// </summary>
internal static class Pairwise
{
    /// <param name="factors">The factors, each with its values.</param>
    /// <param name="excluded">Pairs of (factor, value) that must not meet in a row; null: none.</param>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Rows(IReadOnlyList<Factor> factors, Func<(string Factor, string Value), (string Factor, string Value), bool>? excluded = null)
    {
        ArgumentNullException.ThrowIfNull(factors);
        if (factors.Count == 0 || factors.Any(f => f.Values.Count == 0)) throw new ArgumentException("every factor needs at least one value", nameof(factors));
        bool Excluded(int f, int v, int g, int w) =>
            excluded is not null && (excluded((factors[f].Name, factors[f].Values[v]), (factors[g].Name, factors[g].Values[w]))
                || excluded((factors[g].Name, factors[g].Values[w]), (factors[f].Name, factors[f].Values[v])));
        var uncovered = AllPairs(factors).Where(p => !Excluded(p.A, p.AValue, p.B, p.BValue)).ToHashSet();
        var rows = new List<IReadOnlyDictionary<string, string>>();
        if (factors.Count == 1)
            return factors[0].Values.Select(v => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [factors[0].Name] = v }).ToList();
        while (uncovered.Count > 0)
        {
            var seed = uncovered.OrderBy(p => p.A).ThenBy(p => p.B).ThenBy(p => p.AValue).ThenBy(p => p.BValue).First();
            var row = new int[factors.Count];
            Array.Fill(row, -1);
            row[seed.A] = seed.AValue;
            row[seed.B] = seed.BValue;
            for (var f = 0; f < factors.Count; f++)
            {
                if (row[f] >= 0) continue;
                var best = -1;
                var bestGain = -1;
                for (var v = 0; v < factors[f].Values.Count; v++)
                {
                    var gain = 0;
                    for (var g = 0; g < factors.Count; g++)
                    {
                        if (g == f || row[g] < 0) continue;
                        if (Excluded(f, v, g, row[g])) gain = int.MinValue / 2;
                        if (uncovered.Contains(Pair(f, v, g, row[g]))) gain++;
                    }
                    if (gain < 0) continue;
                    if (gain > bestGain) (best, bestGain) = (v, gain);
                }
                row[f] = best >= 0 ? best : throw new InvalidOperationException($"no value of {factors[f].Name} fits a row with the exclusions");
            }
            for (var a = 0; a < factors.Count; a++)
                for (var b = a + 1; b < factors.Count; b++)
                    uncovered.Remove(new ValuePair(a, row[a], b, row[b]));
            rows.Add(factors.Select((factor, i) => (factor.Name, Value: factor.Values[row[i]])).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal));
        }
        return rows;
    }

    /// <summary>The pairs of values (factor a, value, factor b, value) that <paramref name="rows"/> do not cover.</summary>
    public static IReadOnlyList<string> Missing(IReadOnlyList<Factor> factors, IEnumerable<IReadOnlyDictionary<string, string>> rows,
        Func<(string Factor, string Value), (string Factor, string Value), bool>? excluded = null)
    {
        var seen = rows.SelectMany(row =>
            from a in Enumerable.Range(0, factors.Count)
            from b in Enumerable.Range(a + 1, factors.Count - a - 1)
            select $"{factors[a].Name}={row[factors[a].Name]} & {factors[b].Name}={row[factors[b].Name]}").ToHashSet(StringComparer.Ordinal);
        return AllPairs(factors)
            .Where(p => excluded is null || !excluded((factors[p.A].Name, factors[p.A].Values[p.AValue]), (factors[p.B].Name, factors[p.B].Values[p.BValue])))
            .Select(p => $"{factors[p.A].Name}={factors[p.A].Values[p.AValue]} & {factors[p.B].Name}={factors[p.B].Values[p.BValue]}")
            .Where(p => !seen.Contains(p))
            .ToList();
    }

    private static IEnumerable<ValuePair> AllPairs(IReadOnlyList<Factor> factors) =>
        from a in Enumerable.Range(0, factors.Count)
        from b in Enumerable.Range(a + 1, factors.Count - a - 1)
        from av in Enumerable.Range(0, factors[a].Values.Count)
        from bv in Enumerable.Range(0, factors[b].Values.Count)
        select new ValuePair(a, av, b, bv);

    private static ValuePair Pair(int f, int v, int g, int w) => f < g ? new ValuePair(f, v, g, w) : new ValuePair(g, w, f, v);

    private readonly record struct ValuePair(int A, int AValue, int B, int BValue);
}

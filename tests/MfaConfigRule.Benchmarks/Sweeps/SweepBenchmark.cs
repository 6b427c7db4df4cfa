using System.Diagnostics;
using AwsDouble.Faults;
using MfaConfigRule.Aws;
using MfaConfigRule.Benchmarks.Scenario;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Benchmarks.Sweeps;

internal sealed record SweepSettings(IReadOnlyList<int> Sizes, IReadOnlyList<int> LatenciesMs, int Repeats)
{
    /// <summary>The report is an hour old when the sweeps run.</summary>
    public static readonly TimeSpan ReportAge = TimeSpan.FromHours(1);
}

/// <summary>An account set-up to count requests and stale verdicts on; wall times are taken on the <see cref="Timed"/> one.</summary>
internal sealed record CountScenario(string Title, PopulationKind Population, TimeSpan ChangesAfter, bool Timed)
{
    public static IReadOnlyList<CountScenario> All { get; } =
    [
        new("realistic population, changes 30 minutes after the report", PopulationKind.Realistic, TimeSpan.FromMinutes(30), Timed: true),
        new("realistic population, changes 2 minutes before the sweep (inside CloudTrail's 5-minute delivery lag)",
            PopulationKind.Realistic, SweepSettings.ReportAge - TimeSpan.FromMinutes(2), Timed: false),
        new("samples-style population, changes 30 minutes after the report", PopulationKind.SamplesStyle, TimeSpan.FromMinutes(30), Timed: false),
    ];
}

/// <summary>One strategy's sweep of one account: requests by operation, and verdicts that differ from IAM's state now.</summary>
internal sealed record CallCount(
    CountScenario Scenario,
    int Users,
    int Changes,
    string Strategy,
    IReadOnlyDictionary<string, int> ByOperation,
    int Stale,
    IReadOnlyDictionary<ChangeKind, int> StaleChanges,
    int? LiveReads)
{
    public int Total => ByOperation.Values.Sum();

    public int Service(string prefix) => ByOperation.Where(o => o.Key.StartsWith(prefix + ":", StringComparison.Ordinal)).Sum(o => o.Value);
}

internal sealed record WallTime(int Users, int LatencyMs, string Strategy, IReadOnlyList<double> Seconds);

/// <summary>
/// Sweeps each account with every strategy: once to count requests and check verdicts against IAM's state, then
/// <see cref="SweepSettings.Repeats"/> times per injected latency to time them (strategies interleaved, so a noisy
/// moment on a shared machine hits all of them alike).
/// </summary>
internal static class SweepBenchmark
{
    public static async Task<(IReadOnlyList<CallCount> Counts, IReadOnlyList<WallTime> Times)> RunAsync(SweepSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        var counts = new List<CallCount>();
        var times = new List<WallTime>();
        foreach (var scenario in CountScenario.All)
        {
            foreach (var size in settings.Sizes)
            {
                var layout = new AccountLayout(scenario.Population, size, SweepSettings.ReportAge, scenario.ChangesAfter);
                await using var account = await BenchAccount.StartHeldAsync(layout, cancellationToken);
                var users = account.Server.DefaultAccount.Users;
                foreach (var strategy in SweepStrategy.All)
                {
                    var truth = Truth.Verdicts(users, RuleParameters.Default, account.Clock.GetUtcNow(), strategy.ReadsTags);
                    var counter = new ApiCallCounter();
                    using var aws = account.Connect(counter);
                    var outcome = await strategy.RunAsync(aws, account.Clock, cancellationToken);
                    var stale = truth.Where(t => !outcome.Verdicts.TryGetValue(t.Key, out var verdict) || verdict != t.Value).Select(t => t.Key)
                        .ToHashSet(StringComparer.OrdinalIgnoreCase);
                    var staleChanges = account.Changes.Where(c => stale.Contains(c.UserName)).GroupBy(c => c.Kind).ToDictionary(g => g.Key, g => g.Count());
                    counts.Add(new CallCount(scenario, size, account.Changes.Count, strategy.Name, counter.Snapshot(), stale.Count, staleChanges, outcome.LiveReads));
                    log.WriteLine($"counted {scenario.Population} {size,5} users, {strategy.Name}: {counter.Total} requests, {stale.Count} stale verdicts");
                }
                if (!scenario.Timed) continue;
                foreach (var latency in settings.LatenciesMs)
                    times.AddRange(await TimeAsync(account, latency, settings.Repeats, log, cancellationToken));
            }
        }
        return (counts, times);
    }

    private static async Task<IEnumerable<WallTime>> TimeAsync(BenchAccount account, int latencyMs, int repeats, TextWriter log, CancellationToken cancellationToken)
    {
        using var latency = latencyMs > 0
            ? account.Server.Faults.Inject(null, null, Fault.Latency(TimeSpan.FromMilliseconds(latencyMs)), FaultSchedule.UntilCleared())
            : null;
        var strategies = SweepStrategy.All;
        var seconds = strategies.ToDictionary(s => s.Name, _ => new List<double>());
        for (var repeat = 0; repeat < repeats; repeat++)
        {
            // Rotate the order each round so no strategy always runs first (or always after the slowest one).
            for (var i = 0; i < strategies.Count; i++)
            {
                var strategy = strategies[(i + repeat) % strategies.Count];
                using var aws = account.Connect(new ApiCallCounter());
                var watch = Stopwatch.StartNew();
                await strategy.RunAsync(aws, account.Clock, cancellationToken);
                seconds[strategy.Name].Add(watch.Elapsed.TotalSeconds);
            }
            log.WriteLine($"timed {account.Layout.Users,5} users at {latencyMs} ms, round {repeat + 1}/{repeats}: "
                + string.Join(", ", strategies.Select(s => $"{s.Name} {seconds[s.Name][^1]:0.000} s")));
        }
        return strategies.Select(s => new WallTime(account.Layout.Users, latencyMs, s.Name, seconds[s.Name]));
    }
}

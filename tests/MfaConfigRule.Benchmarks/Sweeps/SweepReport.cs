namespace MfaConfigRule.Benchmarks.Sweeps;

/// <summary>The sweep results as markdown tables for docs/benchmarks/history/.</summary>
internal static class SweepReport
{
    public static void Write(Markdown md, IReadOnlyList<CallCount> counts, IReadOnlyList<WallTime> times)
    {
        foreach (var scenario in counts.Select(c => c.Scenario).Distinct())
        {
            md.Heading($"API requests per sweep — {scenario.Title}");
            md.Line($"Credential report {SweepSettings.ReportAge.TotalMinutes:0} minutes old at the sweep; about 1% of users (at least 5) changed through the IAM API after it. "
                + "\"stale\" = users whose verdict differs from IAM's state at sweep time, or who got none (models that read no tags are judged without them), with the kinds of change behind them.");
            md.Line(string.Empty);
            var rows = counts.Where(c => c.Scenario == scenario).Select(c =>
            {
                var perUser = counts.Single(p => p.Scenario == c.Scenario && p.Users == c.Users && p.Strategy == SweepStrategy.PerUserPeers.Name);
                return (IReadOnlyList<string>)
                [
                    Markdown.Count(c.Users), Markdown.Count(c.Changes), c.Strategy, Markdown.Count(c.Service("iam")), Markdown.Count(c.Service("cloudtrail")),
                    Markdown.Count(c.Total), Markdown.Number((double)c.Total / c.Users, "0.00"), Ratio((double)perUser.Total / c.Total),
                    c.LiveReads is { } live ? Markdown.Count(live) : "–",
                    Markdown.Count(c.Stale) + (c.StaleChanges.Count == 0 ? string.Empty : $" ({string.Join(", ", c.StaleChanges.Select(k => $"{k.Key} {k.Value}"))})"),
                    string.Join(", ", c.ByOperation.Select(o => $"{o.Key.Split(':')[1]} {o.Value}")),
                ];
            });
            md.Table(["users", "changed", "strategy", "IAM", "CloudTrail", "total", "per user", "fewer than per-user", "users read live", "stale", "by operation"], rows);
        }

        if (times.Count == 0) return;
        md.Heading("Wall time of one sweep (realistic population), seconds");
        md.Line($"Median (min–max) of {times[0].Seconds.Count} runs; {SweepStrategy.Concurrency} users at a time for every strategy; "
            + "latency injected by the double on every request.");
        md.Line(string.Empty);
        md.Table(["users", "latency ms", "strategy", "seconds", "vs rule default"], times.Select(t =>
        {
            var ours = Spread.Of(times.Single(o => o.Users == t.Users && o.LatencyMs == t.LatencyMs && o.Strategy == SweepStrategy.RuleDefault.Name).Seconds);
            var spread = Spread.Of(t.Seconds);
            return (IReadOnlyList<string>)
            [
                Markdown.Count(t.Users), Markdown.Count(t.LatencyMs), t.Strategy, spread.Format("0.000"), Ratio(spread.Median / ours.Median),
            ];
        }));
    }

    private static string Ratio(double ratio) => Markdown.Number(ratio, ratio < 1 ? "0.00" : "0.0") + "×";
}

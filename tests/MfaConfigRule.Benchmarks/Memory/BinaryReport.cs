namespace MfaConfigRule.Benchmarks.Memory;

/// <summary>The binary runs as a markdown table for docs/benchmarks/history/.</summary>
internal static class BinaryReport
{
    public static void Write(Markdown md, IReadOnlyList<BinaryRuns> runs)
    {
        md.Heading("Native AOT binary: peak memory and wall time of `evaluate`");
        md.Line($"Median (min–max) of {runs.FirstOrDefault()?.PeakRssMb.Count ?? 0} runs. Peak RSS is GNU time's maximum resident set size (VmHWM). "
            + "Live runs read the realistic population from the local AWS double in another process on the same cores, with no injected latency.");
        md.Line(string.Empty);
        md.Table(["scenario", "users", "peak RSS MB", "wall s", "verdicts"], runs.Select(r => (IReadOnlyList<string>)
        [
            r.Scenario, Markdown.Count(r.Users), Spread.Of(r.PeakRssMb).Format("0.0"), Spread.Of(r.Seconds).Format("0.00"), r.Verdicts,
        ]));
    }
}

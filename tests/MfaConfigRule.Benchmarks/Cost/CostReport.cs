namespace MfaConfigRule.Benchmarks.Cost;

/// <summary>The cost benchmark as a markdown table: the steady-state sweep with and without ReportChangesOnly.</summary>
internal static class CostReport
{
    public static void Write(Markdown md, SweepCost measured, SweepCost baseline)
    {
        md.Heading($"Evaluations written by a steady-state daily sweep, {Markdown.Count(measured.Users)} users, {measured.ChangedUsers} changed since the last run");
        md.Table(
            ["strategy", "evaluations written", "IAM calls", "CloudTrail calls", "Config calls", "wall s", "peak MB", "stale"],
            [Row(measured), Row(baseline)]);
    }

    private static IReadOnlyList<string> Row(SweepCost cost) =>
    [
        cost.Strategy, Markdown.Count(cost.EvaluationsWritten), Markdown.Count(cost.IamCalls), Markdown.Count(cost.CloudTrailCalls),
        Markdown.Count(cost.ConfigCalls), Markdown.Number(cost.WallSeconds, "0.00"), Markdown.Number(cost.PeakMemoryMb, "0.0"), Markdown.Count(cost.Stale),
    ];
}

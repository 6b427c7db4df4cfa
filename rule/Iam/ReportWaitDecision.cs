using System.Globalization;

namespace MfaConfigRule.Iam;

/// <summary>
/// The invocation's time, handed down by the dispatcher: the Lambda deadline and the time kept back before it for
/// PutEvaluations. The sweep's reads must be done by <see cref="StopBy"/>.
/// </summary>
internal sealed record SweepDeadline(DateTimeOffset Deadline, TimeSpan Reserve)
{
    public DateTimeOffset StopBy => Deadline - Reserve;
}

/// <summary>Why the sweep may wait as long as it may for a credential report still being generated.</summary>
internal enum ReportWaitReason
{
    /// <summary>No deadline (the CLI): the configured longest wait.</summary>
    NoDeadline,

    /// <summary>The deadline leaves room for the configured longest wait and the live reads after it.</summary>
    LongestWaitFits,

    /// <summary>Shortened so that every user can still be read live before the reserve.</summary>
    ShortenedForLiveReads,

    /// <summary>Reading every user live already needs all the time there is (or more): no wait at all.</summary>
    NoTimeToWait,
}

/// <summary>How long the sweep may wait for the report, and why, in words a log line can carry.</summary>
internal readonly record struct ReportWait(TimeSpan MayWait, ReportWaitReason Reason, string Explanation);

/// <summary>
/// How long a sweep may wait for a credential report that IAM is still generating. A missing report means every user
/// is read live, so the wait may only spend time those live reads will not need: what is left before the deadline,
/// less the PutEvaluations reserve, less reading every user live (rounds of <c>concurrency</c> users at the per-user
/// cost, plus one round for the reads after the report and the by-ID lookup). Pure, so its bounds are property-tested.
/// </summary>
internal static class ReportWaitDecision
{
    /// <param name="timeLeft">Time until the Lambda deadline; null when there is none.</param>
    /// <param name="users">Users ListUsers returned: everyone the sweep reads live if the report does not come.</param>
    /// <param name="liveReadCost">One user's live read (the login profile and MFA devices together, then tags when needed), retries included.</param>
    /// <param name="concurrency">Users read at once.</param>
    /// <param name="reserve">Time kept back before the deadline for PutEvaluations.</param>
    /// <param name="longestWait">The configured longest wait (<see cref="AssessorOptions.ReportWait"/>).</param>
    public static ReportWait Decide(TimeSpan? timeLeft, int users, TimeSpan liveReadCost, int concurrency, TimeSpan reserve, TimeSpan longestWait)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(liveReadCost, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(reserve, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(longestWait, TimeSpan.Zero);

        if (timeLeft is not { } left)
            return new(longestWait, ReportWaitReason.NoDeadline, $"no deadline: up to the configured {Seconds(longestWait)} s");

        var rounds = (users + (long)concurrency - 1) / concurrency + 1;
        // Saturating: a cost so large that the product overflows needs more time than any deadline gives.
        var liveTicks = liveReadCost.Ticks == 0 ? 0 : rounds > long.MaxValue / liveReadCost.Ticks ? long.MaxValue : rounds * liveReadCost.Ticks;
        var live = TimeSpan.FromTicks(liveTicks);
        // left can be anything up to the far future (no deadline header) or already past: compare before subtracting.
        var needed = reserve.Ticks > long.MaxValue - liveTicks ? long.MaxValue : reserve.Ticks + liveTicks;
        var spare = left.Ticks <= needed ? TimeSpan.Zero : TimeSpan.FromTicks(left.Ticks - needed);
        var about = $"reading {users.ToString(CultureInfo.InvariantCulture)} users live needs about {Seconds(live)} s, and {Seconds(reserve)} s are kept for PutEvaluations, of the {Seconds(left)} s left";

        if (spare <= TimeSpan.Zero)
            return new(TimeSpan.Zero, ReportWaitReason.NoTimeToWait, $"no time to wait: {about}");
        if (spare >= longestWait)
            return new(longestWait, ReportWaitReason.LongestWaitFits, $"up to the configured {Seconds(longestWait)} s: {about}");
        return new(spare, ReportWaitReason.ShortenedForLiveReads, $"up to {Seconds(spare)} s, not the configured {Seconds(longestWait)} s: {about}");
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}

using CsCheck;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Tests.Iam;

/// <summary>
/// How long a sweep may wait for a credential report still being generated: never so long that reading every user live
/// (what a missing report calls for) no longer fits before the deadline less the PutEvaluations reserve.
/// </summary>
public sealed class ReportWaitDecisionTests
{
    private static readonly TimeSpan Longest = new AssessorOptions().ReportWait;
    private static readonly TimeSpan Cost = new AssessorOptions().LiveReadCost;
    private static readonly TimeSpan Reserve = TimeSpan.FromSeconds(10);

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Decide_NoDeadline_WaitsTheConfiguredLongest()
    {
        var wait = ReportWaitDecision.Decide(null, 5_000, Cost, 8, TimeSpan.Zero, Longest);

        Assert.Equal(ReportWaitReason.NoDeadline, wait.Reason);
        Assert.Equal(Longest, wait.MayWait);
    }

    [Fact]
    public void Decide_DefaultFiveMinuteFunction_WaitsTheConfiguredLongest()
    {
        // 300 s function, reserve 30 s (a tenth), 1,000 users: 126 rounds of 0.5 s = 63 s of live reads; 207 s to spare.
        var wait = ReportWaitDecision.Decide(S(300), 1_000, Cost, 8, S(30), Longest);

        Assert.Equal(ReportWaitReason.LongestWaitFits, wait.Reason);
        Assert.Equal(Longest, wait.MayWait);
    }

    [Fact]
    public void Decide_SixtySecondFunction_ShortensTheWaitSoEveryUserCanBeReadLive()
    {
        // 60 s, reserve 10 s, 100 users: 13 rounds + 1 at 0.5 s = 7 s; 60 - 10 - 7 = 43 s may be waited.
        var wait = ReportWaitDecision.Decide(S(60), 100, Cost, 8, Reserve, Longest);

        Assert.Equal(ReportWaitReason.ShortenedForLiveReads, wait.Reason);
        Assert.Equal(S(43), wait.MayWait);
        Assert.Contains("up to 43 s, not the configured 60 s", wait.Explanation, StringComparison.Ordinal);
        Assert.Contains("reading 100 users live needs about 7 s", wait.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_TenSecondFunction_DoesNotWaitAtAll()
    {
        // Lambda's shortest timeout the app allows: the reserve alone takes it all.
        var wait = ReportWaitDecision.Decide(S(10), 3, Cost, 8, Reserve, Longest);

        Assert.Equal(ReportWaitReason.NoTimeToWait, wait.Reason);
        Assert.Equal(TimeSpan.Zero, wait.MayWait);
        Assert.StartsWith("no time to wait", wait.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SlowIam_MeasuredCostShortensTheWait()
    {
        // 3 s a user (a throttled IAM): 100 users need 14 rounds × 3 s = 42 s of a 60 s function's 50.
        var wait = ReportWaitDecision.Decide(S(60), 100, S(3), 8, Reserve, Longest);

        Assert.Equal(S(8), wait.MayWait);
    }

    [Fact]
    public void Decide_DeadlinePassed_DoesNotWait()
    {
        var wait = ReportWaitDecision.Decide(S(-5), 10, Cost, 8, Reserve, Longest);

        Assert.Equal(ReportWaitReason.NoTimeToWait, wait.Reason);
        Assert.Equal(TimeSpan.Zero, wait.MayWait);
    }

    [Fact]
    public void Decide_NoDeadlineHeader_FarFutureDoesNotOverflow()
    {
        var wait = ReportWaitDecision.Decide(DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch, 5_000, TimeSpan.MaxValue, 1, TimeSpan.MaxValue / 2, Longest);

        Assert.Equal(ReportWaitReason.NoTimeToWait, wait.Reason);
    }

    [Fact]
    public void Decide_BadInput_IsRefusedNamingTheArgument()
    {
        Assert.Equal("users", Assert.Throws<ArgumentOutOfRangeException>(() => ReportWaitDecision.Decide(S(60), -1, Cost, 8, Reserve, Longest)).ParamName);
        Assert.Equal("concurrency", Assert.Throws<ArgumentOutOfRangeException>(() => ReportWaitDecision.Decide(S(60), 1, Cost, 0, Reserve, Longest)).ParamName);
        Assert.Equal("liveReadCost", Assert.Throws<ArgumentOutOfRangeException>(() => ReportWaitDecision.Decide(S(60), 1, S(-1), 8, Reserve, Longest)).ParamName);
    }

    // Properties, over Lambda's whole range of timeouts (and past deadlines), IAM's user limit, and costs from free to slow.

    private sealed record Case(TimeSpan TimeLeft, int Users, TimeSpan Cost, int Concurrency, TimeSpan Reserve, TimeSpan Longest)
    {
        public ReportWait Decide() => ReportWaitDecision.Decide(TimeLeft, Users, Cost, Concurrency, Reserve, Longest);

        public TimeSpan LiveReads => Cost * ((Users + Concurrency - 1) / Concurrency + 1);
    }

    private static readonly Gen<Case> GenCase = Gen.Select(
        Gen.Int[-60_000, 900_000], Gen.Int[0, 5_000], Gen.Int[0, 10_000], Gen.Int[1, 32], Gen.Int[0, 90_000], Gen.Int[0, 120_000],
        (left, users, cost, concurrency, reserve, longest) => new Case(
            TimeSpan.FromMilliseconds(left), users, TimeSpan.FromMilliseconds(cost), concurrency, TimeSpan.FromMilliseconds(reserve), TimeSpan.FromMilliseconds(longest)));

    [Fact]
    public void Decide_Any_NeverWaitsLongerThanConfiguredNorIntoTheLiveReadsTime()
    {
        GenCase.Sample(c =>
        {
            var wait = c.Decide();
            Assert.InRange(wait.MayWait, TimeSpan.Zero, c.Longest);
            // The wait plus reading everyone live plus the reserve fits before the deadline, whenever there is a wait.
            if (wait.MayWait > TimeSpan.Zero) Assert.True(wait.MayWait + c.LiveReads + c.Reserve <= c.TimeLeft, $"{c}: {wait}");
        }, seed: "0000000001Rw");
    }

    [Fact]
    public void Decide_Any_WastesNoTimeTheLiveReadsDoNotNeed()
    {
        GenCase.Sample(c =>
        {
            var wait = c.Decide();
            var spare = c.TimeLeft - c.Reserve - c.LiveReads;
            var expected = spare <= TimeSpan.Zero ? TimeSpan.Zero : spare < c.Longest ? spare : c.Longest;
            Assert.Equal(expected, wait.MayWait);
            Assert.Equal(
                expected == TimeSpan.Zero && spare <= TimeSpan.Zero ? ReportWaitReason.NoTimeToWait
                    : expected == c.Longest ? ReportWaitReason.LongestWaitFits : ReportWaitReason.ShortenedForLiveReads,
                wait.Reason);
        }, seed: "0000000002Rw");
    }

    [Fact]
    public void Decide_Any_MoreTimeNeverShortensAndMoreUsersOrCostNeverLengthensTheWait()
    {
        Gen.Select(GenCase, Gen.Int[0, 600_000], Gen.Int[0, 500], Gen.Int[0, 2_000]).Sample((c, moreTime, moreUsers, moreCost) =>
        {
            var wait = c.Decide().MayWait;
            Assert.True((c with { TimeLeft = c.TimeLeft + TimeSpan.FromMilliseconds(moreTime) }).Decide().MayWait >= wait);
            Assert.True((c with { Users = c.Users + moreUsers }).Decide().MayWait <= wait);
            Assert.True((c with { Cost = c.Cost + TimeSpan.FromMilliseconds(moreCost) }).Decide().MayWait <= wait);
            Assert.True((c with { Reserve = c.Reserve + TimeSpan.FromMilliseconds(moreCost) }).Decide().MayWait <= wait);
        }, seed: "0000000003Rw");
    }
}

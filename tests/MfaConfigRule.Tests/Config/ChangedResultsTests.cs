using MfaConfigRule.Compliance;
using MfaConfigRule.Config;

namespace MfaConfigRule.Tests.Config;

public sealed class ChangedResultsTests
{
    // A Tuesday, 06:00 UTC: the hour a daily rule might run.
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly RuleParameters ChangesOnly = RuleParameters.Default with { ReportChangesOnly = true };

    private const string Alice = "AIDAALICEEXAMPLE0001";
    private const string NoMfa = "Console password (set 2026-01-02) with no MFA device. Assign a MFA device.";
    private const string WithMfa = "Console password protected by virtual MFA (1 device).";

    private static Evaluation Verdict(string userId, ComplianceType compliance, string annotation) =>
        Evaluation.ForUser(userId, compliance, annotation, Now);

    private static EvaluationResultSummary Held(string userId, ComplianceType compliance, string? annotation, TimeSpan age) =>
        new(Evaluation.UserResourceType, userId, compliance, Now - age) { Annotation = annotation, ResultRecordedTime = Now - age };

    private static EvaluationResultSummary HeldAt(string userId, ComplianceType compliance, string? annotation, DateTimeOffset recorded) =>
        new(Evaluation.UserResourceType, userId, compliance, recorded) { Annotation = annotation, ResultRecordedTime = recorded };

    private static ResultDecision DecideOne(Evaluation verdict, EvaluationResultSummary? held, RuleParameters? parameters = null, DateTimeOffset? now = null) =>
        Assert.Single(ChangedResults.Decide([verdict], new HashSet<string> { verdict.ResourceId }, held is null ? [] : [held],
            parameters ?? ChangesOnly, now ?? Now, Now));

    /// <summary>An age that is never the user's refresh day and never the interval: nothing but a change can make it write.</summary>
    private static DateTimeOffset NotTheRefreshDayOf(string userId, int days)
    {
        var now = Now;
        while (ChangedResults.DayOf(now, days) == ChangedResults.RefreshDayOf(userId, days)) now = now.AddDays(1);
        return now;
    }

    [Fact]
    public void Decide_SameVerdictAndAnnotationHeldSinceYesterday_IsUnchangedAndNotWritten()
    {
        var now = NotTheRefreshDayOf(Alice, ChangesOnly.RefreshDays);

        var decision = DecideOne(Verdict(Alice, ComplianceType.Compliant, WithMfa), HeldAt(Alice, ComplianceType.Compliant, WithMfa, now.AddDays(-1)), now: now);

        Assert.Equal(ResultReason.Unchanged, decision.Reason);
        Assert.Null(decision.Write);
    }

    [Fact]
    public void Decide_SameNonCompliantVerdictAndAnnotationHeldSinceYesterday_IsRestated()
    {
        // Config may drop a result a periodic run does not restate; a NON_COMPLIANT user must never depend on it keeping one.
        var now = NotTheRefreshDayOf(Alice, ChangesOnly.RefreshDays);
        var verdict = Evaluation.ForUser(Alice, ComplianceType.NonCompliant, NoMfa, now);

        var decision = DecideOne(verdict, HeldAt(Alice, ComplianceType.NonCompliant, NoMfa, now.AddDays(-1)), now: now);

        Assert.Equal(ResultReason.NonCompliantRestated, decision.Reason);
        Assert.Same(verdict, decision.Write);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(5.0)]
    public void Decide_SameNonCompliantHeldMinutesAgo_IsStillRestated(double minutes)
    {
        var now = NotTheRefreshDayOf(Alice, ChangesOnly.RefreshDays);
        var verdict = Evaluation.ForUser(Alice, ComplianceType.NonCompliant, NoMfa, now);

        var decision = DecideOne(verdict, HeldAt(Alice, ComplianceType.NonCompliant, NoMfa, now.AddMinutes(-minutes)), now: now);

        Assert.Equal(ResultReason.NonCompliantRestated, decision.Reason);
        Assert.Same(verdict, decision.Write);
    }

    [Theory]
    [InlineData(true, WithMfa)]
    [InlineData(false, "No console password.")]
    public void Decide_SameCompliantOrNotApplicableHeldSinceYesterday_IsNotRestated(bool compliant, string annotation)
    {
        var compliance = compliant ? ComplianceType.Compliant : ComplianceType.NotApplicable;
        var now = NotTheRefreshDayOf(Alice, ChangesOnly.RefreshDays);

        var decision = DecideOne(Evaluation.ForUser(Alice, compliance, annotation, now), HeldAt(Alice, compliance, annotation, now.AddDays(-1)), now: now);

        Assert.Equal(ResultReason.Unchanged, decision.Reason);
        Assert.Null(decision.Write);
    }

    [Fact]
    public void Decide_MixedAccountNothingChanged_WritesEveryNonCompliantUserAndNoOtherUnchangedOne()
    {
        // 100 users, nothing changed since yesterday: 10 NON_COMPLIANT, 60 COMPLIANT, 30 NOT_APPLICABLE; 5 of the compliant
        // ones held with another annotation, and no user on its refresh day.
        var now = Now;
        var users = new List<(string Id, ComplianceType Compliance, string Annotation, string HeldAnnotation)>();
        for (var i = 0; users.Count < 100; i++)
        {
            var id = $"AIDA{i:X16}";
            if (ChangedResults.RefreshDayOf(id, ChangesOnly.RefreshDays) == ChangedResults.DayOf(now, ChangesOnly.RefreshDays)) continue;
            var n = users.Count;
            users.Add(n < 10 ? (id, ComplianceType.NonCompliant, NoMfa, NoMfa)
                : n < 70 ? (id, ComplianceType.Compliant, WithMfa, n < 15 ? "Console password protected by hardware MFA (1 device)." : WithMfa)
                : (id, ComplianceType.NotApplicable, "No console password.", "No console password."));
        }
        var verdicts = users.Select(u => Evaluation.ForUser(u.Id, u.Compliance, u.Annotation, now)).ToList();
        var held = users.Select(u => HeldAt(u.Id, u.Compliance, u.HeldAnnotation, now.AddDays(-1))).ToList();

        var decisions = ChangedResults.Decide(verdicts, users.Select(u => u.Id).ToHashSet(StringComparer.Ordinal), held, ChangesOnly, now, now);

        var counts = decisions.GroupBy(d => d.Reason).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<ResultReason, int>
        {
            [ResultReason.NonCompliantRestated] = 10,
            [ResultReason.AnnotationChanged] = 5,
            [ResultReason.Unchanged] = 85,
        }, counts);
        Assert.Equal(users.Where(u => u.Compliance == ComplianceType.NonCompliant).Select(u => u.Id).Concat(users.Skip(10).Take(5).Select(u => u.Id)).Order(StringComparer.Ordinal),
            decisions.Where(d => d.Write is not null).Select(d => d.ResourceId).Order(StringComparer.Ordinal));
        Assert.All(decisions.Where(d => d.Write is null), d => Assert.NotEqual(ComplianceType.NonCompliant, users.Single(u => u.Id == d.ResourceId).Compliance));
    }

    [Fact]
    public void Decide_VerdictChanged_WritesTheNewVerdict()
    {
        var verdict = Verdict(Alice, ComplianceType.NonCompliant, NoMfa);

        var decision = DecideOne(verdict, Held(Alice, ComplianceType.Compliant, WithMfa, TimeSpan.FromHours(2)));

        Assert.Equal(ResultReason.VerdictChanged, decision.Reason);
        Assert.Same(verdict, decision.Write);
    }

    [Fact]
    public void Decide_SameVerdictButAnnotationChanged_WritesIt()
    {
        var verdict = Verdict(Alice, ComplianceType.NonCompliant, NoMfa + " New password: grace period ends 2026-12-02 06:00Z.");

        var decision = DecideOne(verdict, Held(Alice, ComplianceType.NonCompliant, NoMfa, TimeSpan.FromHours(2)));

        Assert.Equal(ResultReason.AnnotationChanged, decision.Reason);
        Assert.Same(verdict, decision.Write);
    }

    [Fact]
    public void Decide_EmptyAnnotationAndConfigHoldingNone_IsTheSame()
    {
        // Config's Annotation has a minimum length of 1: an evaluation sent without one comes back without one.
        var now = NotTheRefreshDayOf(Alice, ChangesOnly.RefreshDays);

        var decision = DecideOne(Verdict(Alice, ComplianceType.Compliant, string.Empty), HeldAt(Alice, ComplianceType.Compliant, null, now.AddHours(-1)), now: now);

        Assert.Equal(ResultReason.Unchanged, decision.Reason);
    }

    [Fact]
    public void Decide_UserConfigHoldsNothingFor_IsWritten()
    {
        var verdict = Verdict(Alice, ComplianceType.NotApplicable, "No console password.");

        var decision = DecideOne(verdict, held: null);

        Assert.Equal(ResultReason.NewToConfig, decision.Reason);
        Assert.Same(verdict, decision.Write);
    }

    [Theory]
    [InlineData(7, 7.0)]
    [InlineData(7, 30.0)]
    [InlineData(1, 1.0)]
    [InlineData(30, 30.5)]
    public void Decide_HeldResultAsOldAsTheRefreshInterval_IsWrittenAgain(int refreshDays, double ageDays)
    {
        var verdict = Verdict(Alice, ComplianceType.Compliant, WithMfa);

        var decision = DecideOne(verdict, Held(Alice, ComplianceType.Compliant, WithMfa, TimeSpan.FromDays(ageDays)), ChangesOnly with { RefreshDays = refreshDays });

        Assert.Equal(ResultReason.RefreshDue, decision.Reason);
        Assert.Same(verdict, decision.Write);
    }

    [Fact]
    public void Decide_HeldResultWithNoTimeAtAll_IsWrittenAgain()
    {
        var held = new EvaluationResultSummary(Evaluation.UserResourceType, Alice, ComplianceType.Compliant, null) { Annotation = WithMfa };

        var decision = DecideOne(Verdict(Alice, ComplianceType.Compliant, WithMfa), held);

        Assert.Equal(ResultReason.RefreshDue, decision.Reason);
    }

    [Fact]
    public void Decide_AgeIsConfigsRecordingTimeNotAnOldOrderingTimestamp()
    {
        // A change notification's evaluation carries the configuration item's capture time, weeks before it was written.
        var now = NotTheRefreshDayOf(Alice, ChangesOnly.RefreshDays);
        var held = new EvaluationResultSummary(Evaluation.UserResourceType, Alice, ComplianceType.Compliant, now.AddDays(-40))
        {
            Annotation = WithMfa,
            ResultRecordedTime = now.AddHours(-3),
        };

        var decision = DecideOne(Verdict(Alice, ComplianceType.Compliant, WithMfa), held, now: now);

        Assert.Equal(ResultReason.Unchanged, decision.Reason);
    }

    [Fact]
    public void Decide_OnTheUsersRefreshDay_ADayOldResultIsWrittenAgainButOneFromThisMorningIsNot()
    {
        var day = ChangedResults.RefreshDayOf(Alice, 7);
        var refreshDay = Now;
        while (ChangedResults.DayOf(refreshDay, 7) != day) refreshDay = refreshDay.AddDays(1);
        var verdict = Verdict(Alice, ComplianceType.Compliant, WithMfa);

        var dayOld = DecideOne(verdict, HeldAt(Alice, ComplianceType.Compliant, WithMfa, refreshDay.AddDays(-1)), now: refreshDay);
        var fresh = DecideOne(verdict, HeldAt(Alice, ComplianceType.Compliant, WithMfa, refreshDay.AddHours(-2)), now: refreshDay);

        Assert.Equal(ResultReason.RefreshDay, dayOld.Reason);
        Assert.Equal(ResultReason.Unchanged, fresh.Reason);
    }

    [Fact]
    public void Decide_UserWhoseStateCouldNotBeRead_IsNeverUnchangedAndGetsNoVerdict()
    {
        var held = Held(Alice, ComplianceType.Compliant, WithMfa, TimeSpan.FromDays(1));

        var decisions = ChangedResults.Decide([], new HashSet<string> { Alice }, [held], ChangesOnly, Now, Now);

        var decision = Assert.Single(decisions);
        Assert.Equal(ResultReason.NoVerdict, decision.Reason);
        Assert.Null(decision.Write);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decide_UserGone_GetsNotApplicableOnce(bool wasCompliant)
    {
        var lastVerdict = wasCompliant ? ComplianceType.Compliant : ComplianceType.NonCompliant;
        const string gone = "AIDAGONEUSEREXAMPLE01";
        var held = Held(gone, lastVerdict, NoMfa, TimeSpan.FromDays(1));

        var first = Assert.Single(ChangedResults.Decide([], new HashSet<string>(), [held], ChangesOnly, Now, Now));
        var written = Assert.IsType<Evaluation>(first.Write);
        var cleanedUp = Held(gone, ComplianceType.NotApplicable, written.Annotation, TimeSpan.Zero);
        var later = ChangedResults.Decide([], new HashSet<string>(), [cleanedUp], ChangesOnly, Now.AddDays(8), Now.AddDays(8));

        Assert.Equal(ResultReason.Vanished, first.Reason);
        Assert.Equal(ComplianceType.NotApplicable, written.Compliance);
        Assert.Equal(UserGone.HeldResultAnnotation, written.Annotation);
        Assert.Empty(later);
    }

    [Fact]
    public void Decide_ModeOff_WritesEveryVerdictAndStillCleansUpVanishedUsers()
    {
        var verdict = Verdict(Alice, ComplianceType.Compliant, WithMfa);
        var held = new[] { Held(Alice, ComplianceType.Compliant, WithMfa, TimeSpan.FromHours(1)), Held("AIDAGONE", ComplianceType.NonCompliant, NoMfa, TimeSpan.FromDays(1)) };

        var decisions = ChangedResults.Decide([verdict], new HashSet<string> { Alice }, held, RuleParameters.Default, Now, Now);

        Assert.Equal([ResultReason.EveryVerdict, ResultReason.Vanished], decisions.Select(d => d.Reason));
        Assert.All(decisions, d => Assert.NotNull(d.Write));
    }

    [Fact]
    public void Decide_WhatConfigHoldsUnknown_WritesEveryVerdict()
    {
        var verdict = Verdict(Alice, ComplianceType.Compliant, WithMfa);

        var decision = Assert.Single(ChangedResults.Decide([verdict], new HashSet<string> { Alice }, held: null, ChangesOnly, Now, Now));

        Assert.Equal(ResultReason.EveryVerdict, decision.Reason);
        Assert.Same(verdict, decision.Write);
    }

    [Fact]
    public void Decide_OtherResourceTypesConfigHolds_AreNeitherComparedNorCleanedUp()
    {
        var bucket = new EvaluationResultSummary("AWS::S3::Bucket", Alice, ComplianceType.NonCompliant, Now.AddDays(-1)) { ResultRecordedTime = Now.AddDays(-1) };

        var decisions = ChangedResults.Decide([Verdict(Alice, ComplianceType.Compliant, WithMfa)], new HashSet<string> { Alice }, [bucket], ChangesOnly, Now, Now);

        Assert.Equal(ResultReason.NewToConfig, Assert.Single(decisions).Reason);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(14)]
    [InlineData(30)]
    public void DailySweeps_UnchangedAccount_EveryResultRestatedWithinTheIntervalAndSpreadOverItsDays(int refreshDays)
    {
        // 2,000 users all first written on the same day (a new deployment), then swept daily for three intervals with no
        // change. Every 20th user is NON_COMPLIANT: it is written on every sweep; the others only on refresh.
        var parameters = ChangesOnly with { RefreshDays = refreshDays };
        var users = Enumerable.Range(0, 2000).Select(i => $"AIDA{i:X16}").ToList();
        var nonCompliant = users.Where((_, i) => i % 20 == 0).ToHashSet(StringComparer.Ordinal);
        ComplianceType VerdictOf(string u) => nonCompliant.Contains(u) ? ComplianceType.NonCompliant : ComplianceType.Compliant;
        string AnnotationOf(string u) => nonCompliant.Contains(u) ? NoMfa : WithMfa;
        var recorded = users.ToDictionary(u => u, _ => Now, StringComparer.Ordinal);
        var ids = users.ToHashSet(StringComparer.Ordinal);
        var otherWritesPerDay = new List<int>();
        for (var day = 1; day <= 3 * refreshDays; day++)
        {
            var now = Now.AddDays(day).AddMinutes(day % 3 * 7);
            var verdicts = users.Select(u => Evaluation.ForUser(u, VerdictOf(u), AnnotationOf(u), now)).ToList();
            var held = users.Select(u => new EvaluationResultSummary(Evaluation.UserResourceType, u, VerdictOf(u), recorded[u]) { Annotation = AnnotationOf(u), ResultRecordedTime = recorded[u] }).ToList();

            var writes = ChangedResults.Decide(verdicts, ids, held, parameters, now, now).Where(d => d.Write is not null).ToList();

            foreach (var write in writes) recorded[write.ResourceId] = now;
            Assert.Equal(nonCompliant.Order(StringComparer.Ordinal), writes.Where(w => nonCompliant.Contains(w.ResourceId)).Select(w => w.ResourceId).Order(StringComparer.Ordinal));
            Assert.All(writes.Where(w => nonCompliant.Contains(w.ResourceId)), w => Assert.Equal(ResultReason.NonCompliantRestated, w.Reason));
            otherWritesPerDay.Add(writes.Count(w => !nonCompliant.Contains(w.ResourceId)));
            Assert.All(recorded.Values, at => Assert.True(now - at <= TimeSpan.FromDays(refreshDays), $"a result {now - at} old on day {day}"));
        }
        var others = users.Count - nonCompliant.Count;
        var perDay = others / (double)refreshDays;
        Assert.All(otherWritesPerDay, count => Assert.InRange(count, 0, perDay * 1.6));
        Assert.Equal(3 * others, otherWritesPerDay.Sum(), (double)others / 10);
    }

    [Fact]
    public void RefreshDayOf_SameUser_IsTheSameEveryTime()
    {
        Assert.Equal(ChangedResults.RefreshDayOf(Alice, 7), ChangedResults.RefreshDayOf(Alice, 7));
        Assert.InRange(ChangedResults.RefreshDayOf(Alice, 7), 0, 6);
        Assert.Equal(0, ChangedResults.RefreshDayOf(Alice, 1));
    }
}

using System.Text;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Config;

/// <summary>Why a sweep writes a user's evaluation, or why it does not.</summary>
internal enum ResultReason
{
    /// <summary>ReportChangesOnly is off (or what Config holds could not be read): every verdict is written.</summary>
    EveryVerdict,

    /// <summary>Config holds no result for the user under this rule.</summary>
    NewToConfig,

    /// <summary>Config holds a different compliance type.</summary>
    VerdictChanged,

    /// <summary>Config holds the same compliance type with a different annotation.</summary>
    AnnotationChanged,

    /// <summary>The held result is at least RefreshDays old (or shows no time at all).</summary>
    RefreshDue,

    /// <summary>Today is the user's own refresh day (a stable hash of its ID), so refreshes spread over the interval.</summary>
    RefreshDay,

    /// <summary>
    /// Config holds this same NON_COMPLIANT verdict and annotation, and it is written again anyway, on every sweep. A
    /// NON_COMPLIANT user must never rest on Config keeping a result that a periodic run does not restate: AWS does not
    /// document whether Config keeps such results or takes the run's results as the rule's complete set, and if it drops
    /// them an unwritten NON_COMPLIANT user would vanish from Config (a hidden NON_COMPLIANT user). COMPLIANT and
    /// NOT_APPLICABLE keep the change-only saving: if Config drops them they show no result until the next write, which is
    /// never a false COMPLIANT.
    /// </summary>
    NonCompliantRestated,

    /// <summary>Config holds a COMPLIANT or NON_COMPLIANT result for a user that no longer exists: NOT_APPLICABLE, once.</summary>
    Vanished,

    /// <summary>Not written: Config already holds this COMPLIANT or NOT_APPLICABLE verdict and annotation, recently enough.</summary>
    Unchanged,

    /// <summary>Not written: the user's state could not be read, so there is no verdict (never "unchanged").</summary>
    NoVerdict,
}

/// <summary>What a sweep does about one user: the evaluation to write (null: nothing) and why.</summary>
internal sealed record ResultDecision(string ResourceId, ResultReason Reason, Evaluation? Write);

/// <summary>
/// The comparison behind <c>ReportChangesOnly</c>: this sweep's verdicts against the results Config holds for the rule,
/// deciding which evaluations are worth writing. Pure (verdicts + held results + clock + parameters), so every promise the
/// mode makes is here: a verdict or annotation that changed is always written, a user Config holds nothing for is always
/// written, a NON_COMPLIANT verdict is written on every sweep (<see cref="ResultReason.NonCompliantRestated"/>), no result
/// goes longer than RefreshDays without being stated again, a user without a verdict is never taken as unchanged, and a
/// vanished user gets NOT_APPLICABLE once.
/// </summary>
internal static class ChangedResults
{
    /// <summary>
    /// On its refresh day a result is stated again only if it is older than this, so a rule that runs several times a
    /// day (or a triggered re-run on the same day) refreshes it once, and a daily run always does.
    /// </summary>
    public static readonly TimeSpan RefreshDayMinimumAge = TimeSpan.FromHours(20);

    /// <param name="verdicts">This sweep's verdicts, one per user that could be read.</param>
    /// <param name="currentUserIds">Every user the sweep listed, read or not.</param>
    /// <param name="held">What Config holds for the rule (GetComplianceDetailsByConfigRule); null when it could not be read.</param>
    /// <param name="now">The rule's clock, for the age of held results.</param>
    /// <param name="orderingTimestamp">
    /// The ordering timestamp of the sweep's evaluations, used for vanished users too: the notification's creation time, so
    /// every write is ordered after what the rule wrote before (see ConfigRuleHandler.OrderingTimestamp).
    /// </param>
    public static IReadOnlyList<ResultDecision> Decide(
        IReadOnlyList<Evaluation> verdicts,
        IReadOnlySet<string> currentUserIds,
        IReadOnlyList<EvaluationResultSummary>? held,
        RuleParameters parameters,
        DateTimeOffset now,
        DateTimeOffset orderingTimestamp)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        ArgumentNullException.ThrowIfNull(currentUserIds);
        ArgumentNullException.ThrowIfNull(parameters);

        // If a resource shows up twice, the newest result is the one Config shows.
        var heldByUser = (held ?? [])
            .Where(r => r.ResourceType == Evaluation.UserResourceType)
            .GroupBy(r => r.ResourceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(r => r.ResultRecordedTime ?? r.OrderingTimestamp ?? DateTimeOffset.MinValue)!, StringComparer.Ordinal);
        var compareWithHeld = parameters.ReportChangesOnly && held is not null;

        var decisions = new List<ResultDecision>(verdicts.Count + 8);
        var decided = new HashSet<string>(StringComparer.Ordinal);
        foreach (var verdict in verdicts)
        {
            decided.Add(verdict.ResourceId);
            var reason = compareWithHeld
                ? Compare(verdict, heldByUser.GetValueOrDefault(verdict.ResourceId), parameters.RefreshDays, now)
                : ResultReason.EveryVerdict;
            decisions.Add(new ResultDecision(verdict.ResourceId, reason, reason == ResultReason.Unchanged ? null : verdict));
        }
        foreach (var userId in currentUserIds.Where(id => !decided.Contains(id)).Order(StringComparer.Ordinal))
            decisions.Add(new ResultDecision(userId, ResultReason.NoVerdict, null));

        // Only results that still claim something: a NOT_APPLICABLE one was cleaned up already (or never mattered).
        foreach (var (userId, result) in heldByUser.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (currentUserIds.Contains(userId) || decided.Contains(userId)) continue;
            if (result.Compliance is not (ComplianceType.Compliant or ComplianceType.NonCompliant)) continue;
            decisions.Add(new ResultDecision(userId, ResultReason.Vanished,
                UserGone.HeldResult(userId, orderingTimestamp)));
        }
        return decisions;
    }

    /// <summary>The day, 0 to <paramref name="refreshDays"/> - 1, on which a user's result is stated again: FNV-1a of its ID, so it never moves.</summary>
    public static int RefreshDayOf(string resourceId, int refreshDays)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(refreshDays, 1);
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(resourceId))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return (int)(hash % (uint)refreshDays);
    }

    /// <summary>Which of the <paramref name="refreshDays"/> days <paramref name="now"/> falls on: UTC days since 1970, modulo the interval.</summary>
    public static int DayOf(DateTimeOffset now, int refreshDays) =>
        (int)(Math.Floor(now.ToUnixTimeSeconds() / 86400.0) % refreshDays + refreshDays) % refreshDays;

    private static ResultReason Compare(Evaluation verdict, EvaluationResultSummary? held, int refreshDays, DateTimeOffset now)
    {
        if (held is null) return ResultReason.NewToConfig;
        if (held.Compliance != verdict.Compliance) return ResultReason.VerdictChanged;
        // Config stores no empty annotation (its minimum length is 1): an absent one is the empty string.
        if (!string.Equals(held.Annotation ?? string.Empty, verdict.Annotation, StringComparison.Ordinal)) return ResultReason.AnnotationChanged;
        // Whatever its age: an unwritten NON_COMPLIANT result is only as safe as Config's undocumented retention of it.
        if (verdict.Compliance == ComplianceType.NonCompliant) return ResultReason.NonCompliantRestated;

        // The age is Config's own record of when it stored the result. The ordering timestamp is what a writer sent (this
        // rule sends the notification's creation time, but an older version sent a change's item capture time, which can be
        // far older than the write).
        if ((held.ResultRecordedTime ?? held.OrderingTimestamp) is not { } recorded) return ResultReason.RefreshDue;
        var age = now - recorded;
        if (age >= TimeSpan.FromDays(refreshDays)) return ResultReason.RefreshDue;
        if (age >= RefreshDayMinimumAge && RefreshDayOf(verdict.ResourceId, refreshDays) == DayOf(now, refreshDays)) return ResultReason.RefreshDay;
        return ResultReason.Unchanged;
    }
}

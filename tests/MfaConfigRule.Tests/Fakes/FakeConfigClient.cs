using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;

namespace MfaConfigRule.Tests.Fakes;

/// <summary>
/// AWS Config in memory: PutEvaluations records what was sent (and refuses a resource a scripted number of times, handing
/// it back in FailedEvaluations), results held from earlier runs, configuration items for oversized notifications, and
/// StartConfigRulesEvaluation with Config's limit (one a minute, none while a run is in progress) and the runs it starts.
/// </summary>
internal sealed class FakeConfigClient(TimeProvider time) : IConfigClient
{
    private readonly Lock _gate = new();
    private readonly List<PutEvaluationsCall> _puts = [];
    private readonly Dictionary<string, int> _refusals = new(StringComparer.Ordinal);
    private readonly List<ConfigurationItem> _items = [];
    private readonly List<ItemRequest> _itemRequests = [];
    private readonly List<IReadOnlyList<ComplianceType>> _complianceQueries = [];
    private readonly List<IReadOnlyList<string>> _startedEvaluations = [];
    private readonly List<Run> _runs = [];
    private readonly List<string> _evaluationTimeQueries = [];
    private DateTimeOffset _lastStart = DateTimeOffset.MinValue;

    /// <summary>Results Config holds for the rule from earlier runs (what GetComplianceDetailsByConfigRule answers).</summary>
    public List<EvaluationResultSummary> Held { get; } = [];

    /// <summary>
    /// When set, what PutEvaluations accepts also updates <see cref="Held"/> the way Config keeps results, under this
    /// ordering rule (AWS does not document which one Config applies); null leaves <see cref="Held"/> as the test set it.
    /// </summary>
    public HeldOrdering? Keeps { get; set; }

    /// <summary>
    /// With <see cref="Keeps"/> set: what a periodic run (a result token given to <see cref="BeginPeriodicRun"/>) does to
    /// results it does not state again. AWS does not document it; Kept leaves them, Dropped takes the run's results as the
    /// rule's complete set from its first PutEvaluations on (as the AWS double's <c>unrestated=dropped</c>).
    /// </summary>
    public UnrestatedHeld Unrestated { get; set; } = UnrestatedHeld.Kept;

    private readonly Dictionary<string, (DateTimeOffset BeganAt, bool Reported)> _periodicRuns = new(StringComparer.Ordinal);

    /// <summary>A ScheduledNotification's run begins now, reporting with <paramref name="resultToken"/>.</summary>
    public void BeginPeriodicRun(string resultToken)
    {
        lock (_gate) _periodicRuns[resultToken] = (time.GetUtcNow(), false);
    }

    /// <summary>When set, GetComplianceDetailsByConfigRule throws this error code.</summary>
    public string? ComplianceDetailsError { get; set; }

    public IReadOnlyList<PutEvaluationsCall> Puts
    {
        get { lock (_gate) return [.. _puts]; }
    }

    /// <summary>Every evaluation Config accepted, in order.</summary>
    public IReadOnlyList<Evaluation> Accepted
    {
        get { lock (_gate) return [.. _puts.SelectMany(p => p.Evaluations.Where(e => !p.Refused.Contains(e)))]; }
    }

    public IReadOnlyList<ItemRequest> ItemRequests
    {
        get { lock (_gate) return [.. _itemRequests]; }
    }

    public IReadOnlyList<IReadOnlyList<ComplianceType>> ComplianceQueries
    {
        get { lock (_gate) return [.. _complianceQueries]; }
    }

    public IReadOnlyList<IReadOnlyList<string>> StartedEvaluations
    {
        get { lock (_gate) return [.. _startedEvaluations]; }
    }

    /// <summary>The first <paramref name="times"/> PutEvaluations calls that carry <paramref name="resourceId"/> hand it back as failed.</summary>
    public void Refuse(string resourceId, int times = int.MaxValue)
    {
        lock (_gate) _refusals[resourceId] = times;
    }

    public void AddItem(ConfigurationItem item)
    {
        lock (_gate) _items.Add(item);
    }

    public Task<IReadOnlyList<Evaluation>> PutEvaluationsAsync(IReadOnlyList<Evaluation> evaluations, string resultToken, bool testMode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        lock (_gate)
        {
            // The service's own limit; a batch over it is a ValidationException, as rdklib's users found out.
            if (evaluations.Count > ReporterOptions.BatchSize)
                throw new AwsServiceException("config", "PutEvaluations", "ValidationException", 400, "Member must have length less than or equal to 100");
            var refused = new List<Evaluation>();
            foreach (var evaluation in evaluations)
            {
                if (_refusals.TryGetValue(evaluation.ResourceId, out var left) && left > 0)
                {
                    _refusals[evaluation.ResourceId] = left - 1;
                    refused.Add(evaluation);
                }
            }
            _puts.Add(new PutEvaluationsCall([.. evaluations], resultToken, testMode, time.GetUtcNow(), refused));
            if (Keeps is { } ordering && !testMode)
            {
                if (_periodicRuns.TryGetValue(resultToken, out var run) && !run.Reported)
                {
                    _periodicRuns[resultToken] = (run.BeganAt, true);
                    // Dropped: what the run does not restate (in this call or a later one) is gone; results recorded since the
                    // run began (another invocation's) stay.
                    if (Unrestated == UnrestatedHeld.Dropped) Held.RemoveAll(h => h.ResultRecordedTime < run.BeganAt);
                }
                foreach (var evaluation in evaluations.Where(e => !refused.Contains(e))) Keep(evaluation, ordering);
            }
            return Task.FromResult<IReadOnlyList<Evaluation>>(refused);
        }
    }

    private void Keep(Evaluation evaluation, HeldOrdering ordering)
    {
        var index = Held.FindIndex(h => h.ResourceType == evaluation.ResourceType && h.ResourceId == evaluation.ResourceId);
        if (index >= 0 && ordering == HeldOrdering.NewestOrderingTimestampWins && Held[index].OrderingTimestamp > evaluation.OrderingTimestamp) return;
        var result = new EvaluationResultSummary(evaluation.ResourceType, evaluation.ResourceId, evaluation.Compliance, evaluation.OrderingTimestamp)
        {
            Annotation = evaluation.Annotation.Length == 0 ? null : evaluation.Annotation,
            ResultRecordedTime = time.GetUtcNow(),
        };
        if (index >= 0) Held[index] = result;
        else Held.Add(result);
    }

    public Task<IReadOnlyList<EvaluationResultSummary>> GetComplianceDetailsByConfigRuleAsync(string configRuleName, IReadOnlyList<ComplianceType> complianceTypes, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _complianceQueries.Add([.. complianceTypes]);
            if (ComplianceDetailsError is { } code)
                throw new AwsServiceException("config", "GetComplianceDetailsByConfigRule", code, 400, $"{code} (from the fake)");
            return Task.FromResult<IReadOnlyList<EvaluationResultSummary>>([.. Held.Where(h => complianceTypes.Contains(h.Compliance))]);
        }
    }

    public Task<ConfigurationItem?> GetLatestConfigurationItemAsync(string resourceType, string resourceId, DateTimeOffset? laterTime, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _itemRequests.Add(new ItemRequest(resourceType, resourceId, laterTime));
            return Task.FromResult(_items.LastOrDefault(i => i.ResourceType == resourceType && i.ResourceId == resourceId
                && (laterTime is null || i.CaptureTime <= laterTime)));
        }
    }

    /// <summary>Starts refused with LimitExceededException before one is accepted, as while an evaluation runs.</summary>
    public int RefuseStarts { get; set; }

    /// <summary>
    /// What an accepted start runs, when set: Config invokes the rule at once and records its results for
    /// <see cref="RunEvaluates"/> this long after. Config refuses starts while a run is in progress.
    /// </summary>
    public TimeSpan? RunDuration { get; set; }

    /// <summary>The resources a run started by <see cref="StartConfigRulesEvaluationAsync"/> holds results for (a sweep: every user).</summary>
    public IReadOnlyList<string> RunEvaluates { get; set; } = [];

    /// <summary>Every resource GetComplianceDetailsByResource was asked about, in order.</summary>
    public IReadOnlyList<string> EvaluationTimeQueries
    {
        get { lock (_gate) return [.. _evaluationTimeQueries]; }
    }

    /// <summary>A run of the rule: invoked at <paramref name="invokedAt"/>, its results for <paramref name="resourceIds"/> recorded at <paramref name="recordedAt"/>.</summary>
    public void AddRun(DateTimeOffset invokedAt, DateTimeOffset recordedAt, IEnumerable<string> resourceIds)
    {
        lock (_gate) _runs.Add(new Run(invokedAt, recordedAt, [.. resourceIds]));
    }

    public Task StartConfigRulesEvaluationAsync(IReadOnlyList<string> configRuleNames, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            // Config's own limit: one start a minute, none while an evaluation is in progress.
            var busy = _runs.Any(r => r.InvokedAt <= now && now < r.RecordedAt) || now - _lastStart < TimeSpan.FromMinutes(1);
            if (RefuseStarts > 0 || busy)
            {
                if (RefuseStarts > 0) RefuseStarts--;
                return Task.FromException(new AwsServiceException("config", "StartConfigRulesEvaluation", "LimitExceededException", 400, "an evaluation is in progress"));
            }
            _startedEvaluations.Add([.. configRuleNames]);
            _lastStart = now;
            if (RunDuration is { } duration) _runs.Add(new Run(now, now + duration, RunEvaluates));
        }
        return Task.CompletedTask;
    }

    /// <summary>The newest invocation among the runs whose results for the resource are recorded by now.</summary>
    public Task<DateTimeOffset?> GetLastEvaluationTimeAsync(string configRuleName, string resourceType, string resourceId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _evaluationTimeQueries.Add(resourceId);
            var now = time.GetUtcNow();
            return Task.FromResult(_runs
                .Where(r => r.RecordedAt <= now && r.ResourceIds.Contains(resourceId, StringComparer.Ordinal))
                .Max(r => (DateTimeOffset?)r.InvokedAt));
        }
    }

    private sealed record Run(DateTimeOffset InvokedAt, DateTimeOffset RecordedAt, IReadOnlyList<string> ResourceIds);
}

/// <summary>What Config does with a rule's results that a periodic run does not state again.</summary>
internal enum UnrestatedHeld
{
    Kept,
    Dropped,
}

/// <summary>Which of two evaluations for one resource Config keeps.</summary>
public enum HeldOrdering
{
    /// <summary>The one with the newest OrderingTimestamp; an older one is dropped (the AWS double's behaviour so far).</summary>
    NewestOrderingTimestampWins,

    /// <summary>The one written last, whatever its OrderingTimestamp.</summary>
    LastWriteWins,
}

internal sealed record PutEvaluationsCall(IReadOnlyList<Evaluation> Evaluations, string ResultToken, bool TestMode, DateTimeOffset At, IReadOnlyList<Evaluation> Refused);

internal sealed record ItemRequest(string ResourceType, string ResourceId, DateTimeOffset? LaterTime);

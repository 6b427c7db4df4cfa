using System.Globalization;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Iam;

namespace MfaConfigRule.ConfigEvents;

/// <summary>
/// The rule's dispatcher: reads the event, owns applicability (resource type, deleted items, eventLeftScope), runs the
/// single-user or whole-account path, and hands the verdicts to the reporter.
/// </summary>
internal sealed class ConfigRuleHandler(UserAssessor assessor, EvaluationReporter reporter, IConfigClient config, TimeProvider time, HandlerOptions options)
{
    private static readonly string[] ApplicableStatuses = ["OK", "ResourceDiscovered"];

    // The longest a timer can wait (CancellationTokenSource refuses more).
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public async Task<InvocationSummary> HandleAsync(string eventJson, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        var configEvent = ConfigEvent.Parse(eventJson);
        var parameters = RuleParameters.ParseJson(configEvent.RuleParametersJson);
        var invoking = configEvent.Invoking;
        return invoking.MessageType switch
        {
            InvokingEvent.Scheduled => await SweepAsync(configEvent, parameters, deadline, cancellationToken).ConfigureAwait(false),
            InvokingEvent.ConfigurationItemChange or InvokingEvent.OversizedConfigurationItemChange =>
                await ChangeAsync(configEvent, parameters, cancellationToken).ConfigureAwait(false),
            _ => throw new ConfigEventException(
                $"unknown messageType '{invoking.MessageType}'; expected {InvokingEvent.Scheduled}, {InvokingEvent.ConfigurationItemChange} or {InvokingEvent.OversizedConfigurationItemChange}"),
        };
    }

    private async Task<InvocationSummary> SweepAsync(ConfigEvent configEvent, RuleParameters parameters, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        var ordering = OrderingTimestamp(configEvent);
        // The budget runs on the injected clock, like everything else that waits, so the deadline is testable.
        var reserve = deadline is { } end ? Reserve(end) : TimeSpan.Zero;
        var sweepDeadline = deadline is { } at ? new SweepDeadline(at, reserve) : null;
        using var deadlineReached = deadline is { } stop ? new CancellationTokenSource(SweepBudget(stop, reserve), time) : new CancellationTokenSource();
        using var sweepBudget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadlineReached.Token);
        SweepResult sweep;
        try
        {
            // The deadline goes down explicitly as well as in the token: the wait for a credential report is sized to it.
            sweep = await assessor.SweepAsync(parameters, sweepBudget.Token, deadline: sweepDeadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (deadlineReached.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Users that could not be read are failures inside the sweep; this is the budget running out before the users
            // were even listed (or the report read), so there is no user to name and nothing to report.
            throw new SweepDeadlineException(string.Create(CultureInfo.InvariantCulture,
                $"the sweep ran out of time during its account-wide reads (users, credential report, CloudTrail, virtual MFA devices): it stops {reserve.TotalSeconds:0} s before the Lambda deadline ({deadline:O}) to leave time for PutEvaluations. Nothing was reported; raise the function's timeout."), e);
        }
        var verdicts = sweep.Assessments
            .Select(a => a.ToEvaluation(a.User.UserId, ordering))
            .ToList();

        var warnings = sweep.Stats.Warnings.ToList();
        var plan = await reporter.PlanSweepAsync(configEvent.ConfigRuleName, verdicts, sweep.UserIds, parameters, ordering, cancellationToken).ConfigureAwait(false);
        if (plan.Warning is { } warning) warnings.Add(warning);
        var written = plan.Writes;
        var evaluations = verdicts.Concat(written.Where(e => !sweep.UserIds.Contains(e.ResourceId))).ToList();

        var outcome = await reporter.ReportAsync(written, configEvent.ResultToken, configEvent.IsTestMode, cancellationToken).ConfigureAwait(false);
        return new InvocationSummary(configEvent.ConfigRuleName, configEvent.AccountId, configEvent.Invoking.MessageType, configEvent.IsTestMode,
            evaluations, outcome.Unreported, sweep.Failures, sweep.Stats, plan.Vanished, warnings, null)
        {
            Users = sweep.Assessments.Select(a => a.User).Concat(sweep.Failures.Select(f => f.User))
                .DistinctBy(u => u.UserId).ToDictionary(u => u.UserId, StringComparer.Ordinal),
            Written = written.Count,
            Reasons = plan.CountsByReason,
        };
    }

    /// <summary>
    /// The OrderingTimestamp of every evaluation this invocation writes: the invoking event's notificationCreationTime
    /// (every message type carries it), else the invocation's own time; never a configuration item's capture time.
    /// Config keeps, per resource, either the evaluation with the newest OrderingTimestamp or the last one written (AWS
    /// does not say which). A verdict is a live reading made now, so it must be ordered after everything the rule wrote
    /// before for that user under both rules. A capture time is not: MFA changes create no configuration item, so a
    /// change notification Config replays (StartConfigRulesEvaluation) carries the user's last item, weeks old, and
    /// ordered by it a live NON_COMPLIANT would lose to yesterday's COMPLIANT under "newest wins" (issue 18).
    /// </summary>
    private DateTimeOffset OrderingTimestamp(ConfigEvent configEvent) => configEvent.Invoking.NotificationCreationTime ?? time.GetUtcNow();

    /// <summary>Time until the sweep must stop so PutEvaluations still fits, in <paramref name="reserve"/>, before <paramref name="deadline"/>.</summary>
    private TimeSpan SweepBudget(DateTimeOffset deadline, TimeSpan reserve)
    {
        var remaining = deadline - time.GetUtcNow();
        var budget = remaining - reserve > TimeSpan.Zero ? remaining - reserve : TimeSpan.Zero;
        // A timer cannot wait longer than this; a deadline beyond it (DateTimeOffset.MaxValue when the runtime got no
        // deadline header) would make the CancellationTokenSource throw instead of meaning "no hurry".
        return budget < MaxTimerDelay ? budget : MaxTimerDelay;
    }

    /// <summary>Time kept back for PutEvaluations: the larger of the configured reserve and a tenth of what is left.</summary>
    private TimeSpan Reserve(DateTimeOffset deadline) =>
        TimeSpan.FromTicks(Math.Max(options.ReportReserve.Ticks, (deadline - time.GetUtcNow()).Ticks / 10));

    private async Task<InvocationSummary> ChangeAsync(ConfigEvent configEvent, RuleParameters parameters, CancellationToken cancellationToken)
    {
        var item = configEvent.Invoking.Item!;
        // Not item.CaptureTime: see OrderingTimestamp.
        var ordering = OrderingTimestamp(configEvent);
        var messageType = configEvent.Invoking.MessageType;
        InvocationSummary Summary(IReadOnlyList<Evaluation> evaluations, IReadOnlyList<Evaluation> unreported, IReadOnlyList<AssessmentFailure> failures, string? note) =>
            new(configEvent.ConfigRuleName, configEvent.AccountId, messageType, configEvent.IsTestMode, evaluations, unreported, failures, null, 0, [], note);

        if (item.ResourceType != Evaluation.UserResourceType)
            return Summary([], [], [], $"ignored: resource type {item.ResourceType} is not {Evaluation.UserResourceType}");

        Evaluation evaluation;
        IamUser? evaluated = null;
        var failures = new List<AssessmentFailure>();
        if (configEvent.EventLeftScope || !ApplicableStatuses.Contains(item.Status, StringComparer.Ordinal))
        {
            evaluation = configEvent.EventLeftScope
                ? Evaluation.ForUser(item.ResourceId, ComplianceType.NotApplicable, "The user left the rule's scope.", ordering)
                : UserGone.IsDeletedItemStatus(item.Status)
                    ? UserGone.DeletedItem(item.ResourceId, item.Status, ordering)
                    : Evaluation.ForUser(item.ResourceId, ComplianceType.NotApplicable, UserGone.ItemStatusAnnotation(item.Status), ordering);
        }
        else
        {
            if (messageType == InvokingEvent.OversizedConfigurationItemChange)
            {
                item = await config.GetLatestConfigurationItemAsync(item.ResourceType, item.ResourceId, item.CaptureTime, cancellationToken).ConfigureAwait(false)
                    ?? throw new ConfigEventException($"GetResourceConfigHistory has no item for {item.ResourceType} {item.ResourceId} at {item.CaptureTime:O}");
            }
            var user = evaluated = item.ToUser();
            Assessment assessment;
            try
            {
                assessment = await AssessItemUserAsync(user, item.Tags, parameters, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException and not Aws.AwsServiceException and not HttpRequestException)
            {
                // The user's own data (a poison tag, say) costs this evaluation, as it would cost one user's in a sweep:
                // the invocation fails with a message naming the user and the cause, and Config retries it.
                failures.Add(new AssessmentFailure(user, $"unexpected {e.GetType().Name} while assessing this user: {e.Message}"));
                return Summary([], [], failures, null);
            }
            evaluated = assessment.User;
            if (!assessment.IsFinal)
            {
                failures.Add(new AssessmentFailure(assessment.User, $"no verdict: {assessment.Annotation}"));
                return Summary([], [], failures, null);
            }
            evaluation = assessment.ToEvaluation(item.ResourceId, ordering);
        }
        var outcome = await reporter.ReportAsync([evaluation], configEvent.ResultToken, configEvent.IsTestMode, cancellationToken).ConfigureAwait(false);
        return Summary([evaluation], outcome.Unreported, failures, null) with
        {
            Users = evaluated is null ? new Dictionary<string, IamUser>() : new Dictionary<string, IamUser> { [evaluated.UserId] = evaluated },
        };
    }

    /// <summary>
    /// The item names its user by ID (resourceId) and by name; IAM is asked by name, so the live user holding the name is
    /// checked against the ID first. A user renamed since the item is evaluated under its new name; a name now held by
    /// another user is not that user's verdict to give; no user with the ID means deleted.
    /// </summary>
    private async Task<Assessment> AssessItemUserAsync(IamUser itemUser, IReadOnlyDictionary<string, string> tags, RuleParameters parameters, CancellationToken cancellationToken)
    {
        var live = await assessor.ResolveAsync(itemUser, cancellationToken).ConfigureAwait(false);
        if (live is null)
            return UserGone.Assessment(itemUser);
        // The item's tags are this user's as Config recorded them; a user found under another name is read fresh, tags too.
        var sameName = string.Equals(live.UserName, itemUser.UserName, StringComparison.Ordinal);
        return await assessor.AssessLiveAsync(live, sameName ? tags : null, parameters, cancellationToken).ConfigureAwait(false);
    }
}

using MfaConfigRule.Aws;
using MfaConfigRule.CloudTrail;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Trigger;

/// <summary>
/// The <c>trigger</c> entry: an IAM call that can change a verdict arrives from EventBridge, and this asks Config to
/// re-run the rule at once, so the change shows within a minute or two instead of at the next scheduled run.
///
/// Three things make that re-run see the change without starting one per event. First, the sweep reads live every
/// user whose verdict a change could turn the dangerous way, so the trigger starts at once; only for a deleted console
/// password, which the sweep learns from CloudTrail's lagging event history, does it wait until LookupEvents returns
/// this very event (without the wait the re-run would keep the user COMPLIANT, never hide a NON_COMPLIANT one). Second,
/// the function runs one event at a time (reserved concurrency 1) and remembers in this instance when Config last
/// accepted a start: an event older than that start by the propagation margin is already covered. Third, Config refuses a start while an
/// evaluation runs or within a minute of the last. A sweep evaluates every user, so a refused start is already
/// covered once the rule's result for the changed user comes from an invocation that began after the change became
/// visible; the trigger looks for that result (GetComplianceDetailsByResource) after each refusal, before it asks
/// again, so a burst of changes ends in one re-run, not one per change. DescribeConfigRuleEvaluationStatus cannot tell
/// this: it does not report custom Lambda rules. When the user cannot be named by ID (a deleted user) there is no
/// result to look for, and the trigger retries the start until Config accepts it.
/// </summary>
internal sealed class TriggerHandler(
    IConfigClient config, ICloudTrailClient cloudTrail, IIamClient iam, TimeProvider time, TriggerOptions options, string configRuleName)
{
    /// <summary>The action of an event that made Config re-run the rule (the trigger's metric counts these).</summary>
    public const string StartedAction = "started a re-evaluation";

    // Per instance, not static: one Lambda execution environment handles one event at a time, and a new one starts empty.
    private readonly StartMemory _starts = new();

    /// <summary>The single-account entry: every move in process, waiting out each <see cref="TriggerStep.ComeBackAt"/>.</summary>
    public async Task<TriggerOutcome> HandleAsync(string eventJson, CancellationToken cancellationToken)
    {
        var iamEvent = IamApiCallEvent.Parse(eventJson);
        var progress = TriggerProgress.Received(iamEvent, time.GetUtcNow());
        while (true)
        {
            switch (await PassAsync(iamEvent, progress, _starts, configRuleName, cancellationToken).ConfigureAwait(false))
            {
                case TriggerPass.Done done:
                    return done.Outcome;
                case TriggerPass.Later later:
                    var wait = later.Step.At - time.GetUtcNow();
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                    progress = later.Step.Progress;
                    break;
            }
        }
    }

    /// <summary>
    /// One pass over an event: the moves <see cref="TriggerDecision"/> picks, carried out against this handler's clients,
    /// until the event is finished or must come back later. <paramref name="starts"/> is what this instance knows of the
    /// rule's starts in the account the clients act in.
    /// </summary>
    public async Task<TriggerPass> PassAsync(IamApiCallEvent iamEvent, TriggerProgress progress, StartMemory starts, string ruleName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(iamEvent);
        ArgumentNullException.ThrowIfNull(starts);
        while (true)
        {
            var now = time.GetUtcNow();
            switch (TriggerDecision.Next(iamEvent, progress, starts.Current, now, options))
            {
                case TriggerStep.Finished finished:
                    return Done(finished.Action);
                case TriggerStep.ComeBackAt later:
                    return new TriggerPass.Later(later);
                case TriggerStep.LookForEvent:
                    if (!await VisibleAsync(iamEvent, cancellationToken).ConfigureAwait(false))
                        return new TriggerPass.Later(TriggerDecision.NotYetVisible(progress, now, options));
                    progress = progress with { VisibleAt = time.GetUtcNow() };
                    break;
                case TriggerStep.LookForCoveringResult:
                    // The run that refused the start may be someone else's re-run that has seen the change: starting one
                    // more would only repeat it, at the cost of one evaluation per user.
                    progress = await ResolveUserAsync(iamEvent, progress, cancellationToken).ConfigureAwait(false);
                    if (await CoveringInvocationAsync(progress, ruleName, cancellationToken).ConfigureAwait(false) is { } invoked)
                        return Done($"covered by the evaluation invoked at {invoked:O}");
                    progress = progress with { StartRefused = false };
                    break;
                case TriggerStep.Start:
                    try
                    {
                        // The time before the call, not after: the run Config starts reads IAM no earlier than this.
                        var asked = time.GetUtcNow();
                        await config.StartConfigRulesEvaluationAsync([ruleName], cancellationToken).ConfigureAwait(false);
                        starts.Accepted(asked);
                        return Done(StartedAction);
                    }
                    catch (AwsServiceException e) when (e.ErrorCode == "LimitExceededException")
                    {
                        // Refused: an evaluation runs, or one started within the minute. Come back, then look before asking again.
                        var refusedAt = time.GetUtcNow();
                        starts.Refused(refusedAt);
                        return new TriggerPass.Later(TriggerDecision.Refused(progress, refusedAt, options));
                    }
            }
        }

        TriggerPass Done(string action) => new TriggerPass.Done(new TriggerOutcome(iamEvent.EventName, iamEvent.UserName, action, progress.VisibleAt));
    }

    /// <summary>When Config invoked the rule for the user's newest result, if that was after the change became visible.</summary>
    private async Task<DateTimeOffset?> CoveringInvocationAsync(TriggerProgress progress, string ruleName, CancellationToken cancellationToken)
    {
        if (progress.UserId is not { } userId || progress.VisibleAt is not { } visibleAt) return null;
        var invoked = await config.GetLastEvaluationTimeAsync(ruleName, Evaluation.UserResourceType, userId, cancellationToken).ConfigureAwait(false);
        return invoked > visibleAt ? invoked : null;
    }

    private async Task<bool> VisibleAsync(IamApiCallEvent iamEvent, CancellationToken cancellationToken)
    {
        var from = iamEvent.EventTime - TimeSpan.FromMinutes(5);
        var found = await cloudTrail.LookupEventsAsync("EventId", iamEvent.EventId, from, time.GetUtcNow() + TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        return found.Count > 0;
    }

    /// <summary>
    /// The changed user's ID, which Config's results are keyed by: from the event when it carries one (CreateUser's
    /// response), else from GetUser, asked once per event and only when a refused start makes it worth knowing. None for
    /// a deleted user or an event that names no user.
    /// </summary>
    private async Task<TriggerProgress> ResolveUserAsync(IamApiCallEvent iamEvent, TriggerProgress progress, CancellationToken cancellationToken)
    {
        if (progress.UserResolved) return progress;
        string? userId = null;
        if (iamEvent.UserName is { Length: > 0 } userName && iamEvent.EventName != "DeleteUser")
            userId = (await iam.GetUserAsync(userName, cancellationToken).ConfigureAwait(false))?.UserId;
        return progress with { UserResolved = true, UserId = userId };
    }
}

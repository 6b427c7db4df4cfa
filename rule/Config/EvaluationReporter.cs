using MfaConfigRule.Compliance;

namespace MfaConfigRule.Config;

internal sealed record ReporterOptions
{
    /// <summary>PutEvaluations takes at most 100 evaluations a call.</summary>
    public const int BatchSize = 100;

    /// <summary>Rounds of re-sending what came back in FailedEvaluations.</summary>
    public int FailedEvaluationRetries { get; init; } = 4;

    public TimeSpan FailedEvaluationDelay { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>What reached Config and what did not, after every retry.</summary>
internal sealed record ReportOutcome(int Sent, int Calls, IReadOnlyList<Evaluation> Unreported);

/// <summary>
/// Owns PutEvaluations: batches of 100, FailedEvaluations re-sent, and what a sweep writes (clean-up of users that no
/// longer exist, and with ReportChangesOnly only what changed).
/// </summary>
internal sealed class EvaluationReporter(IConfigClient config, TimeProvider time, ReporterOptions options)
{
    public const string VanishedAnnotation = ChangedResults.VanishedAnnotation;

    public async Task<ReportOutcome> ReportAsync(IReadOnlyList<Evaluation> evaluations, string resultToken, bool testMode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        var calls = 0;
        if (evaluations.Count == 0)
        {
            // An empty call still tells Config the run happened (as rdklib does).
            await config.PutEvaluationsAsync([], resultToken, testMode, cancellationToken).ConfigureAwait(false);
            return new ReportOutcome(0, 1, []);
        }

        IReadOnlyList<Evaluation> pending = evaluations;
        for (var round = 0; ; round++)
        {
            var failed = new List<Evaluation>();
            foreach (var batch in pending.Chunk(ReporterOptions.BatchSize))
            {
                failed.AddRange(await config.PutEvaluationsAsync(batch, resultToken, testMode, cancellationToken).ConfigureAwait(false));
                calls++;
            }
            if (failed.Count == 0 || round >= options.FailedEvaluationRetries)
                return new ReportOutcome(evaluations.Count - failed.Count, calls, failed);
            pending = failed;
            await Task.Delay(options.FailedEvaluationDelay * (1 << round), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What a sweep writes: reads the results Config holds for the rule (COMPLIANT and NON_COMPLIANT only, for the
    /// clean-up of deleted users, unless <see cref="RuleParameters.ReportChangesOnly"/> needs every one to compare with)
    /// and lets <see cref="ChangedResults.Decide"/> decide, user by user. If Config cannot be read, every verdict is
    /// written (the default behaviour, never fewer) and the warning says what was skipped.
    /// </summary>
    public async Task<SweepReportPlan> PlanSweepAsync(
        string configRuleName, IReadOnlyList<Evaluation> verdicts, IReadOnlySet<string> currentUserIds, RuleParameters parameters,
        DateTimeOffset orderingTimestamp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        IReadOnlyList<ComplianceType> types = parameters.ReportChangesOnly
            ? [ComplianceType.Compliant, ComplianceType.NonCompliant, ComplianceType.NotApplicable]
            : [ComplianceType.Compliant, ComplianceType.NonCompliant];
        IReadOnlyList<EvaluationResultSummary>? held = null;
        string? warning = null;
        try
        {
            held = await config.GetComplianceDetailsByConfigRuleAsync(configRuleName, types, cancellationToken).ConfigureAwait(false);
        }
        catch (Aws.AwsServiceException e)
        {
            warning = parameters.ReportChangesOnly
                ? $"what Config holds could not be read, so every verdict was written and results of deleted users were not cleaned up: {e.ErrorCode}: {e.ServiceMessage}"
                : $"results of deleted users were not cleaned up: {e.ErrorCode}: {e.ServiceMessage}";
        }
        var decisions = ChangedResults.Decide(verdicts, currentUserIds, held, parameters, time.GetUtcNow(), orderingTimestamp);
        return new SweepReportPlan(decisions, warning);
    }
}

/// <summary>A sweep's decisions, user by user, and a warning when what Config holds could not be read.</summary>
internal sealed record SweepReportPlan(IReadOnlyList<ResultDecision> Decisions, string? Warning)
{
    /// <summary>The evaluations to send to PutEvaluations, in decision order.</summary>
    public IReadOnlyList<Evaluation> Writes => [.. Decisions.Where(d => d.Write is not null).Select(d => d.Write!)];

    public int Vanished => Decisions.Count(d => d.Reason == ResultReason.Vanished);

    /// <summary>The users Config held a result for that no longer exist: their verdicts say so by this flag, not by their text.</summary>
    public IReadOnlySet<string> VanishedUserIds =>
        Decisions.Where(d => d.Reason == ResultReason.Vanished).Select(d => d.ResourceId).ToHashSet(StringComparer.Ordinal);

    public int Unchanged => Decisions.Count(d => d.Reason == ResultReason.Unchanged);

    /// <summary>How many decisions had each reason, for the log line.</summary>
    public IReadOnlyDictionary<string, int> CountsByReason =>
        Decisions.GroupBy(d => d.Reason.ToString()).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}

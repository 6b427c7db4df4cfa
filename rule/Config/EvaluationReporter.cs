using MfaConfigRule.Compliance;

namespace MfaConfigRule.Config;

/// <summary>
/// Owns PutEvaluations: batches of 100, FailedEvaluations re-sent, and what a sweep writes (clean-up of users that no
/// longer exist, and with ReportChangesOnly only what changed).
/// </summary>
internal sealed class EvaluationReporter(IConfigClient config, TimeProvider time, ReporterOptions options)
{
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

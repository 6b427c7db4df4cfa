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

/// <summary>Owns PutEvaluations: batches of 100, FailedEvaluations re-sent, and clean-up of users that no longer exist.</summary>
internal sealed class EvaluationReporter(IConfigClient config, TimeProvider time, ReporterOptions options)
{
    public const string VanishedAnnotation = "The user no longer exists; its earlier result no longer applies.";

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
    /// NOT_APPLICABLE for every user Config still holds a COMPLIANT or NON_COMPLIANT result for but that is not among
    /// <paramref name="currentUserIds"/> (deleted users would otherwise keep their last verdict for ever).
    /// </summary>
    public async Task<IReadOnlyList<Evaluation>> VanishedUsersAsync(string configRuleName, IReadOnlySet<string> currentUserIds, DateTimeOffset orderingTimestamp, CancellationToken cancellationToken)
    {
        var held = await config.GetComplianceDetailsByConfigRuleAsync(
            configRuleName, [ComplianceType.Compliant, ComplianceType.NonCompliant], cancellationToken).ConfigureAwait(false);
        return held
            .Where(r => r.ResourceType == Evaluation.UserResourceType && !currentUserIds.Contains(r.ResourceId))
            .DistinctBy(r => r.ResourceId)
            .Select(r => Evaluation.ForUser(r.ResourceId, ComplianceType.NotApplicable, VanishedAnnotation, orderingTimestamp))
            .ToList();
    }
}

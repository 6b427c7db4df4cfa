using MfaConfigRule.ConfigEvents;
using MfaConfigRule.Contract;
using MfaConfigRule.Hosting;
using MfaConfigRule.Logging;
using static MfaConfigRule.Contract.SecurityHubSettings;

namespace MfaConfigRule.SecurityHub;

/// <summary>
/// The opt-in direct export as the <c>evaluate</c> function runs it: after the Config verdicts are written, one finding per
/// verdict into the account's Security Hub. Switched on by <c>SECURITY_HUB_FINDINGS=direct</c> (the CDK app sets it
/// with <c>-c mfaRule:securityHubFindings=direct</c>); <c>SECURITY_HUB_FAILED_SEVERITY</c> sets the severity of FAILED findings.
/// </summary>
internal sealed class SecurityHubExport(ISecurityHubClient securityHub, FindingExporter exporter, string region)
{
    /// <summary>Time kept back from the Lambda deadline so the invocation can still log and answer.</summary>
    public static readonly TimeSpan DeadlineMargin = TimeSpan.FromSeconds(3);

    /// <summary>The export options the environment asks for, or null when the export is off; a bad value is an error naming it.</summary>
    public static ExportOptions? OptionsFrom(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var mode = environment.Get(ModeVariable)?.Trim();
        if (string.IsNullOrEmpty(mode) || string.Equals(mode, OffMode, StringComparison.OrdinalIgnoreCase)) return null;
        if (!string.Equals(mode, DirectMode, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{ModeVariable}='{mode}' is not '{DirectMode}' or '{OffMode}'");
        var severity = environment.Get(FailedSeverityVariable)?.Trim();
        return new ExportOptions { FailedSeverity = string.IsNullOrEmpty(severity) ? SeverityLabel.High : ParseFailedSeverity(severity, FailedSeverityVariable) };
    }

    /// <summary>
    /// Exports the summary's verdicts, after they went to Config. Never throws: whatever goes wrong is the result's
    /// warning, for the invocation's log line, and the invocation's own outcome stays what Config's side made it.
    /// </summary>
    public async Task<FindingsResult> ExportAsync(InvocationSummary summary, DateTimeOffset? deadline, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(time);
        if (summary.TestMode) return new FindingsResult(null, null, "test mode: no findings imported");
        if (string.IsNullOrEmpty(summary.AccountId)) return new FindingsResult(null, "the event names no account: no findings imported");
        if (summary.Evaluations.Count == 0) return new FindingsResult(null, null);
        var subjects = summary.Evaluations
            .Select(e => new FindingSubject(e, summary.Users.GetValueOrDefault(e.ResourceId)))
            .ToList();
        try
        {
            using var budget = deadline is { } end
                ? new CancellationTokenSource(Remaining(end - DeadlineMargin, time), time)
                : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
            var outcome = await exporter.ExportAsync(securityHub, new FindingScope(summary.AccountId, region, summary.ConfigRuleName), subjects, linked.Token)
                .ConfigureAwait(false);
            return new FindingsResult(outcome, outcome.Warning);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A Config verdict is never lost to Security Hub: whatever escaped the exporter is reported, not thrown.
            return new FindingsResult(null, $"Security Hub export failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private static TimeSpan Remaining(DateTimeOffset until, TimeProvider time)
    {
        var left = until - time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}

/// <summary>What the export did, for the invocation's log line: counts under <c>securityHub</c>, any problem under <c>securityHubWarning</c>.</summary>
internal sealed record FindingsResult(ExportOutcome? Outcome, string? Warning, string? Note = null)
{
    public void AddTo(LogFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (Outcome is not null) fields["securityHub"] = LogValue.Counts(Outcome.Counts);
        if (Warning is not null) fields["securityHubWarning"] = Warning;
        if (Note is not null) fields["securityHubNote"] = Note;
    }
}

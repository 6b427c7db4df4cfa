using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.Contract;

namespace MfaConfigRule.SecurityHub;

internal sealed record ExportOptions
{
    /// <summary>BatchImportFindings limits (Security Hub user guide): 100 findings, 6 MB a call, 240 KB a finding.</summary>
    public const int MaxFindingsPerBatch = 100;
    public const int MaxBatchBytes = 6 * 1000 * 1000;
    public const int MaxFindingBytes = 240 * 1000;

    /// <summary>Severity of a FAILED finding (console password without MFA); every other finding is INFORMATIONAL.</summary>
    public SeverityLabel FailedSeverity { get; init; } = SeverityLabel.High;

    /// <summary>BatchImportFindings' throttle: 10 requests a second per account and Region, bursts of 30.</summary>
    public double RequestsPerSecond { get; init; } = 10;
    public int Burst { get; init; } = 30;

    /// <summary>Rounds of re-sending findings that came back in FailedFindings with an error that may pass.</summary>
    public int FailedFindingRetries { get; init; } = 3;
    public TimeSpan FailedFindingDelay { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>What reached Security Hub. <see cref="Warning"/> says, for the log line, why something did not.</summary>
internal sealed record ExportOutcome(int Findings, int Imported, int Calls, IReadOnlyList<FailedFinding> Failed, string? Warning)
{
    public IReadOnlyDictionary<string, int> Counts => new SortedDictionary<string, int>(StringComparer.Ordinal)
    {
        ["findings"] = Findings,
        ["imported"] = Imported,
        ["failed"] = Findings - Imported,
        ["calls"] = Calls,
    };
}

/// <summary>
/// Imports one finding per verdict into one account's Security Hub: batches within the call's limits, paced under its
/// throttle, FailedFindings re-sent when the error may pass, the rest reported. Never throws for anything Security Hub
/// or the network does: the Config verdicts are already written, and a Security Hub problem must not cost them. The
/// client comes in per call, so an organization run can pass each member account's own.
/// </summary>
internal sealed class FindingExporter(TimeProvider time, ExportOptions options)
{
    /// <summary>Errors that another attempt will not fix: the finding is wrong, or Security Hub refuses the account.</summary>
    private static readonly IReadOnlySet<string> PermanentErrors = new HashSet<string>(StringComparer.Ordinal)
    {
        "InvalidInput", "InvalidInputException", "InvalidAccess", "InvalidAccessException", "AccessDenied", "AccessDeniedException",
    };

    private readonly Dictionary<string, RequestPacer> _pacers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ExportOptions Options => options;

    public async Task<ExportOutcome> ExportAsync(ISecurityHubClient securityHub, FindingScope scope, IReadOnlyList<FindingSubject> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(securityHub);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(subjects);
        var now = time.GetUtcNow();
        var encoded = subjects
            .DistinctBy(s => s.Verdict.ResourceId, StringComparer.Ordinal)
            .Select(s => FindingBuilder.Build(s, scope, options.FailedSeverity, now))
            .Select(f => (f.Id, Json: JsonSerializer.SerializeToUtf8Bytes(f, AsffJsonContext.Default.AsffFinding)))
            .ToList();
        var failed = new Dictionary<string, FailedFinding>(StringComparer.Ordinal);
        foreach (var (id, json) in encoded.Where(e => e.Json.Length > ExportOptions.MaxFindingBytes))
            failed[id] = new FailedFinding(id, "FindingTooLarge", $"{json.Length} bytes; Security Hub takes at most {ExportOptions.MaxFindingBytes}");
        var pending = encoded.Where(e => !failed.ContainsKey(e.Id)).ToList();
        var pacer = Pacer(scope);
        var imported = new HashSet<string>(StringComparer.Ordinal);
        var calls = 0;
        string? warning = null;

        try
        {
            for (var round = 0; pending.Count > 0; round++)
            {
                var retry = new List<(string Id, byte[] Json)>();
                foreach (var batch in FindingBatches.Pack(pending))
                {
                    await pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
                    calls++;
                    IReadOnlyList<FailedFinding> refused;
                    try
                    {
                        refused = await securityHub.BatchImportFindingsAsync(batch.Body, cancellationToken).ConfigureAwait(false);
                    }
                    catch (AwsServiceException e)
                    {
                        // The transport has already retried throttling, 5xx and timeouts; what is left will not pass in this run.
                        warning = e.ErrorCode is "InvalidAccessException" or "AccessDeniedException"
                            ? NotEnabled(scope, e.ServiceMessage)
                            : $"Security Hub BatchImportFindings failed: {e.ErrorCode}: {e.ServiceMessage}";
                        return Outcome(encoded.Count, failed, pending.Where(f => !imported.Contains(f.Id)), calls, warning);
                    }
                    var refusedById = refused.DistinctBy(r => r.Id, StringComparer.Ordinal).ToDictionary(r => r.Id, StringComparer.Ordinal);
                    foreach (var finding in batch.Findings)
                    {
                        if (!refusedById.TryGetValue(finding.Id, out var refusal))
                        {
                            failed.Remove(finding.Id);
                            imported.Add(finding.Id);
                            continue;
                        }
                        failed[finding.Id] = refusal;
                        if (!PermanentErrors.Contains(refusal.ErrorCode) && round < options.FailedFindingRetries) retry.Add(finding);
                    }
                }
                if (failed.Values.Any(f => f.ErrorCode is "InvalidAccess" or "InvalidAccessException"))
                {
                    warning = NotEnabled(scope, failed.Values.First(f => f.ErrorCode is "InvalidAccess" or "InvalidAccessException").ErrorMessage);
                    break;
                }
                pending = retry;
                if (pending.Count > 0) await Task.Delay(options.FailedFindingDelay * (1 << round), time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            warning = "Security Hub export stopped at the invocation's deadline";
            return Outcome(encoded.Count, failed, pending.Where(f => !imported.Contains(f.Id)), calls, warning);
        }
        catch (AwsCredentialsException e)
        {
            return Outcome(encoded.Count, failed, pending.Where(f => !imported.Contains(f.Id)), calls, $"Security Hub export had no credentials: {e.Message}");
        }

        if (warning is null && failed.Count > 0)
        {
            warning = $"{failed.Count} finding(s) refused by Security Hub BatchImportFindings: " +
                string.Join("; ", failed.Values.Take(5).Select(f => $"{f.Id} ({f.ErrorCode}: {f.ErrorMessage})")) +
                (failed.Count > 5 ? $"; and {failed.Count - 5} more" : string.Empty);
        }
        return new ExportOutcome(encoded.Count, encoded.Count - failed.Count, calls, [.. failed.Values], warning);
    }

    private static string NotEnabled(FindingScope scope, string message) =>
        $"Security Hub is not enabled in account {scope.AccountId}, Region {scope.Region} (or refuses this account's findings): no findings imported; the Config verdicts are unaffected. Enable Security Hub there, or set mfaRule:securityHubFindings=off. ({message})";

    /// <summary>Findings not sent at all (an error or the deadline stopped the run) count as failed, alongside those refused.</summary>
    private static ExportOutcome Outcome(int total, Dictionary<string, FailedFinding> failed, IEnumerable<(string Id, byte[] Json)> unsent, int calls, string warning)
    {
        foreach (var (id, _) in unsent) failed.TryAdd(id, new FailedFinding(id, "NotSent", warning));
        return new ExportOutcome(total, total - failed.Count, calls, [.. failed.Values], warning);
    }

    private RequestPacer Pacer(FindingScope scope)
    {
        lock (_gate)
        {
            var key = $"{scope.AccountId}/{scope.Region}";
            if (!_pacers.TryGetValue(key, out var pacer)) _pacers[key] = pacer = new RequestPacer(time, options.RequestsPerSecond, options.Burst);
            return pacer;
        }
    }
}

/// <summary>One BatchImportFindings request body and the findings in it.</summary>
internal sealed record FindingBatch(byte[] Body, IReadOnlyList<(string Id, byte[] Json)> Findings);

/// <summary>Packs serialized findings into request bodies of at most 100 findings and 6 MB, in order.</summary>
internal static class FindingBatches
{
    private static readonly byte[] Opening = "{\"Findings\":["u8.ToArray();
    private static readonly byte[] Closing = "]}"u8.ToArray();

    public static IEnumerable<FindingBatch> Pack(IReadOnlyList<(string Id, byte[] Json)> findings, int maxBytes = ExportOptions.MaxBatchBytes)
    {
        var current = new List<(string Id, byte[] Json)>();
        var size = Opening.Length + Closing.Length;
        foreach (var finding in findings)
        {
            var added = finding.Json.Length + (current.Count > 0 ? 1 : 0);
            if (current.Count > 0 && (current.Count == ExportOptions.MaxFindingsPerBatch || size + added > maxBytes))
            {
                yield return Build(current);
                current = [];
                size = Opening.Length + Closing.Length;
                added = finding.Json.Length;
            }
            current.Add(finding);
            size += added;
        }
        if (current.Count > 0) yield return Build(current);
    }

    private static FindingBatch Build(List<(string Id, byte[] Json)> findings)
    {
        using var body = new MemoryStream();
        body.Write(Opening);
        for (var i = 0; i < findings.Count; i++)
        {
            if (i > 0) body.WriteByte((byte)',');
            body.Write(findings[i].Json);
        }
        body.Write(Closing);
        return new FindingBatch(body.ToArray(), findings);
    }
}

/// <summary>A token bucket on the injected clock: <c>burst</c> requests at once, then <c>perSecond</c> a second.</summary>
internal sealed class RequestPacer(TimeProvider time, double perSecond, int burst)
{
    private readonly Lock _gate = new();
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var nowTicks = time.GetTimestamp();
                _tokens = Math.Min(burst, _tokens + time.GetElapsedTime(_last, nowTicks).TotalSeconds * perSecond);
                _last = nowTicks;
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return;
                }
                wait = TimeSpan.FromSeconds((1 - _tokens) / perSecond);
            }
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }
}

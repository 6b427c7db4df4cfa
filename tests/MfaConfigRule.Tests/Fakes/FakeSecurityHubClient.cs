using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.SecurityHub;

namespace MfaConfigRule.Tests.Fakes;

/// <summary>
/// Security Hub in memory: BatchImportFindings records each call (its size and the finding ids in it, with the time on
/// the test's clock), refuses a finding a scripted number of times with a given error code, or fails whole calls.
/// </summary>
internal sealed class FakeSecurityHubClient(TimeProvider time) : ISecurityHubClient
{
    private readonly Lock _gate = new();
    private readonly List<ImportCall> _calls = [];
    private readonly Dictionary<string, (int Times, string Code)> _refusals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _stored = new(StringComparer.Ordinal);

    public sealed record ImportCall(int Bytes, IReadOnlyList<string> Ids, DateTimeOffset At);

    /// <summary>Runs at the start of every call, before anything is recorded (a test's check of what happened first).</summary>
    public Action? OnCall { get; set; }

    /// <summary>When set, every call throws this (as the transport does once its retries are spent).</summary>
    public AwsServiceException? Failure { get; set; }

    /// <summary>Calls that succeed before <see cref="Failure"/> starts to apply.</summary>
    public int FailureAfterCalls { get; set; }

    public IReadOnlyList<ImportCall> Calls
    {
        get { lock (_gate) return [.. _calls]; }
    }

    /// <summary>The last accepted finding JSON per finding id.</summary>
    public IReadOnlyDictionary<string, string> Stored
    {
        get { lock (_gate) return new Dictionary<string, string>(_stored, StringComparer.Ordinal); }
    }

    public void Refuse(string findingId, int times, string errorCode)
    {
        lock (_gate) _refusals[findingId] = (times, errorCode);
    }

    public Task<IReadOnlyList<FailedFinding>> BatchImportFindingsAsync(byte[] requestBody, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        OnCall?.Invoke();
        using var document = JsonDocument.Parse(requestBody);
        var findings = document.RootElement.GetProperty("Findings").EnumerateArray().ToList();
        lock (_gate)
        {
            _calls.Add(new ImportCall(requestBody.Length, findings.Select(f => f.GetProperty("Id").GetString()!).ToList(), time.GetUtcNow()));
            if (Failure is not null && _calls.Count > FailureAfterCalls) throw Failure;
            var failed = new List<FailedFinding>();
            foreach (var finding in findings)
            {
                var id = finding.GetProperty("Id").GetString()!;
                if (_refusals.TryGetValue(id, out var refusal) && refusal.Times > 0)
                {
                    _refusals[id] = (refusal.Times - 1, refusal.Code);
                    failed.Add(new FailedFinding(id, refusal.Code, "refused by the test"));
                    continue;
                }
                _stored[id] = finding.GetRawText();
            }
            return Task.FromResult<IReadOnlyList<FailedFinding>>(failed);
        }
    }
}

namespace AwsDouble.Ssm;

/// <summary>One Automation execution as <c>GetAutomationExecution</c> describes it.</summary>
public sealed record AutomationExecutionRecord(
    string AutomationExecutionId,
    string DocumentName,
    string DocumentVersion,
    string Status,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Parameters,
    DateTimeOffset ExecutionStartTime,
    DateTimeOffset? ExecutionEndTime,
    string ExecutedBy);

/// <summary>
/// Systems Manager Automation in one account and Region: the executions a test starts (as Config's remediation or an
/// operator would), each InProgress until the test ends it. Executions are regional and private to their account, as
/// in SSM: another account's execution ID is simply not found here.
/// </summary>
public sealed class SsmRegion(string accountId, string region, DoubleClock clock, Random random)
{
    /// <summary>SSM's terminal and running statuses (AutomationExecutionStatus).</summary>
    public static readonly IReadOnlyList<string> Statuses =
        ["Pending", "InProgress", "Waiting", "Success", "TimedOut", "Cancelling", "Cancelled", "Failed", "PendingApproval",
         "Approved", "Rejected", "Scheduled", "RunbookInProgress", "PendingChangeCalendarOverride", "ChangeCalendarOverrideApproved",
         "ChangeCalendarOverrideRejected", "CompletedWithSuccess", "CompletedWithFailure", "Exited"];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, AutomationExecutionRecord> _executions = new(StringComparer.Ordinal);

    public string AccountId { get; } = accountId;
    public string Region { get; } = region;

    /// <summary>Starts an execution of <paramref name="documentName"/> with the parameters as StartAutomationExecution received them; it is InProgress.</summary>
    public AutomationExecutionRecord StartAutomationExecution(string documentName, IReadOnlyDictionary<string, IReadOnlyList<string>> parameters, string? executedBy = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(documentName);
        ArgumentNullException.ThrowIfNull(parameters);
        var execution = new AutomationExecutionRecord(NewExecutionId(), documentName, "1", "InProgress",
            new Dictionary<string, IReadOnlyList<string>>(parameters, StringComparer.Ordinal), clock.GetUtcNow(), null,
            executedBy ?? $"arn:aws:sts::{AccountId}:assumed-role/AWSServiceRoleForConfigRemediation/config-remediation");
        lock (_gate) _executions[execution.AutomationExecutionId] = execution;
        return execution;
    }

    /// <summary>Ends an execution with a terminal status (Success, Failed, Cancelled, TimedOut…).</summary>
    public void Finish(string executionId, string status)
    {
        if (!Statuses.Contains(status, StringComparer.Ordinal)) throw new ArgumentException($"'{status}' is not an automation status", nameof(status));
        lock (_gate)
        {
            var execution = _executions.GetValueOrDefault(executionId) ?? throw new InvalidOperationException($"no execution {executionId} in {AccountId}/{Region}");
            _executions[executionId] = execution with { Status = status, ExecutionEndTime = clock.GetUtcNow() };
        }
    }

    private string NewExecutionId()
    {
        var bytes = new byte[16];
        lock (_gate) random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    public AutomationExecutionRecord? Find(string executionId)
    {
        lock (_gate) return _executions.GetValueOrDefault(executionId);
    }
}

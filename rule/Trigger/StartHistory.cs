namespace MfaConfigRule.Trigger;

/// <summary>What one function instance knows about one rule's starts (per account in Organization mode).</summary>
internal sealed record StartHistory(DateTimeOffset? LastAccepted, DateTimeOffset? LastRefused)
{
    public static StartHistory None { get; } = new(null, null);
}

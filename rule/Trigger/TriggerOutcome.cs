namespace MfaConfigRule.Trigger;

/// <summary>What the trigger did with one IAM event.</summary>
internal sealed record TriggerOutcome(string EventName, string? UserName, string Action, DateTimeOffset? VisibleAt);

namespace MfaConfigRule.Trigger;

internal sealed record TriggerOptions
{
    /// <summary>How often to look for the event in CloudTrail's event history, which lags EventBridge by minutes.</summary>
    public TimeSpan VisibilityPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>StartConfigRulesEvaluation allows one call a minute per rule.</summary>
    public TimeSpan StartRetryInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long after an IAM call its effect is taken to be visible to IAM's reads everywhere (IAM is eventually
    /// consistent, usually within seconds): a change this much older than an accepted start is covered by that start.
    /// </summary>
    public TimeSpan PropagationMargin { get; init; } = TimeSpan.FromSeconds(30);
}

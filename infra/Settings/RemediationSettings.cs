using MfaConfigRule.Contract;

namespace MfaConfigRule.Infra.Settings;

/// <summary>Whether the stack deploys remediation, and whether Config runs it by itself.</summary>
internal enum RemediationMode
{
    Off,
    Manual,
    Automatic,
}

/// <summary>The optional remediation: off (the default), manual (an operator runs it from Config) or automatic, and what it does.</summary>
internal sealed record RemediationSettings
{
    public const string ModeKey = "mfaRule:remediation";
    public const string ActionKey = "mfaRule:remediationAction";
    public const string DenyAccessKeysKey = "mfaRule:remediationDenyAccessKeys";
    public const string MaxAttemptsKey = "mfaRule:remediationMaxAttempts";
    public const string RetrySecondsKey = "mfaRule:remediationRetrySeconds";

    public RemediationMode Mode { get; init; } = RemediationMode.Off;

    public RemediationAction Action { get; init; } = RemediationAction.EnforceMfa;

    /// <summary>EnforceMfa only: also deny the user's long-term access-key calls until MFA (BoolIfExists); off by default.</summary>
    public bool DenyAccessKeys { get; init; }

    /// <summary>Automatic remediation: Config's attempts per user (1-25) and the period they are spread over.</summary>
    public int MaxAttempts { get; init; } = 5;

    public int RetrySeconds { get; init; } = 60;

    public bool Automatic => Mode == RemediationMode.Automatic;

    public static RemediationSettings Read(ContextReader context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var defaults = new RemediationSettings();
        var settings = new RemediationSettings
        {
            Mode = context.Read(ModeKey, defaults.Mode, ParseMode),
            Action = context.Read(ActionKey, defaults.Action, ParseAction),
            DenyAccessKeys = context.Read(DenyAccessKeysKey, defaults.DenyAccessKeys, ContextReader.ParseBool),
            MaxAttempts = context.Read(MaxAttemptsKey, defaults.MaxAttempts, v => ContextReader.ParseInt(v, 1, 25, "attempts")),
            // Config: RetryAttemptSeconds from 1 second to 2678000 (31 days).
            RetrySeconds = context.Read(RetrySecondsKey, defaults.RetrySeconds, v => ContextReader.ParseInt(v, 1, 2678000, "seconds")),
        };
        if (settings.DenyAccessKeys && settings.Action != RemediationAction.EnforceMfa)
            context.Reject($"{DenyAccessKeysKey}: applies to the EnforceMfa policy only, not to {settings.Action}");
        return settings;
    }

    private static RemediationMode ParseMode(object value) => ContextReader.AsString(value).Trim() switch
    {
        "off" => RemediationMode.Off,
        "manual" => RemediationMode.Manual,
        "automatic" => RemediationMode.Automatic,
        var other => throw new FormatException($"'{other}' is not a remediation mode; use off (the default), manual or automatic"),
    };

    private static RemediationAction ParseAction(object value)
    {
        var text = ContextReader.AsString(value).Trim();
        return RemediationActionNames.TryParse(text, out var action)
            ? action
            : throw new FormatException($"'{text}' is not a remediation action; use EnforceMfa (the default) or DisableConsoleAccess");
    }
}

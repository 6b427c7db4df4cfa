namespace MfaConfigRule.Contract;

/// <summary>What remediation does to a NON_COMPLIANT user; the deployment enables exactly one.</summary>
internal enum RemediationAction
{
    /// <summary>Attach the stack's enforcement policy: until the user signs in with MFA, they may only set up MFA and their password.</summary>
    EnforceMfa,

    /// <summary>Delete the user's login profile (console password); access keys are untouched.</summary>
    DisableConsoleAccess,
}

internal static class RemediationActionNames
{
    public const string EnforceMfa = nameof(RemediationAction.EnforceMfa);
    public const string DisableConsoleAccess = nameof(RemediationAction.DisableConsoleAccess);

    public static IReadOnlyList<string> All { get; } = [EnforceMfa, DisableConsoleAccess];

    public static bool TryParse(string? value, out RemediationAction action)
    {
        switch (value?.Trim())
        {
            case EnforceMfa:
                action = RemediationAction.EnforceMfa;
                return true;
            case DisableConsoleAccess:
                action = RemediationAction.DisableConsoleAccess;
                return true;
            default:
                action = default;
                return false;
        }
    }

    public static string ToWire(this RemediationAction action) => action switch
    {
        RemediationAction.EnforceMfa => EnforceMfa,
        RemediationAction.DisableConsoleAccess => DisableConsoleAccess,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}

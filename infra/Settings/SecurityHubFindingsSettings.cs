using MfaConfigRule.Contract;

namespace MfaConfigRule.Infra.Settings;

/// <summary>The optional direct Security Hub export, validated by the function's own names (<see cref="SecurityHubSettings"/>).</summary>
internal sealed record SecurityHubFindingsSettings
{
    public const string FindingsKey = "mfaRule:securityHubFindings";
    public const string SeverityKey = "mfaRule:securityHubSeverity";

    /// <summary>Also import one finding per verdict straight into Security Hub (<c>direct</c>); off by default.</summary>
    public bool Direct { get; init; }

    /// <summary>Severity label of the direct export's FAILED findings.</summary>
    public string FailedSeverity { get; init; } = "HIGH";

    public static SecurityHubFindingsSettings Read(ContextReader context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var defaults = new SecurityHubFindingsSettings();
        return new SecurityHubFindingsSettings
        {
            Direct = context.Read(FindingsKey, defaults.Direct, ParseFindings),
            FailedSeverity = context.Read(SeverityKey, defaults.FailedSeverity, ParseSeverity),
        };
    }

    private static bool ParseFindings(object value) => ContextReader.AsString(value).Trim() switch
    {
        SecurityHubSettings.DirectMode => true,
        SecurityHubSettings.OffMode => false,
        var other => throw new FormatException($"'{other}' is not 'off' (Security Hub gets the Config integration's findings) or 'direct' (the rule also imports its own)"),
    };

    private static string ParseSeverity(object value)
    {
        try
        {
            return SecurityHubSettings.Wire(SecurityHubSettings.ParseFailedSeverity(ContextReader.AsString(value), SeverityKey));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"'{value}' is not LOW, MEDIUM, HIGH or CRITICAL", e);
        }
    }
}

using System.Text.RegularExpressions;

namespace MfaConfigRule.Infra.Settings;

/// <summary>Where the alarms go: the operations topic always exists; an e-mail address subscribes to it when given.</summary>
internal sealed partial record OperationsSettings
{
    public const string AlarmEmailKey = "mfaRule:alarmEmail";
    public const string AccountMetricsKey = "mfaRule:accountMetrics";

    /// <summary>Subscribed to the alarm topic (SNS sends it a confirmation mail first); null: no subscription.</summary>
    public string? AlarmEmail { get; init; }

    /// <summary>
    /// The evaluate function's head counts filed per account (<c>AccountId</c>: three custom metrics per account, about
    /// $0.90 an account-month) instead of with no dimension. Off by default: what a cost-conscious Organization of 1,000
    /// accounts wants (about $900 a month on), and the dashboard's per-account table then comes from the log lines
    /// (docs/operations.md, docs/cost.md).
    /// </summary>
    public bool AccountMetrics { get; init; }

    public static OperationsSettings Read(ContextReader context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new OperationsSettings
        {
            AlarmEmail = context.Read<string?>(AlarmEmailKey, null, ParseEmail),
            AccountMetrics = context.Read(AccountMetricsKey, false, ContextReader.ParseBool),
        };
    }

    private static string? ParseEmail(object value)
    {
        var text = ContextReader.NullIfEmpty(ContextReader.AsString(value));
        if (text is null) return null;
        // SNS takes one address per e-mail subscription: local@domain, no spaces, no list, at most 254 characters.
        if (text.Length > 254 || !EmailPattern().IsMatch(text))
            throw new FormatException($"'{text}' is not one e-mail address (name@example.com) for the alarm topic's subscription");
        return text;
    }

    [GeneratedRegex(@"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;.]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}

using System.Text.RegularExpressions;

namespace MfaConfigRule.Infra.Settings;

/// <summary>Where the alarms go: the operations topic always exists; an e-mail address subscribes to it when given.</summary>
internal sealed partial record OperationsSettings
{
    public const string AlarmEmailKey = "mfaRule:alarmEmail";

    /// <summary>Subscribed to the alarm topic (SNS sends it a confirmation mail first); null: no subscription.</summary>
    public string? AlarmEmail { get; init; }

    public static OperationsSettings Read(ContextReader context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new OperationsSettings { AlarmEmail = context.Read<string?>(AlarmEmailKey, null, ParseEmail) };
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

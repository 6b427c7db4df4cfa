using System.Globalization;
using System.Text.Json;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Infra.Settings;

/// <summary>The Config rule itself: its name, how often it runs, its parameters, and what it needs around it.</summary>
internal sealed record RuleSettings
{
    public const string RuleNameKey = "mfaRule:ruleName";
    public const string FrequencyHoursKey = "mfaRule:frequencyHours";
    public const string ParametersKey = "mfaRule:parameters";
    public const string ReevaluationKey = "mfaRule:reevaluation";
    public const string CreateRecorderKey = "mfaRule:createRecorder";

    /// <summary>Reads as the expectation in the Config console and as the Security Hub finding title.</summary>
    public const string DefaultRuleName = "mfa-enabled-for-iam-console-users";

    /// <summary>Config accepts only these periods for a periodic rule, by these names.</summary>
    private static readonly IReadOnlyDictionary<int, string> Frequencies = new Dictionary<int, string>
    {
        [1] = "One_Hour",
        [3] = "Three_Hours",
        [6] = "Six_Hours",
        [12] = "Twelve_Hours",
        [24] = "TwentyFour_Hours",
    };

    public string RuleName { get; init; } = DefaultRuleName;
    public int FrequencyHours { get; init; } = 24;

    /// <summary>The rule's <c>InputParameters</c>, exactly as they go into the template (already accepted by the rule's own parser).</summary>
    public IReadOnlyDictionary<string, string> RuleParameters { get; init; } = DefaultRuleParameters;

    public bool Reevaluation { get; init; } = true;
    public bool CreateRecorder { get; init; }

    public static IReadOnlyDictionary<string, string> DefaultRuleParameters { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [Compliance.RuleParameters.ExemptionTagKeyKey] = Compliance.RuleParameters.DefaultExemptionTagKey,
        [Compliance.RuleParameters.AllowedMfaTypesKey] = "virtual,hardware,fido",
        [Compliance.RuleParameters.NoPasswordResultKey] = "NOT_APPLICABLE",
        [Compliance.RuleParameters.GracePeriodHoursKey] = "0",
    };

    /// <summary>The Config name of <see cref="FrequencyHours"/>, e.g. <c>TwentyFour_Hours</c>.</summary>
    public string MaximumExecutionFrequency => Frequencies[FrequencyHours];

    /// <summary>
    /// How long an event for either function is worth keeping, queued or between retries: until the next periodic run
    /// would evaluate every user anyway, at most Lambda's 6 hours.
    /// </summary>
    public TimeSpan EventMaxAge => TimeSpan.FromHours(Math.Min(FrequencyHours, 6));

    public static RuleSettings Read(ContextReader context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var defaults = new RuleSettings();
        return new RuleSettings
        {
            RuleName = context.Read(RuleNameKey, defaults.RuleName, ParseRuleName),
            FrequencyHours = context.Read(FrequencyHoursKey, defaults.FrequencyHours, ParseFrequency),
            RuleParameters = context.Read(ParametersKey, defaults.RuleParameters, ParseParameters),
            Reevaluation = context.Read(ReevaluationKey, defaults.Reevaluation, ContextReader.ParseBool),
            CreateRecorder = context.Read(CreateRecorderKey, defaults.CreateRecorder, ContextReader.ParseBool),
        };
    }

    private static string ParseRuleName(object value)
    {
        var name = ContextReader.AsString(value).Trim();
        // Config rule names: 1-128 characters; the console and Security Hub show them verbatim.
        if (name.Length is 0 or > 128 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new FormatException($"'{name}' is not a Config rule name: use 1-128 letters, digits, '-' or '_'");
        return name;
    }

    private static int ParseFrequency(object value)
    {
        var hours = ContextReader.ParseInt(value, 1, 24, "hours");
        if (!Frequencies.ContainsKey(hours))
            throw new FormatException($"{hours} is not a period Config offers; use one of {string.Join(", ", Frequencies.Keys)} (hours)");
        return hours;
    }

    private static IReadOnlyDictionary<string, string> ParseParameters(object value)
    {
        var values = value switch
        {
            IDictionary<string, object> map => map.ToDictionary(p => p.Key, p => p.Value is null ? string.Empty : ScalarToString(p.Value), StringComparer.Ordinal),
            string json => ParseJsonObject(json),
            _ => throw new FormatException($"must be an object of rule parameters, got {value.GetType().Name}"),
        };
        try
        {
            Compliance.RuleParameters.Parse(values);
        }
        catch (RuleParametersException e)
        {
            throw new FormatException(e.Message, e);
        }
        var sorted = new SortedDictionary<string, string>(values, StringComparer.Ordinal);
        // Config limits a rule's InputParameters to 1,024 characters of JSON.
        var length = JsonSerializer.Serialize(sorted).Length;
        if (length > 1024)
            throw new FormatException($"the parameters are {length} characters of JSON; Config accepts at most 1024 (exempt a path or a tag rather than listing many users)");
        return sorted;
    }

    private static Dictionary<string, string> ParseJsonObject(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new FormatException("must be a JSON object such as {\"ExemptUserNames\":\"break-glass\"}");
            return document.RootElement.EnumerateObject().ToDictionary(
                p => p.Name,
                p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(),
                StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new FormatException($"is not valid JSON: {e.Message}", e);
        }
    }

    private static string ScalarToString(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString(CultureInfo.InvariantCulture),
        _ => throw new FormatException($"rule parameter values must be strings, got {value.GetType().Name}"),
    };
}

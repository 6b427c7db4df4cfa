using System.Globalization;
using System.Text.Json;
using Amazon.CDK.AWS.Logs;
using Constructs;
using MfaConfigRule.Compliance;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Infra;

/// <summary>
/// Everything a person can choose about the deployment, read from CDK context (<c>cdk.json</c> or <c>-c key=value</c>)
/// and validated before any resource is defined, so a bad value stops <c>cdk synth</c> with a message that names it.
/// </summary>
/// <summary>Whether the stack deploys remediation, and whether Config runs it by itself.</summary>
internal enum RemediationMode
{
    Off,
    Manual,
    Automatic,
}

internal sealed record MfaRuleSettings
{
    public const string RuleNameKey = "mfaRule:ruleName";
    public const string FrequencyHoursKey = "mfaRule:frequencyHours";
    public const string ParametersKey = "mfaRule:parameters";
    public const string ReevaluationKey = "mfaRule:reevaluation";
    public const string CreateRecorderKey = "mfaRule:createRecorder";
    public const string LogRetentionDaysKey = "mfaRule:logRetentionDays";
    public const string EvaluateMemoryMbKey = "mfaRule:evaluateMemoryMb";
    public const string EvaluateTimeoutSecondsKey = "mfaRule:evaluateTimeoutSeconds";
    public const string TriggerTimeoutSecondsKey = "mfaRule:triggerTimeoutSeconds";
    public const string AccountKey = "mfaRule:account";
    public const string RegionKey = "mfaRule:region";
    public const string SecurityHubFindingsKey = "mfaRule:securityHubFindings";
    public const string SecurityHubSeverityKey = "mfaRule:securityHubSeverity";
    public const string RemediationKey = "mfaRule:remediation";
    public const string RemediationActionKey = "mfaRule:remediationAction";
    public const string RemediationDenyAccessKeysKey = "mfaRule:remediationDenyAccessKeys";
    public const string RemediationMaxAttemptsKey = "mfaRule:remediationMaxAttempts";
    public const string RemediationRetrySecondsKey = "mfaRule:remediationRetrySeconds";

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
    public int LogRetentionDays { get; init; } = 90;

    /// <summary>
    /// 256 MB: the Native AOT runtime and a 1,000-user credential report need a few tens of MB (BENCHMARKS.md: 75 MB peak at 5,000 users), and
    /// Lambda's CPU share grows with memory, so 128 MB would slow the TLS handshakes that dominate a run.
    /// </summary>
    public int EvaluateMemoryMb { get; init; } = 256;

    /// <summary>
    /// 300 s: a periodic run is bound by IAM latency, about two live calls for each user the credential report cannot
    /// settle; at ~100 ms a call sequentially that covers ~1,500 such users. Raise it (up to 900) for larger accounts.
    /// </summary>
    public int EvaluateTimeoutSeconds { get; init; } = 300;

    /// <summary>
    /// 900 s, Lambda's maximum: the longest run the trigger has is a DeleteLoginProfile, which it holds until CloudTrail's
    /// event history shows it (usually within 5 minutes, at most about 15), then a start Config may refuse for as long
    /// as an evaluation runs (the trigger asks once a minute). A timeout is a failure: Lambda resets the environment,
    /// losing the trigger's memory of its last accepted start, and retries the event. Lower it only where CloudTrail is
    /// known to be faster.
    /// </summary>
    public int TriggerTimeoutSeconds { get; init; } = 900;

    public string? Account { get; init; }
    public string? Region { get; init; }

    /// <summary>Also import one finding per verdict straight into Security Hub (<c>direct</c>); off by default.</summary>
    public bool SecurityHubFindings { get; init; }

    /// <summary>Severity label of the direct export's FAILED findings.</summary>
    public string SecurityHubSeverity { get; init; } = "HIGH";

    /// <summary>Optional remediation: off (the default), manual (an operator runs it from Config) or automatic.</summary>
    public RemediationMode Remediation { get; init; } = RemediationMode.Off;

    public RemediationAction RemediationAction { get; init; } = RemediationAction.EnforceMfa;

    /// <summary>EnforceMfa only: also deny the user's long-term access-key calls until MFA (BoolIfExists); off by default.</summary>
    public bool RemediationDenyAccessKeys { get; init; }

    /// <summary>Automatic remediation: Config's attempts per user (1-25) and the period they are spread over.</summary>
    public int RemediationMaxAttempts { get; init; } = 5;

    public int RemediationRetrySeconds { get; init; } = 60;

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

    public RetentionDays LogRetention => Enum.Parse<RetentionDays>(RetentionNames[LogRetentionDays]);

    /// <summary>
    /// Reads the settings; <paramref name="defaultAccount"/> and <paramref name="defaultRegion"/> are what the CDK CLI
    /// resolved from the AWS profile (<c>CDK_DEFAULT_ACCOUNT</c>/<c>CDK_DEFAULT_REGION</c>), used unless context overrides them.
    /// </summary>
    public static MfaRuleSettings FromContext(Node node, string? defaultAccount, string? defaultRegion)
    {
        ArgumentNullException.ThrowIfNull(node);
        var settings = new MfaRuleSettings();
        var errors = new List<string>();

        T Read<T>(string key, T fallback, Func<object, T> parse)
        {
            var value = node.TryGetContext(key);
            if (value is null) return fallback;
            try
            {
                return parse(value);
            }
            catch (FormatException e)
            {
                errors.Add($"{key}: {e.Message}");
                return fallback;
            }
        }

        settings = settings with
        {
            RuleName = Read(RuleNameKey, settings.RuleName, ParseRuleName),
            FrequencyHours = Read(FrequencyHoursKey, settings.FrequencyHours, ParseFrequency),
            RuleParameters = Read(ParametersKey, settings.RuleParameters, ParseParameters),
            Reevaluation = Read(ReevaluationKey, settings.Reevaluation, ParseBool),
            CreateRecorder = Read(CreateRecorderKey, settings.CreateRecorder, ParseBool),
            LogRetentionDays = Read(LogRetentionDaysKey, settings.LogRetentionDays, ParseRetention),
            EvaluateMemoryMb = Read(EvaluateMemoryMbKey, settings.EvaluateMemoryMb, v => ParseInt(v, 128, 10240, "MB")),
            EvaluateTimeoutSeconds = Read(EvaluateTimeoutSecondsKey, settings.EvaluateTimeoutSeconds, v => ParseInt(v, 10, 900, "seconds")),
            // At least the trigger's one-minute wait between refused starts, plus the calls around it.
            TriggerTimeoutSeconds = Read(TriggerTimeoutSecondsKey, settings.TriggerTimeoutSeconds, v => ParseInt(v, 90, 900, "seconds")),
            Account = Read(AccountKey, NullIfEmpty(defaultAccount), ParseAccount),
            Region = Read(RegionKey, NullIfEmpty(defaultRegion), v => NullIfEmpty(AsString(v))),
            SecurityHubFindings = Read(SecurityHubFindingsKey, settings.SecurityHubFindings, ParseSecurityHubFindings),
            SecurityHubSeverity = Read(SecurityHubSeverityKey, settings.SecurityHubSeverity, ParseSecurityHubSeverity),
            Remediation = Read(RemediationKey, settings.Remediation, ParseRemediationMode),
            RemediationAction = Read(RemediationActionKey, settings.RemediationAction, ParseRemediationAction),
            RemediationDenyAccessKeys = Read(RemediationDenyAccessKeysKey, settings.RemediationDenyAccessKeys, ParseBool),
            RemediationMaxAttempts = Read(RemediationMaxAttemptsKey, settings.RemediationMaxAttempts, v => ParseInt(v, 1, 25, "attempts")),
            // Config: RetryAttemptSeconds from 1 second to 2678000 (31 days).
            RemediationRetrySeconds = Read(RemediationRetrySecondsKey, settings.RemediationRetrySeconds, v => ParseInt(v, 1, 2678000, "seconds")),
        };
        if (settings.RemediationDenyAccessKeys && settings.RemediationAction != RemediationAction.EnforceMfa)
            errors.Add($"{RemediationDenyAccessKeysKey}: applies to the EnforceMfa policy only, not to {settings.RemediationAction}");

        if (errors.Count > 0)
            throw new ArgumentException("invalid CDK context:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        return settings;
    }

    private static RemediationMode ParseRemediationMode(object value) => AsString(value).Trim() switch
    {
        "off" => RemediationMode.Off,
        "manual" => RemediationMode.Manual,
        "automatic" => RemediationMode.Automatic,
        var other => throw new FormatException($"'{other}' is not a remediation mode; use off (the default), manual or automatic"),
    };

    private static RemediationAction ParseRemediationAction(object value)
    {
        var text = AsString(value).Trim();
        return RemediationActionNames.TryParse(text, out var action)
            ? action
            : throw new FormatException($"'{text}' is not a remediation action; use EnforceMfa (the default) or DisableConsoleAccess");
    }

    private static string ParseRuleName(object value)
    {
        var name = AsString(value).Trim();
        // Config rule names: 1-128 characters; the console and Security Hub show them verbatim.
        if (name.Length is 0 or > 128 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new FormatException($"'{name}' is not a Config rule name: use 1-128 letters, digits, '-' or '_'");
        return name;
    }

    private static int ParseFrequency(object value)
    {
        var hours = ParseInt(value, 1, 24, "hours");
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

    private static bool ParseSecurityHubFindings(object value) => AsString(value).Trim() switch
    {
        MfaConfigRule.Contract.SecurityHubSettings.DirectMode => true,
        MfaConfigRule.Contract.SecurityHubSettings.OffMode => false,
        var other => throw new FormatException($"'{other}' is not 'off' (Security Hub gets the Config integration's findings) or 'direct' (the rule also imports its own)"),
    };

    private static string ParseSecurityHubSeverity(object value)
    {
        try
        {
            return MfaConfigRule.Contract.SecurityHubSettings.Wire(MfaConfigRule.Contract.SecurityHubSettings.ParseFailedSeverity(AsString(value), SecurityHubSeverityKey));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"'{value}' is not LOW, MEDIUM, HIGH or CRITICAL", e);
        }
    }

    private static bool ParseBool(object value) => value switch
    {
        bool b => b,
        string s when bool.TryParse(s.Trim(), out var b) => b,
        _ => throw new FormatException($"'{value}' is not true or false"),
    };

    private static int ParseRetention(object value)
    {
        var days = ParseInt(value, 1, 3653, "days");
        if (!RetentionNames.ContainsKey(days))
            throw new FormatException($"{days} is not a retention CloudWatch Logs offers; use one of {string.Join(", ", RetentionNames.Keys)}");
        return days;
    }

    private static string? ParseAccount(object value)
    {
        var account = NullIfEmpty(AsString(value));
        if (account is not null && (account.Length != 12 || !account.All(char.IsAsciiDigit)))
            throw new FormatException($"'{account}' is not a 12-digit AWS account ID");
        return account;
    }

    private static int ParseInt(object value, int min, int max, string unit)
    {
        var number = value switch
        {
            double d when d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue => (int)d,
            int i => i,
            string s when int.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => i,
            _ => throw new FormatException($"'{value}' is not a whole number of {unit}"),
        };
        if (number < min || number > max)
            throw new FormatException($"{number} {unit} is outside {min}-{max}");
        return number;
    }

    private static string AsString(object value) => value as string ?? throw new FormatException($"'{value}' is not a string");

    private static string ScalarToString(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString(CultureInfo.InvariantCulture),
        _ => throw new FormatException($"rule parameter values must be strings, got {value.GetType().Name}"),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>CloudWatch Logs' allowed retention periods in days, by the name of CDK's enum member.</summary>
    private static readonly IReadOnlyDictionary<int, string> RetentionNames = new Dictionary<int, string>
    {
        [1] = "ONE_DAY", [3] = "THREE_DAYS", [5] = "FIVE_DAYS", [7] = "ONE_WEEK", [14] = "TWO_WEEKS", [30] = "ONE_MONTH",
        [60] = "TWO_MONTHS", [90] = "THREE_MONTHS", [120] = "FOUR_MONTHS", [150] = "FIVE_MONTHS", [180] = "SIX_MONTHS",
        [365] = "ONE_YEAR", [400] = "THIRTEEN_MONTHS", [545] = "EIGHTEEN_MONTHS", [731] = "TWO_YEARS", [1096] = "THREE_YEARS",
        [1827] = "FIVE_YEARS", [2192] = "SIX_YEARS", [2557] = "SEVEN_YEARS", [2922] = "EIGHT_YEARS", [3288] = "NINE_YEARS",
        [3653] = "TEN_YEARS",
    };
}

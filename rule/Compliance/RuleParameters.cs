using System.Globalization;
using System.Text.Json;

namespace MfaConfigRule.Compliance;

/// <summary>
/// The rule's <c>InputParameters</c>, validated. Every key is optional; an unknown key is an error so that a typo
/// (<c>ExemptUsernames</c>) does not silently exempt nobody.
/// </summary>
internal sealed record RuleParameters
{
    public const string ExemptUserNamesKey = "ExemptUserNames";
    public const string ExemptPathPrefixesKey = "ExemptPathPrefixes";
    public const string ExemptionTagKeyKey = "ExemptionTagKey";
    public const string AllowedMfaTypesKey = "AllowedMfaTypes";
    public const string NoPasswordResultKey = "NoPasswordResult";
    public const string GracePeriodHoursKey = "GracePeriodHours";
    public const string ReportChangesOnlyKey = "ReportChangesOnly";
    public const string RefreshDaysKey = "RefreshDays";
    public const string DefaultExemptionTagKey = "mfa-exempt-until";

    /// <summary>A year: longer grace is a policy hole, not a grace period.</summary>
    public const int MaxGracePeriodHours = 24 * 366;

    public const int DefaultRefreshDays = 7;

    /// <summary>A month: the longest a result Config holds goes without being stated again, whatever Config does with old results.</summary>
    public const int MaxRefreshDays = 30;

    public static readonly IReadOnlyList<string> Keys =
        [ExemptUserNamesKey, ExemptPathPrefixesKey, ExemptionTagKeyKey, AllowedMfaTypesKey, NoPasswordResultKey, GracePeriodHoursKey, ReportChangesOnlyKey, RefreshDaysKey];

    public static RuleParameters Default { get; } = new();

    public IReadOnlySet<string> ExemptUserNames { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    public IReadOnlyList<string> ExemptPathPrefixes { get; init; } = [];

    /// <summary>The tag whose <c>YYYY-MM-DD</c> value exempts a user through that day (UTC); empty turns tag exemptions off.</summary>
    public string ExemptionTagKey { get; init; } = DefaultExemptionTagKey;

    public MfaKinds AllowedMfaTypes { get; init; } = MfaKinds.All;
    public ComplianceType NoPasswordResult { get; init; } = ComplianceType.NotApplicable;
    public TimeSpan GracePeriod { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// A sweep writes an evaluation only for a user whose verdict or annotation differs from what Config holds, a user
    /// Config holds nothing for, or a result due for its refresh (see <c>Config.ChangedResults</c>).
    /// </summary>
    public bool ReportChangesOnly { get; init; }

    /// <summary>With <see cref="ReportChangesOnly"/>: the longest an unchanged result goes without being stated again.</summary>
    public int RefreshDays { get; init; } = DefaultRefreshDays;

    /// <summary>Parses the JSON object Config hands over as the <c>ruleParameters</c> string (null or empty: defaults).</summary>
    public static RuleParameters ParseJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? Default : Parse(ParseJsonValues(json));

    /// <summary>The JSON object's values as strings (Config's InputParameters are strings; numbers and booleans are taken as written).</summary>
    public static IReadOnlyDictionary<string, string> ParseJsonValues(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            // ArgumentException: a .NET string with an unpaired surrogate cannot be read as UTF-8 JSON at all.
            throw new RuleParametersException($"rule parameters are not valid JSON: {e.Message}");
        }
        using (document)
        {
            try
            {
                return StringValues(document.RootElement);
            }
            catch (InvalidOperationException)
            {
                // An escaped unpaired surrogate ("\ud800") is valid JSON, but System.Text.Json cannot read it as text.
                throw new RuleParametersException("rule parameters hold a key or value that is not valid Unicode text (an unpaired surrogate such as \\ud800)");
            }
        }
    }

    private static Dictionary<string, string> StringValues(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new RuleParametersException($"rule parameters must be a JSON object, got {root.ValueKind}");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            values[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                JsonValueKind.Null => string.Empty,
                _ => throw new RuleParametersException(
                    $"rule parameter {property.Name} must be a string, got {property.Value.ValueKind}"),
            };
        }
        return values;
    }

    /// <summary>Parses key/value pairs (the CLI's flags come through here too, so both doors validate alike).</summary>
    public static RuleParameters Parse(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var unknown = values.Keys.Where(key => !Keys.Contains(key, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            var hints = unknown.Select(key =>
            {
                var near = Keys.FirstOrDefault(known => string.Equals(known, key, StringComparison.OrdinalIgnoreCase));
                return near is null ? key : $"{key} (did you mean {near}?)";
            });
            throw new RuleParametersException(
                $"unknown rule parameter {string.Join(", ", hints)}; known parameters: {string.Join(", ", Keys)}");
        }

        var result = Default;
        if (values.TryGetValue(ExemptUserNamesKey, out var names))
            result = result with { ExemptUserNames = new HashSet<string>(SplitList(names), StringComparer.OrdinalIgnoreCase) };
        if (values.TryGetValue(ExemptPathPrefixesKey, out var paths))
            result = result with { ExemptPathPrefixes = SplitList(paths).Select(ValidatePath).ToList() };
        if (values.TryGetValue(ExemptionTagKeyKey, out var tagKey))
            result = result with { ExemptionTagKey = ValidateTagKey(tagKey.Trim()) };
        if (values.TryGetValue(AllowedMfaTypesKey, out var types))
            result = result with { AllowedMfaTypes = ParseMfaTypes(types) };
        if (values.TryGetValue(NoPasswordResultKey, out var noPassword))
            result = result with { NoPasswordResult = ParseNoPasswordResult(noPassword) };
        if (values.TryGetValue(GracePeriodHoursKey, out var grace))
            result = result with { GracePeriod = ParseGrace(grace) };
        if (values.TryGetValue(ReportChangesOnlyKey, out var changesOnly))
            result = result with { ReportChangesOnly = ParseBoolean(ReportChangesOnlyKey, changesOnly) };
        if (values.TryGetValue(RefreshDaysKey, out var refresh))
            result = result with { RefreshDays = ParseRefreshDays(refresh) };
        return result;
    }

    /// <summary>The parameters as the JSON object the rule takes, for logs and <c>explain</c>.</summary>
    public IReadOnlyDictionary<string, string> ToDictionary() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [ExemptUserNamesKey] = string.Join(',', ExemptUserNames.Order(StringComparer.Ordinal)),
        [ExemptPathPrefixesKey] = string.Join(',', ExemptPathPrefixes),
        [ExemptionTagKeyKey] = ExemptionTagKey,
        [AllowedMfaTypesKey] = string.Join(',', MfaKindNames.Names(AllowedMfaTypes)),
        [NoPasswordResultKey] = NoPasswordResult.ToWire(),
        [GracePeriodHoursKey] = GracePeriod.TotalHours.ToString(CultureInfo.InvariantCulture),
        [ReportChangesOnlyKey] = ReportChangesOnly ? "true" : "false",
        [RefreshDaysKey] = RefreshDays.ToString(CultureInfo.InvariantCulture),
    };

    private static IEnumerable<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string ValidatePath(string prefix)
    {
        // IAM paths: "/" or "/a/b/", printable ASCII from ! to ~, at most 512 characters.
        if (!prefix.StartsWith('/') || !prefix.EndsWith('/') || prefix.Length > 512 || prefix.Any(c => c < '!' || c > '~'))
            throw new RuleParametersException(
                $"{ExemptPathPrefixesKey} value '{prefix}' is not an IAM path: it must start and end with '/', e.g. /service-accounts/");
        if (prefix == "/")
            throw new RuleParametersException(
                $"{ExemptPathPrefixesKey} value '/' would exempt every user; name a narrower path such as /break-glass/");
        return prefix;
    }

    private static string ValidateTagKey(string key)
    {
        if (key.Length > 128)
            throw new RuleParametersException($"{ExemptionTagKeyKey} value '{key}' is longer than IAM's 128-character tag key limit");
        if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            throw new RuleParametersException($"{ExemptionTagKeyKey} value '{key}' uses the reserved aws: prefix");
        return key;
    }

    private static MfaKinds ParseMfaTypes(string value)
    {
        var kinds = MfaKinds.None;
        foreach (var name in SplitList(value))
        {
            if (!MfaKindNames.TryParseOne(name, out var kind))
                throw new RuleParametersException(
                    $"{AllowedMfaTypesKey} value '{name}' is not an MFA type; use any of virtual, hardware, fido (comma separated)");
            kinds |= kind;
        }
        if (kinds == MfaKinds.None)
            throw new RuleParametersException($"{AllowedMfaTypesKey} is empty; use any of virtual, hardware, fido (comma separated)");
        return kinds;
    }

    private static ComplianceType ParseNoPasswordResult(string value) => value.Trim() switch
    {
        ComplianceTypeNames.NotApplicable => ComplianceType.NotApplicable,
        ComplianceTypeNames.Compliant => ComplianceType.Compliant,
        _ => throw new RuleParametersException(
            $"{NoPasswordResultKey} value '{value}' is not allowed; use NOT_APPLICABLE (the default) or COMPLIANT"),
    };

    private static TimeSpan ParseGrace(string value)
    {
        if (!double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var hours) || double.IsNaN(hours) || double.IsInfinity(hours))
            throw new RuleParametersException($"{GracePeriodHoursKey} value '{value}' is not a number of hours");
        if (hours < 0 || hours > MaxGracePeriodHours)
            throw new RuleParametersException($"{GracePeriodHoursKey} value '{value}' must be between 0 and {MaxGracePeriodHours} hours");
        return TimeSpan.FromHours(hours);
    }

    private static bool ParseBoolean(string key, string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" or "" => false,
        _ => throw new RuleParametersException($"{key} value '{value}' is not allowed; use true or false"),
    };

    private static int ParseRefreshDays(string value)
    {
        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days < 1 || days > MaxRefreshDays)
            throw new RuleParametersException($"{RefreshDaysKey} value '{value}' must be a whole number of days from 1 to {MaxRefreshDays}");
        return days;
    }
}

/// <summary>Bad rule parameters: the message names the key and the value, and is shown to the person who set them.</summary>
internal sealed class RuleParametersException(string message) : Exception(message);

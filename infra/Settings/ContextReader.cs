using System.Globalization;
using Constructs;

namespace MfaConfigRule.Infra.Settings;

/// <summary>
/// The one way the app reads CDK context (<c>cdk.json</c> or <c>-c key=value</c>): each capability's settings read their
/// keys through it, every bad value is collected with the key it came from, and <see cref="ThrowIfInvalid"/> stops
/// <c>cdk synth</c> with all of them at once, before any resource is defined.
/// </summary>
internal sealed class ContextReader
{
    private readonly Node _node;
    private readonly List<string> _errors = [];

    public ContextReader(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
    }

    /// <summary><paramref name="fallback"/> when <paramref name="key"/> is absent or its value is rejected (the rejection is kept).</summary>
    public T Read<T>(string key, T fallback, Func<object, T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var value = _node.TryGetContext(key);
        if (value is null) return fallback;
        try
        {
            return parse(value);
        }
        catch (FormatException e)
        {
            _errors.Add($"{key}: {e.Message}");
            return fallback;
        }
    }

    /// <summary>The trimmed text of <paramref name="key"/>; null when it is absent or not a string.</summary>
    public string? ReadText(string key) => (_node.TryGetContext(key) as string)?.Trim();

    /// <summary>Keeps an error that no single value shows (two values that do not go together), already naming its keys.</summary>
    public void Reject(string error) => _errors.Add(error);

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
            throw new ArgumentException("invalid CDK context:" + Environment.NewLine + string.Join(Environment.NewLine, _errors));
    }

    public static bool ParseBool(object value) => value switch
    {
        bool b => b,
        string s when bool.TryParse(s.Trim(), out var b) => b,
        _ => throw new FormatException($"'{value}' is not true or false"),
    };

    public static int ParseInt(object value, int min, int max, string unit)
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

    public static string AsString(object value) => value as string ?? throw new FormatException($"'{value}' is not a string");

    public static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

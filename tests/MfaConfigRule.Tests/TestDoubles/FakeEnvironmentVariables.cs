using MfaConfigRule.Contract;

namespace MfaConfigRule.Tests.TestDoubles;

/// <summary>An environment held in a dictionary, so tests never touch the real process environment.</summary>
internal sealed class FakeEnvironmentVariables : IEnvironmentVariables
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public FakeEnvironmentVariables(params (string Name, string Value)[] values)
    {
        foreach (var (name, value) in values) _values[name] = value;
    }

    public FakeEnvironmentVariables(IReadOnlyDictionary<string, string> values)
    {
        foreach (var (name, value) in values) _values[name] = value;
    }

    public string? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public void Set(string name, string? value)
    {
        if (value is null) _values.Remove(name);
        else _values[name] = value;
    }
}

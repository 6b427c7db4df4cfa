namespace MfaConfigRule.Logging;

/// <summary>
/// The extra fields of one log line, in the order they were set:
/// <c>new LogFields { ["rule"] = name, ["counts"] = countsByVerdict }</c>. Setting a name again replaces its value.
/// </summary>
internal sealed class LogFields
{
    private readonly List<KeyValuePair<string, LogValue>> _fields = new(4);

    public int Count => _fields.Count;

    public LogValue this[string name]
    {
        get
        {
            var index = IndexOf(name);
            return index < 0 ? throw new KeyNotFoundException($"no log field named '{name}'") : _fields[index].Value;
        }

        set
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            var index = IndexOf(name);
            if (index < 0)
            {
                _fields.Add(new(name, value));
            }
            else
            {
                _fields[index] = new(name, value);
            }
        }
    }

    internal KeyValuePair<string, LogValue> At(int index) => _fields[index];

    private int IndexOf(string name)
    {
        for (var i = 0; i < _fields.Count; i++)
        {
            if (string.Equals(_fields[i].Key, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

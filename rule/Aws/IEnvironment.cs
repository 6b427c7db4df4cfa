namespace MfaConfigRule.Aws;

/// <summary>
/// Where settings such as <c>AWS_ENDPOINT_URL_IAM</c> come from. Logic asks this seam instead of the process
/// environment so that tests hand in a dictionary and a test never depends on the machine it runs on.
/// </summary>
internal interface IEnvironment
{
    string? GetVariable(string name);
}

/// <summary>The real process environment; the front doors pass it in, nothing else reads the environment.</summary>
internal sealed class ProcessEnvironment : IEnvironment
{
    public static ProcessEnvironment Instance { get; } = new();

    private ProcessEnvironment()
    {
    }

    public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);
}

/// <summary>A fixed set of variables: tests, and callers that build the environment themselves.</summary>
internal sealed class DictionaryEnvironment(IReadOnlyDictionary<string, string> variables) : IEnvironment
{
    public static DictionaryEnvironment Empty { get; } = new(new Dictionary<string, string>());

    public string? GetVariable(string name) => variables.TryGetValue(name, out var value) ? value : null;
}

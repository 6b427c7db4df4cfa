using MfaConfigRule.Contract;

namespace MfaConfigRule.Hosting;

/// <summary>The real process environment.</summary>
internal sealed class ProcessEnvironmentVariables : IEnvironmentVariables
{
    public string? Get(string name) => Environment.GetEnvironmentVariable(name);

    public void Set(string name, string? value) => Environment.SetEnvironmentVariable(name, value);
}

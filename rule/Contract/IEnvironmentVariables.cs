namespace MfaConfigRule.Contract;

/// <summary>
/// The process environment as a seam, so logic never reads or writes environment variables itself and tests can run
/// side by side without touching the real process environment.
/// </summary>
internal interface IEnvironmentVariables
{
    /// <summary>The value, or null when the variable is not set.</summary>
    string? Get(string name);

    /// <summary>Sets the variable; null removes it.</summary>
    void Set(string name, string? value);
}

using System.Reflection;

namespace MfaConfigRule.Infra;

/// <summary>
/// The project's version as the build stamps it (MSBuild's Version, the same for the rule executable and this app), so
/// a template says which release of the function it deploys.
/// </summary>
internal static class ReleaseVersion
{
    /// <summary>The informational version without its build metadata (<c>+commit</c>): templates stay the same between commits of one version.</summary>
    public static string Current { get; } = Read();

    private static string Read()
    {
        var version = typeof(ReleaseVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? throw new InvalidOperationException("the infra assembly carries no informational version");
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}

namespace MfaConfigRule.TestSupport;

/// <summary>Where the repository is: a test runs from its bin folder, several levels below the solution.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MfaConfigRule.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no MfaConfigRule.sln above {AppContext.BaseDirectory}");
    }
}

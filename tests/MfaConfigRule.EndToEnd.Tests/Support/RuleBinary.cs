namespace MfaConfigRule.EndToEnd.Tests.Support;

/// <summary>
/// The rule's executable as the tests run it: the Native AOT binary Lambda runs, published once per test run, or the
/// one <c>MFA_RULE_BINARY</c> names (CI publishes once and shares it). Only if publishing is impossible does it fall
/// back to the JIT build run with <c>dotnet</c>, and <see cref="Description"/> says so in every test's output.
/// </summary>
internal sealed record RuleBinary(string FileName, IReadOnlyList<string> LeadingArguments, string Description)
{
    public const string BinaryVariable = "MFA_RULE_BINARY";
    public const string ExecutableName = "mfa-config-rule";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(15);

    // One publish for the whole test run, shared by every test class; never changed once made.
    private static readonly Lazy<Task<RuleBinary>> Shared = new(LocateAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<RuleBinary> GetAsync() => Shared.Value;

    public bool IsNativeAot => LeadingArguments.Count == 0;

    /// <summary>The command line that runs the rule with <paramref name="arguments"/>.</summary>
    public IReadOnlyList<string> Arguments(IEnumerable<string> arguments) => [.. LeadingArguments, .. arguments];

    private static async Task<RuleBinary> LocateAsync()
    {
        var given = Environment.GetEnvironmentVariable(BinaryVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            var path = Path.GetFullPath(given);
            return File.Exists(path)
                ? new RuleBinary(path, [], $"rule binary from {BinaryVariable}: {path}")
                : throw new InvalidOperationException($"{BinaryVariable}={given}, but there is no file there");
        }

        var project = Repository.PathOf("rule", "MfaConfigRule.csproj");
        var nativeDir = Repository.PathOf("artifacts", "e2e", "rule");
        var publish = await Tool.RunAsync("dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64", "-o", nativeDir, "--nologo"], BuildTimeout);
        var native = Path.Combine(nativeDir, ExecutableName);
        if (publish.ExitCode == 0 && File.Exists(native))
            return new RuleBinary(native, [], $"Native AOT rule binary published by the test fixture: {native}");

        var jitDir = Repository.PathOf("artifacts", "e2e", "rule-jit");
        var build = await Tool.RunAsync("dotnet", ["build", project, "-c", "Release", "-o", jitDir, "--nologo"], BuildTimeout);
        if (build.ExitCode != 0)
            throw new InvalidOperationException($"the rule could neither be published nor built.\npublish: {publish}\nbuild: {build}");
        var dll = Path.Combine(jitDir, ExecutableName + ".dll");
        return new RuleBinary("dotnet", [dll],
            $"FALLBACK: the Native AOT publish failed (exit {publish.ExitCode}), so these tests run the JIT build (dotnet {dll}), not the binary Lambda runs. Publish said:\n{Tail(publish.Stdout + publish.Stderr)}");
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}

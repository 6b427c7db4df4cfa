using System.Text.Json.Nodes;
using MfaConfigRule.EndToEnd.Tests.Docs;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests.Release;

/// <summary>
/// One run of <c>bash infra/release.sh OUT_DIR</c> for the whole test class, as docs/release.md shows it, into a
/// temporary folder, packaging the binary the end-to-end tests run (so CI publishes once). The tests then read the folder.
/// </summary>
public sealed class ReleaseFolder : IAsyncLifetime
{
    /// <summary>The page that shows the command; its block is marked skip because this fixture runs it.</summary>
    public const string Page = "docs/release.md";

    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromMinutes(10);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mfa-config-rule-release-" + Guid.NewGuid().ToString("N"));

    public string Directory => Path.Combine(_root, "release");
    internal RuleBinary Binary { get; private set; } = null!;
    public ToolRun Run { get; private set; } = null!;
    public TimeSpan Took { get; private set; }
    public IReadOnlyList<string> Command { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Binary = await RuleBinary.GetAsync();
        Command = DocumentedCommand();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        // The binary the end-to-end tests run (a JIT fallback is refused by release.sh: Lambda runs the AOT binary).
        if (Binary.IsNativeAot) environment[RuleBinary.BinaryVariable] = Binary.FileName;
        var started = TimeProvider.System.GetTimestamp();
        Run = await Tool.RunAsync(Command[0], [.. Command.Skip(1).Take(Command.Count - 2), Directory], ReleaseTimeout, environment);
        Took = TimeProvider.System.GetElapsedTime(started);
        if (Run.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', Command)} failed ({Binary.Description})\n{Run}");
    }

    public Task DisposeAsync()
    {
        if (System.IO.Directory.Exists(_root)) System.IO.Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    public string PathOf(params string[] parts) => Path.Combine([Directory, .. parts]);

    /// <summary>Every file of the release, relative to it, '/'-separated, in ordinal order.</summary>
    public IReadOnlyList<string> Files() =>
        System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Directory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public JsonObject Json(params string[] parts) => JsonNode.Parse(File.ReadAllText(PathOf(parts)))!.AsObject();

    /// <summary>
    /// A YAML file as JSON, read by PyYAML's safe loader (what cfn-lint, and so CI, already has): a tag CloudFormation's
    /// short form would need, or anything else a plain YAML reader refuses, fails here. Dates come back as
    /// <c>{"$date": "YYYY-MM-DD"}</c>, so a test can tell a date from a string.
    /// </summary>
    public async Task<JsonNode> YamlAsync(params string[] parts)
    {
        const string Script = """
            import datetime, json, sys, yaml
            def plain(node):
                if isinstance(node, dict): return {str(k): plain(v) for k, v in node.items()}
                if isinstance(node, list): return [plain(v) for v in node]
                if isinstance(node, datetime.date): return {"$date": node.isoformat()}
                return node
            print(json.dumps(plain(yaml.safe_load(open(sys.argv[1], encoding="utf-8")))))
            """;
        var run = await Tool.RunAsync("python3", ["-c", Script, PathOf(parts)], TimeSpan.FromMinutes(1));
        Assert.True(run.ExitCode == 0, $"{string.Join('/', parts)} is not plain YAML:\n{run}");
        return JsonNode.Parse(run.Stdout)!;
    }

    /// <summary>
    /// The release command as the pages write it (the release page and the README's set-up, the same command on both):
    /// infra/release.sh with one argument, the folder, which the fixture replaces by a temporary one.
    /// </summary>
    private static IReadOnlyList<string> DocumentedCommand()
    {
        var commands = new[] { Page, "README.md" }
            .SelectMany(page => MarkdownPage.Read(page).Blocks)
            .SelectMany(b => DocCommandTests.Commands(b.Lines))
            .Where(c => c.Contains("infra/release.sh", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var command = Assert.Single(commands);
        Assert.All(new[] { Page, "README.md" }, page => Assert.Contains(command, File.ReadAllText(Repository.PathOf(page.Split('/'))), StringComparison.Ordinal));
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(words is ["bash", "infra/release.sh", _], $"{Page} shows '{command}'; the test runs 'bash infra/release.sh OUT_DIR'");
        return words;
    }
}

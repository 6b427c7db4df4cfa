using MfaConfigRule.TestSupport;

namespace MfaConfigRule.Tests.Architecture;

/// <summary>
/// The shape of rule/ (issue 17), checked on the source: no cycle between top-level folders; the domain
/// (<c>Compliance/</c>) depends on nothing of ours; nothing but the root <c>Program.cs</c> depends on a front door
/// (<c>Cli/</c>, <c>Functions/</c>), so <c>Composition/</c> builds handlers without knowing who calls it; and no file
/// is over <see cref="MaxLines"/> lines unless a comment above its first brace contains <see cref="LongFileMarker"/>
/// followed by the reason.
/// </summary>
public sealed class FolderGraphTests
{
    /// <summary>Past this many lines, a file says why it holds together (style.md: "which concept inside it wants a name of its own").</summary>
    internal const int MaxLines = 300;

    /// <summary>The words a long file's header comment must contain, e.g. <c>// Over 300 lines because the table is one table.</c></summary>
    internal const string LongFileMarker = "over 300 lines because";

    private static readonly string[] FrontDoors = ["Cli", "Functions"];

    // Synthetic trees: the checks below must be able to fail.

    [Fact]
    public void Build_UsingQualifiedAndSiblingNames_AreArrows()
    {
        var graph = FolderGraph.Build([
            File("Iam/A.cs", "Iam", "using MfaConfigRule.Aws;"),
            File("Config/B.cs", "Config", "", "var x = new MfaConfigRule.Compliance.Evaluation();"),
            File("Cli/C.cs", "Cli", "", "catch (Aws.AwsServiceException) { }"),
            File("Compliance/D.cs", "Compliance"),
            File("Aws/E.cs", "Aws"),
        ]);

        Assert.Equal(["Aws"], graph["Iam"]);
        Assert.Equal(["Compliance"], graph["Config"]);
        Assert.Equal(["Aws"], graph["Cli"]);
        Assert.Empty(graph["Compliance"]);
    }

    [Fact]
    public void Build_NamesInCommentsAndStrings_AreNotArrows()
    {
        var graph = FolderGraph.Build([
            File("Compliance/A.cs", "Compliance", "// using MfaConfigRule.Iam;",
                """"
                /// <summary>See <c>Config.ChangedResults</c>.</summary>
                var url = "http://example.com/MfaConfigRule.Aws.X"; /* Iam.IamClient */
                var raw = """{"a": "Aws.B"}""";
                var at = @"Iam.Client ""quoted"" Aws.X";
                var c = '"'; var after = 1;
                """"),
            File("Iam/B.cs", "Iam"), File("Aws/C.cs", "Aws"), File("Config/D.cs", "Config"),
        ]);

        Assert.Empty(graph["Compliance"]);
    }

    [Fact]
    public void Build_GlobalUsing_IsAnArrowFromEveryFolder()
    {
        var graph = FolderGraph.Build(
            [File("Aws/A.cs", "Aws", "global using MfaConfigRule.Logging;"), File("Compliance/B.cs", "Compliance"), File("Logging/C.cs", "Logging")],
            projectUsings: ["MfaConfigRule.Iam"]);

        Assert.Equal(["Iam", "Logging"], graph["Aws"]);
        Assert.Equal(["Iam", "Logging"], graph["Compliance"]);
        Assert.Equal(["Iam"], graph["Logging"]);
    }

    [Fact]
    public void Build_RootNamespace_IsTheRootFolder()
    {
        var graph = FolderGraph.Build([File("Program.cs", "", "using MfaConfigRule.Cli;"), File("Cli/A.cs", "Cli")]);

        Assert.Equal(["Cli"], graph[FolderGraph.Root]);
    }

    [Fact]
    public void FindCycle_ThreeFolderLoop_ReturnsItsPath()
    {
        var graph = FolderGraph.Build([
            File("Aws/AwsClients.cs", "Aws", "using MfaConfigRule.Iam;"),
            File("Iam/A.cs", "Iam", "using MfaConfigRule.Config;"),
            File("Config/B.cs", "Config", "using MfaConfigRule.Aws;"),
            File("Compliance/C.cs", "Compliance"),
        ]);

        var cycle = FolderGraph.FindCycle(graph);

        Assert.Equal(["Aws", "Iam", "Config", "Aws"], cycle);
    }

    [Fact]
    public void FindCycle_DiamondWithoutLoop_ReturnsNull()
    {
        var graph = CleanGraph();

        Assert.Null(FolderGraph.FindCycle(graph));
    }

    [Fact]
    public void ArrowsOutOf_ComplianceUsingIam_IsFound()
    {
        var graph = FolderGraph.Build([File("Compliance/A.cs", "Compliance", "using MfaConfigRule.Iam;"), File("Iam/B.cs", "Iam")]);

        Assert.Equal(["Compliance -> Iam"], FolderGraph.ArrowsOutOf(graph, "Compliance"));
    }

    [Fact]
    public void ArrowsInto_FrontDoorsFromCompositionAndFromRoot_OnlyCompositionIsFound()
    {
        var graph = FolderGraph.Build([
            File("Program.cs", "", "using MfaConfigRule.Cli;\nusing MfaConfigRule.Functions;"),
            File("Composition/A.cs", "Composition", "using MfaConfigRule.Functions;"),
            File("Cli/B.cs", "Cli"), File("Functions/C.cs", "Functions"),
        ]);

        Assert.Equal(["Composition -> Functions"], FolderGraph.ArrowsInto(graph, FrontDoors, FolderGraph.Root));
    }

    [Fact]
    public void CleanGraph_PassesEveryCheck()
    {
        var graph = CleanGraph();

        Assert.Null(FolderGraph.FindCycle(graph));
        Assert.Empty(FolderGraph.ArrowsOutOf(graph, "Compliance"));
        Assert.Empty(FolderGraph.ArrowsInto(graph, FrontDoors, FolderGraph.Root));
    }

    [Fact]
    public void LongFiles_OverLimitWithAndWithoutReason_OnlyTheUnexplainedOneIsFound()
    {
        var body = string.Concat(Enumerable.Repeat("    int x;\n", MaxLines));
        var explained = new SourceFile("Iam/Explained.cs",
            $"namespace MfaConfigRule.Iam;\n\n// Over 300 lines because the table is one table.\ninternal sealed class A\n{{\n{body}}}\n");
        var unexplained = new SourceFile("Iam/Unexplained.cs",
            $"namespace MfaConfigRule.Iam;\n\ninternal sealed class B\n{{\n    // over 300 lines because the marker must come before the first brace\n{body}}}\n");
        var shortFile = new SourceFile("Iam/Short.cs", "namespace MfaConfigRule.Iam;\n\ninternal sealed class C\n{\n}\n");

        Assert.Equal(["Iam/Unexplained.cs (306 lines)"], LongFilesWithoutReason([explained, unexplained, shortFile]));
    }

    // The real tree.

    [Fact]
    public void RuleFolders_IncludeTheFoldersTheseChecksName() =>
        Assert.Empty(new[] { "Compliance", "Composition", "Cli", "Functions" }.Except(RuleGraph().Keys));

    [Fact]
    public void RuleFolders_HaveNoCycle()
    {
        var cycle = FolderGraph.FindCycle(RuleGraph());

        Assert.True(cycle is null, $"folder cycle in rule/: {string.Join(" -> ", cycle ?? [])}");
    }

    [Fact]
    public void Compliance_DependsOnNothingOfOurs()
    {
        var arrows = FolderGraph.ArrowsOutOf(RuleGraph(), "Compliance");

        Assert.True(arrows.Count == 0, $"the domain must stay pure: {string.Join(", ", arrows)}");
    }

    [Fact]
    public void FrontDoors_AreUsedOnlyByProgram()
    {
        var arrows = FolderGraph.ArrowsInto(RuleGraph(), FrontDoors, FolderGraph.Root);

        Assert.True(arrows.Count == 0, $"only Program.cs may depend on {string.Join(" or ", FrontDoors)}: {string.Join(", ", arrows)}");
    }

    [Fact]
    public void RuleFiles_OverLimit_SayWhy()
    {
        var files = LongFilesWithoutReason(RuleFiles());

        Assert.True(files.Count == 0, $"over {MaxLines} lines without \"{LongFileMarker}\" in a comment above the first brace: {string.Join(", ", files)}");
    }

    private static IReadOnlyList<string> LongFilesWithoutReason(IEnumerable<SourceFile> files) =>
        [.. files.Select(f => (f.Path, Lines: f.Text.Split('\n')))
            .Select(f => (f.Path, Count: f.Lines.Length - (f.Lines[^1].Length == 0 ? 1 : 0), Header: f.Lines.TakeWhile(l => !l.Contains('{', StringComparison.Ordinal))))
            .Where(f => f.Count > MaxLines && !f.Header.Any(l => l.TrimStart().StartsWith("//", StringComparison.Ordinal) && l.Contains(LongFileMarker, StringComparison.OrdinalIgnoreCase)))
            .Select(f => $"{f.Path} ({f.Count} lines)")];

    private static IReadOnlyDictionary<string, SortedSet<string>> CleanGraph() =>
        FolderGraph.Build([
            File("Program.cs", "", "using MfaConfigRule.Cli;\nusing MfaConfigRule.Functions;"),
            File("Functions/A.cs", "Functions", "using MfaConfigRule.Composition;"),
            File("Cli/B.cs", "Cli", "using MfaConfigRule.Composition;\nusing MfaConfigRule.Iam;"),
            File("Composition/C.cs", "Composition", "using MfaConfigRule.Iam;\nusing MfaConfigRule.Config;"),
            File("Iam/D.cs", "Iam", "using MfaConfigRule.Aws;\nusing MfaConfigRule.Compliance;"),
            File("Config/E.cs", "Config", "using MfaConfigRule.Aws;\nusing MfaConfigRule.Compliance;"),
            File("Aws/F.cs", "Aws"),
            File("Compliance/G.cs", "Compliance"),
        ]);

    private static SourceFile File(string path, string folder, string usings = "", string body = "") =>
        new(path, $"{usings}\n\nnamespace MfaConfigRule{(folder.Length == 0 ? "" : "." + folder)};\n\ninternal static class T\n{{\n{body}\n}}\n");

    private static IReadOnlyDictionary<string, SortedSet<string>> RuleGraph()
    {
        var project = System.IO.File.ReadAllText(Repository.PathOf("rule", "MfaConfigRule.csproj"));
        var projectUsings = System.Text.RegularExpressions.Regex.Matches(project, "<Using\\s+Include=\"([^\"]+)\"").Select(m => m.Groups[1].Value);
        return FolderGraph.Build(RuleFiles(), projectUsings);
    }

    private static List<SourceFile> RuleFiles()
    {
        var rule = Repository.PathOf("rule");
        return [.. Directory.EnumerateFiles(rule, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .Select(path => new SourceFile(Path.GetRelativePath(rule, path), System.IO.File.ReadAllText(path)))];
    }
}

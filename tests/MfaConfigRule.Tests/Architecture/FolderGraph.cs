using System.Text;
using System.Text.RegularExpressions;

namespace MfaConfigRule.Tests.Architecture;

/// <summary>One C# file of rule/: its path relative to rule/ (for messages) and its text.</summary>
internal sealed record SourceFile(string Path, string Text);

/// <summary>
/// The dependency graph between the top-level folders of rule/, read from the source text alone so that it holds
/// whatever the compiler is given. A file's folder is its namespace (<c>MfaConfigRule.X[.Y]</c> is folder X; the bare
/// <c>MfaConfigRule</c> is the root, <see cref="Root"/>). A file depends on folder X when, outside comments and string
/// literals, it names <c>MfaConfigRule.X</c> (a <c>using</c>, <c>using static</c>, alias, or a fully qualified name) or
/// writes <c>X.Type</c> with X a sibling folder (C# resolves that from inside <c>MfaConfigRule.*</c>); a
/// <c>global using MfaConfigRule.X</c> anywhere, or a <c>&lt;Using Include="MfaConfigRule.X" /&gt;</c> in the project,
/// is a dependency of every folder, since every file sees it.
/// </summary>
internal static partial class FolderGraph
{
    public const string Root = "(root)";

    private const string Ours = "MfaConfigRule";

    /// <summary>For each folder, the other folders it depends on (sorted, so messages are stable).</summary>
    public static IReadOnlyDictionary<string, SortedSet<string>> Build(IEnumerable<SourceFile> files, IEnumerable<string>? projectUsings = null)
    {
        var code = files.Select(f => (File: f, Folder: FolderOf(f), Code: CodeOnly(f.Text))).ToList();
        var folders = code.Select(c => c.Folder).Where(f => f != Root).ToHashSet(StringComparer.Ordinal);
        var everywhere = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in projectUsings ?? []) AddOurs(name, everywhere);
        foreach (var (_, _, text) in code)
            foreach (Match global in GlobalUsing().Matches(text)) AddOurs(global.Groups[1].Value, everywhere);

        var graph = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (_, folder, text) in code)
        {
            var edges = graph.TryGetValue(folder, out var existing) ? existing : graph[folder] = new SortedSet<string>(StringComparer.Ordinal);
            edges.UnionWith(everywhere);
            var body = NamespaceDeclaration().Replace(text, string.Empty);
            foreach (Match qualified in QualifiedName().Matches(body)) edges.Add(qualified.Groups[1].Value);
            foreach (Match sibling in SiblingName().Matches(body))
                if (folders.Contains(sibling.Groups[1].Value)) edges.Add(sibling.Groups[1].Value);
            edges.Remove(folder);
        }
        return graph;
    }

    /// <summary>A cycle between folders as a path that ends where it starts (<c>A -> B -> A</c>), or null if there is none.</summary>
    public static IReadOnlyList<string>? FindCycle(IReadOnlyDictionary<string, SortedSet<string>> graph)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var start in graph.Keys)
        {
            var cycle = Visit(start);
            if (cycle is not null) return cycle;
        }
        return null;

        List<string>? Visit(string folder)
        {
            var onPath = path.IndexOf(folder);
            if (onPath >= 0) return [.. path[onPath..], folder];
            if (!done.Add(folder)) return null;
            path.Add(folder);
            foreach (var next in graph.TryGetValue(folder, out var edges) ? edges : [])
            {
                var cycle = Visit(next);
                if (cycle is not null) return cycle;
            }
            path.RemoveAt(path.Count - 1);
            return null;
        }
    }

    /// <summary>Every arrow <c>from -> to</c> where <paramref name="to"/> is one of <paramref name="targets"/>, except from <paramref name="allowedFrom"/>.</summary>
    public static IReadOnlyList<string> ArrowsInto(IReadOnlyDictionary<string, SortedSet<string>> graph, IReadOnlyCollection<string> targets, params string[] allowedFrom) =>
        [.. graph.Where(node => !allowedFrom.Contains(node.Key))
            .SelectMany(node => node.Value.Where(targets.Contains).Select(to => $"{node.Key} -> {to}"))];

    /// <summary>Every arrow out of <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> ArrowsOutOf(IReadOnlyDictionary<string, SortedSet<string>> graph, string folder) =>
        graph.TryGetValue(folder, out var edges) ? [.. edges.Select(to => $"{folder} -> {to}")] : [];

    public static string FolderOf(SourceFile file)
    {
        var declared = NamespaceDeclaration().Match(CodeOnly(file.Text));
        if (!declared.Success) throw new InvalidOperationException($"{file.Path} declares no namespace");
        var name = declared.Groups[1].Value;
        if (name == Ours) return Root;
        return name.StartsWith(Ours + ".", StringComparison.Ordinal)
            ? name[(Ours.Length + 1)..].Split('.')[0]
            : throw new InvalidOperationException($"{file.Path} is in namespace {name}, outside {Ours}");
    }

    /// <summary>The text with comments and the contents of string and character literals blanked, line breaks kept.</summary>
    public static string CodeOnly(string text)
    {
        var code = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (At("//"))
            {
                while (i < text.Length && text[i] != '\n') i++;
            }
            else if (At("/*"))
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                Blank(end < 0 ? text.Length : end + 2);
            }
            else if (At("\"\"\""))
            {
                var quotes = 0;
                while (i + quotes < text.Length && text[i + quotes] == '"') quotes++;
                var end = text.IndexOf(new string('"', quotes), i + quotes, StringComparison.Ordinal);
                Blank(end < 0 ? text.Length : end + quotes);
            }
            else if (At("@\"") || At("$@\"") || At("@$\""))
            {
                var j = text.IndexOf('"', i) + 1;
                while (j < text.Length && !(text[j] == '"' && (j + 1 >= text.Length || text[j + 1] != '"'))) j += text[j] == '"' ? 2 : 1;
                Blank(Math.Min(j + 1, text.Length));
            }
            else if (text[i] is '"' or '\'')
            {
                var quote = text[i];
                var j = i + 1;
                while (j < text.Length && text[j] != quote && text[j] != '\n') j += text[j] == '\\' ? 2 : 1;
                Blank(Math.Min(j + 1, text.Length));
            }
            else
            {
                code.Append(text[i++]);
            }
        }
        return code.ToString();

        bool At(string token) => string.CompareOrdinal(text, i, token, 0, token.Length) == 0;

        void Blank(int end)
        {
            for (; i < end; i++) code.Append(text[i] == '\n' ? '\n' : ' ');
        }
    }

    private static void AddOurs(string name, SortedSet<string> into)
    {
        var match = QualifiedName().Match(name);
        if (match.Success) into.Add(match.Groups[1].Value);
    }

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"^\s*global\s+using\s+(?:static\s+)?(?:\w+\s*=\s*)?([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex GlobalUsing();

    [GeneratedRegex(@"(?<![\w.])MfaConfigRule\.([A-Z]\w*)")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"(?<![\w.])([A-Z]\w*)\.[A-Z]\w*")]
    private static partial Regex SiblingName();
}

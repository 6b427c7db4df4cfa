using System.Text;
using System.Text.RegularExpressions;

namespace MfaConfigRule.EndToEnd.Tests.Docs;

/// <summary>A fenced code block, its info string, the test marker written just before it, and where it starts.</summary>
internal sealed record FencedBlock(string Info, string? Marker, IReadOnlyList<string> Lines, int LineNumber);

/// <summary>A link as written in the markdown: its target (path, anchor or both) and the line it is on.</summary>
internal sealed record MarkdownLink(string Target, int LineNumber);

/// <summary>
/// What the docs tests read from one markdown page: its headings as GitHub anchors, its links outside code, and its
/// fenced blocks with the <c>&lt;!-- test: … --&gt;</c> comment before each. Read from the file itself, so a page
/// cannot say one thing while the tests check another.
/// </summary>
internal sealed partial class MarkdownPage
{
    private MarkdownPage(string path, IReadOnlySet<string> anchors, IReadOnlyList<MarkdownLink> links, IReadOnlyList<FencedBlock> blocks)
    {
        Path = path;
        Anchors = anchors;
        Links = links;
        Blocks = blocks;
    }

    public string Path { get; }

    public IReadOnlySet<string> Anchors { get; }

    public IReadOnlyList<MarkdownLink> Links { get; }

    public IReadOnlyList<FencedBlock> Blocks { get; }

    /// <summary>README.md and every page under docs/, as repository-relative paths.</summary>
    public static IReadOnlyList<string> AllPages() =>
    [
        "README.md",
        .. Directory.EnumerateFiles(Repository.PathOf("docs"), "*.md", SearchOption.AllDirectories)
            .Select(f => System.IO.Path.GetRelativePath(Repository.Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal),
    ];

    public static MarkdownPage Read(string relativePath) =>
        Parse(relativePath, File.ReadAllLines(Repository.PathOf(relativePath.Split('/'))));

    public static MarkdownPage Parse(string relativePath, string[] lines)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var links = new List<MarkdownLink>();
        var blocks = new List<FencedBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                var start = i;
                var body = new List<string>();
                for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++) body.Add(lines[i]);
                blocks.Add(new FencedBlock(trimmed[3..].Trim(), MarkerBefore(lines, start), body, start + 1));
                continue;
            }
            var heading = Heading().Match(lines[i]);
            if (heading.Success)
            {
                var slug = Slug(heading.Groups[1].Value);
                var count = seen.GetValueOrDefault(slug);
                seen[slug] = count + 1;
                anchors.Add(count == 0 ? slug : $"{slug}-{count}");
            }
            foreach (Match link in Link().Matches(InlineCode().Replace(lines[i], "")))
                links.Add(new MarkdownLink(link.Groups[1].Value, i + 1));
        }
        return new MarkdownPage(relativePath, anchors, links, blocks);
    }

    /// <summary>
    /// GitHub's anchor for a heading: lower case, spaces to '-', every character that is not a letter, a digit, '-'
    /// or '_' dropped (so "Retries, concurrency and timeouts" is <c>retries-concurrency-and-timeouts</c>).
    /// </summary>
    public static string Slug(string heading)
    {
        var slug = new StringBuilder(heading.Length);
        foreach (var c in heading.Trim().ToLowerInvariant())
        {
            if (c == ' ') slug.Append('-');
            else if (char.IsLetterOrDigit(c) || c is '-' or '_') slug.Append(c);
        }
        return slug.ToString();
    }

    /// <summary>The <c>&lt;!-- test: … --&gt;</c> text on the nearest non-blank line above a fence, if that line is one.</summary>
    private static string? MarkerBefore(string[] lines, int fence)
    {
        for (var i = fence - 1; i >= 0; i--)
        {
            if (lines[i].Trim().Length == 0) continue;
            var marker = Marker().Match(lines[i]);
            return marker.Success ? marker.Groups[1].Value.Trim() : null;
        }
        return null;
    }

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    // [text](target) and ![alt](target); a target has no spaces (the pages write none).
    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex("`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^\s*<!--\s*test:(.*?)-->\s*$")]
    private static partial Regex Marker();
}

namespace MfaConfigRule.EndToEnd.Tests.Docs;

/// <summary>Every relative link and #anchor in README.md and docs/ leads somewhere: a page moved or a heading renamed fails here.</summary>
public sealed class DocLinkTests
{
    [Theory]
    [InlineData("Retries, concurrency and timeouts", "retries-concurrency-and-timeouts")]
    [InlineData("Report changes only: cost that follows the changes", "report-changes-only-cost-that-follows-the-changes")]
    [InlineData("Start-up: `evaluate --credential-report samples/credential-report.csv` (40 users)", "start-up-evaluate---credential-report-samplescredential-reportcsv-40-users")]
    [InlineData("Set-up (fresh machine, no AWS account needed)", "set-up-fresh-machine-no-aws-account-needed")]
    [InlineData("snake_case stays", "snake_case-stays")]
    public void Slug_IsGitHubsAnchorForTheHeading(string heading, string anchor) =>
        Assert.Equal(anchor, MarkdownPage.Slug(heading));

    [Fact]
    public void Parse_RepeatedHeading_GetsANumberedAnchorAndCodeIsNoHeading()
    {
        var page = MarkdownPage.Parse("page.md", ["# Page", "## Notes", "```sh", "# a comment, not a heading", "```", "## Notes", "## Notes"]);

        Assert.Equal(["notes", "notes-1", "notes-2", "page"], page.Anchors.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryRelativeLinkAndAnchor_InTheReadmeAndDocs_Resolves()
    {
        var pages = MarkdownPage.AllPages().ToDictionary(p => p, MarkdownPage.Read, StringComparer.Ordinal);
        var broken = new List<string>();
        foreach (var page in pages.Values)
        {
            foreach (var link in page.Links)
            {
                if (link.Target.Contains("://", StringComparison.Ordinal) || link.Target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                var hash = link.Target.IndexOf('#', StringComparison.Ordinal);
                var path = hash < 0 ? link.Target : link.Target[..hash];
                var anchor = hash < 0 ? null : link.Target[(hash + 1)..];
                var target = path.Length == 0
                    ? page.Path
                    : Path.GetRelativePath(Repository.Root, Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Repository.PathOf(page.Path.Split('/')))!, path))).Replace('\\', '/');
                var where = $"{page.Path}:{link.LineNumber} ({link.Target})";
                var full = Repository.PathOf(target.Split('/'));
                if (!File.Exists(full) && !Directory.Exists(full))
                {
                    broken.Add($"{where}: no file or folder {target}");
                    continue;
                }
                if (anchor is null) continue;
                if (!target.EndsWith(".md", StringComparison.Ordinal))
                {
                    broken.Add($"{where}: an anchor on {target}, which is not a markdown page");
                    continue;
                }
                var anchors = pages.TryGetValue(target, out var known) ? known.Anchors : MarkdownPage.Read(target).Anchors;
                if (!anchors.Contains(anchor)) broken.Add($"{where}: {target} has no heading whose anchor is #{anchor}");
            }
        }
        Assert.True(broken.Count == 0, "broken links:\n" + string.Join('\n', broken));
    }
}

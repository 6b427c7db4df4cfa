using System.Text.RegularExpressions;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests.Docs;

/// <summary>
/// README.md's first set-up command as a newcomer runs it: the very words of the block, <c>dotnet run</c> included,
/// from the repository root. <see cref="DocCommandTests"/> runs every other command with the published binary in place
/// of <c>dotnet run --project rule --</c>; this is the one block marked
/// <c>&lt;!-- test: exit N, and as written with dotnet run --&gt;</c>, and the one literal <c>dotnet run</c> of the
/// docs tests (it builds rule/ if the build is not already there: about 20–40 s when it is).
/// </summary>
public sealed partial class ReadmeSetUpTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BuildAndRunTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task FirstSetUpCommand_RunAsWrittenWithDotnetRun_AuditsTheFortyUsersAndExitsAsTheReadmeSays()
    {
        var literal = MarkdownPage.AllPages()
            .SelectMany(page => DocCommandTests.ShellBlocks(page).Select(block => (page, block)))
            .Select(p => (p.page, p.block, exit: p.block.Marker is null ? Match.Empty : DocCommandTests.ExitMarker().Match(p.block.Marker)))
            .Where(p => p.exit.Groups["literal"].Success)
            .ToList();
        // One literal dotnet run for the whole manual: each costs a build check and a JIT start.
        var (page, block, exit) = Assert.Single(literal);
        Assert.Equal("README.md", page);
        var readme = MarkdownPage.Read("README.md");
        var setUp = readme.Blocks.First(b => DocCommandTests.ShellInfos.Contains(b.Info.Split(' ')[0], StringComparer.Ordinal));
        Assert.True(setUp.LineNumber == block.LineNumber, $"the block run as written must be README's first shell block (line {setUp.LineNumber}), not line {block.LineNumber}");
        var command = Assert.Single(DocCommandTests.Commands(block.Lines));
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["dotnet", "run", "--project", "rule", "--"], words[..5]);
        var expected = int.Parse(exit.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        // As a newcomer in a fresh clone: from the repository root, no AWS credentials or configuration (Tool scrubs them).
        var run = await Tool.RunAsync(words[0], words[1..], BuildAndRunTimeout, workingDirectory: Repository.Root);
        output.WriteLine($"README.md:{block.LineNumber}: {command}\n{run}");

        // What the README says of it: exit 1 because the sample has NON_COMPLIANT users; a table of the 40 users of
        // samples/credential-report.csv (the root row set aside), with what needs action first.
        Assert.True(run.ExitCode == expected, $"exit {run.ExitCode}, README.md says {expected}\n{run}");
        var verdicts = VerdictColumn().Matches(run.Stdout).Select(m => m.Groups[1].Value).ToList();
        var users = File.ReadAllLines(Repository.PathOf("samples", "credential-report.csv")).Skip(1)
            .Count(line => line.Length > 0 && !line.StartsWith("<root_account>,", StringComparison.Ordinal));
        Assert.Equal(40, users);
        Assert.True(verdicts.Count == users, $"{verdicts.Count} user rows in the table, the sample has {users}\n{run.Stdout}");
        Assert.Contains($"{users} users: ", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("NON_COMPLIANT", verdicts[0]);
        var firstOther = verdicts.FindIndex(v => v != "NON_COMPLIANT");
        Assert.True(firstOther > 0 && verdicts.Skip(firstOther).All(v => v != "NON_COMPLIANT"), $"NON_COMPLIANT users are not listed first:\n{run.Stdout}");
    }

    /// <summary>A row of the table: the user, then its verdict.</summary>
    [GeneratedRegex(@"^\S+ +(NON_COMPLIANT|COMPLIANT|NOT_APPLICABLE) +\S", RegexOptions.Multiline)]
    private static partial Regex VerdictColumn();
}

using System.Text;
using System.Text.RegularExpressions;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests.Docs;

/// <summary>
/// Every command README.md and the pages under docs/ show is either run here as the page writes it (the published
/// binary in place of <c>dotnet run --project rule --</c>) and exits as the page says
/// (<c>&lt;!-- test: exit N --&gt;</c>), or says why not (<c>&lt;!-- test: skip (why) --&gt;</c>). A shell block with
/// neither fails, so no command reaches the pages untested by accident. A command runs with no AWS
/// credentials at all, or, marked <c>exit N, against the local AWS double</c>, with the environment of
/// <see cref="EndToEndTest"/>: this test's double, seeded with the samples-style population and holding the rule the
/// command's <c>--event</c> names. A block marked <c>exit N, and as written with dotnet run</c> is also run by
/// <see cref="ReadmeSetUpTests"/> exactly as written, with <c>dotnet run</c> from the repository root.
/// The convention is described in docs/contributing.md, "Docs that stay true".
/// </summary>
public sealed partial class DocCommandTests(ITestOutputHelper output) : EndToEndTest(output)
{
    /// <summary>
    /// The pages whose commands are run: the front door and the CLI's page, which must show at least one, and any other
    /// page that marks a block <c>exit N</c> (so no such marker goes unrun).
    /// </summary>
    public static TheoryData<string> CommandPages
    {
        get
        {
            var pages = new TheoryData<string> { "README.md", "docs/cli.md" };
            foreach (var page in MarkdownPage.AllPages().Where(p => p is not ("README.md" or "docs/cli.md")
                && ShellBlocks(p).Any(b => b.Marker is not null && ExitMarker().IsMatch(b.Marker)))) pages.Add(page);
            return pages;
        }
    }

    /// <summary>
    /// The pages whose every shell block must say whether a test runs it: README.md and every page under docs/, at any
    /// depth (the command pages, the release and its channels, the capability pages whose commands need an AWS account).
    /// </summary>
    public static TheoryData<string> MarkedPages
    {
        get
        {
            var pages = new TheoryData<string>();
            foreach (var page in MarkdownPage.AllPages()) pages.Add(page);
            return pages;
        }
    }

    internal static readonly string[] ShellInfos = ["sh", "bash", "shell", "console"];

    // How the pages write the rule: from a clone, or installed.
    private static readonly string[][] RuleInvocations = [["dotnet", "run", "--project", "rule", "--"], ["mfa-config-rule"]];

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    [Theory]
    [MemberData(nameof(MarkedPages))]
    public void EveryShellBlock_CarriesATestMarker(string page)
    {
        var unmarked = ShellBlocks(page)
            .Where(b => b.Marker is null || (ExitMarker().Match(b.Marker) is { Success: false } && SkipMarker().Match(b.Marker) is { Success: false }))
            .Select(b => $"{page}:{b.LineNumber}: ```{b.Info} block without <!-- test: exit N --> or <!-- test: skip (why) --> just before it (found: {b.Marker ?? "nothing"})")
            .ToList();

        Assert.True(unmarked.Count == 0, string.Join('\n', unmarked));
    }

    [Theory]
    [MemberData(nameof(CommandPages))]
    public async Task EveryOfflineCommand_RunsWithoutAwsAndExitsAsThePageSays(string page)
    {
        var binary = Binary;
        var failures = new List<string>();
        var ran = 0;
        foreach (var block in ShellBlocks(page))
        {
            var exit = block.Marker is null ? Match.Empty : ExitMarker().Match(block.Marker);
            if (!exit.Success) continue;
            var expected = int.Parse(exit.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            foreach (var command in Commands(block.Lines))
            {
                var where = $"{page}:{block.LineNumber}: {command}";
                if (!TryRuleArguments(command, out var arguments, out var why))
                {
                    failures.Add($"{where}: {why}");
                    continue;
                }
                // Tool scrubs AWS_* and points the config and credentials files nowhere: no account can answer but the double.
                var environment = exit.Groups["double"].Success ? PrepareDouble(arguments) : null;
                var run = await Tool.RunAsync(binary.FileName, binary.Arguments(arguments), CommandTimeout, environment);
                ran++;
                Output.WriteLine($"{where}\n{run}");
                if (run.ExitCode != expected) failures.Add($"{where}: exit {run.ExitCode}, the page says {expected}\n{run}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.True(ran > 0, $"{page} shows no command marked <!-- test: exit N -->: nothing was run");
    }

    /// <summary>
    /// The double as the command needs it: the samples-style population, and the rule its <c>--event</c> file names
    /// (as <c>samples/run-local.sh</c> creates it), so a TESTMODE event runs as in Config.
    /// </summary>
    private Dictionary<string, string> PrepareDouble(IReadOnlyList<string> arguments)
    {
        if (Account.Users.Count == 0) SeedPopulation(30);
        var eventAt = arguments.ToList().IndexOf("--event");
        if (eventAt >= 0 && eventAt + 1 < arguments.Count)
        {
            var configEvent = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, arguments[eventAt + 1])));
            var ruleName = configEvent?["configRuleName"]?.GetValue<string>();
            if (ruleName is not null) Config.PutCustomLambdaRule(ruleName);
        }
        return AwsEnvironment();
    }

    internal static IEnumerable<FencedBlock> ShellBlocks(string page) =>
        MarkdownPage.Read(page).Blocks.Where(b => ShellInfos.Contains(b.Info.Split(' ')[0], StringComparer.Ordinal));

    /// <summary>The block's commands: one a line, a trailing backslash continues it, <c># comments</c> dropped.</summary>
    internal static IReadOnlyList<string> Commands(IEnumerable<string> lines)
    {
        var commands = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in lines)
        {
            var line = StripComment(raw).Trim();
            var continues = line.EndsWith('\\');
            if (continues) line = line[..^1].TrimEnd();
            if (line.Length > 0) current.Append(current.Length > 0 ? " " : "").Append(line);
            if (continues) continue;
            if (current.Length > 0) commands.Add(current.ToString());
            current.Clear();
        }
        if (current.Length > 0) commands.Add(current.ToString());
        return commands;
    }

    /// <summary>
    /// The arguments for the rule's binary, if the command runs the rule the way the pages write it and needs no shell
    /// (no pipe, redirection, variable or list): it is run as words, so what the page shows is what runs.
    /// </summary>
    internal static bool TryRuleArguments(string command, out IReadOnlyList<string> arguments, out string why)
    {
        arguments = [];
        if (!TrySplitWords(command, out var words, out why)) return false;
        foreach (var prefix in RuleInvocations)
        {
            if (words.Count >= prefix.Length && words.Take(prefix.Length).SequenceEqual(prefix, StringComparer.Ordinal))
            {
                arguments = words.Skip(prefix.Length).ToList();
                return true;
            }
        }
        why = "a command marked <!-- test: exit N --> must run the rule (dotnet run --project rule -- … or mfa-config-rule …); mark others <!-- test: skip (why) -->";
        return false;
    }

    private static bool TrySplitWords(string command, out List<string> words, out string why)
    {
        words = [];
        why = "";
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (quote == '\'')
            {
                if (c == '\'') quote = null;
                else word.Append(c);
                continue;
            }
            if (quote == '"')
            {
                if (c == '"') quote = null;
                else if (c == '\\' && i + 1 < command.Length && command[i + 1] is '"' or '\\') word.Append(command[++i]);
                else if (c == '$' || c == '`') return Refuse(out why, c);
                else word.Append(c);
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            inWord = true;
            if (c is '\'' or '"') quote = c;
            else if (c is '|' or '>' or '<' or '&' or ';' or '$' or '`' or '(' or ')' or '*' or '?') return Refuse(out why, c);
            else if (c == '\\' && i + 1 < command.Length) word.Append(command[++i]);
            else word.Append(c);
        }
        if (quote is not null)
        {
            why = "an unterminated quote";
            return false;
        }
        if (inWord) words.Add(word.ToString());
        return true;
    }

    private static bool Refuse(out string why, char c)
    {
        why = $"'{c}' needs a shell; a tested command is run as words, so show it without one or mark the block <!-- test: skip (why) -->";
        return false;
    }

    private static string StripComment(string line)
    {
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is not null)
            {
                if (c == quote) quote = null;
                continue;
            }
            if (c is '\'' or '"') quote = c;
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1]))) return line[..i];
        }
        return line;
    }

    [GeneratedRegex(@"^exit (\d+)(?:(?<double>, against the local AWS double)|(?<literal>, and as written with dotnet run))?$")]
    internal static partial Regex ExitMarker();

    [GeneratedRegex(@"^skip \(.+\)$")]
    private static partial Regex SkipMarker();
}

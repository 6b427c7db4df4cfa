using System.Text.Json.Nodes;
using AwsDouble;
using AwsDouble.Config;
using AwsDouble.Iam;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// <c>report --aggregator</c> as the real binary runs it against the double: the hub (the management account, with
/// the aggregator over the whole Organization) and members — one with fresh results, one with stale results, one
/// where the rule never ran, one with a thousand users. Every user's row is checked in table, JSON and CSV.
/// </summary>
public sealed class ReportTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Fresh = "111111111111";
    private const string Stale = "222222222222";
    private const string NeverRan = "333333333333";
    private const string Big = "444444444444";

    /// <summary>The verdict each seeded user should show, by account and user name.</summary>
    private readonly Dictionary<(string Account, string User), (string Verdict, bool Stale)> _expected = [];

    private ConfigAggregator Organization()
    {
        var organization = Aws.State.CreateOrganization(Account);
        Member(organization, Fresh, "fresh", 9, age: TimeSpan.FromHours(1));
        Member(organization, Stale, "stale", 6, age: TimeSpan.FromDays(3));
        var never = Aws.State.AddAccount(NeverRan);
        organization.Join(never, "never-ran");
        never.SeedUsers(Enumerable.Range(0, 4).Select(i => new UserSeed($"never-{i}")));
        Member(organization, Big, "big", 1000, age: TimeSpan.FromHours(2));
        return Account.AddConfigurationAggregator(Region, "org");
    }

    /// <summary>Users whose results cycle NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE, recorded <paramref name="age"/> ago.</summary>
    private void Member(AwsDouble.Organizations.DoubleOrganization organization, string accountId, string name, int users, TimeSpan age)
    {
        var account = Aws.State.AddAccount(accountId);
        organization.Join(account, name);
        account.Config(Region).PutCustomLambdaRule(RuleName);
        var seeded = account.SeedUsers(Enumerable.Range(0, users).Select(i => new UserSeed($"{name}-{i:D4}")));
        var at = Now - age;
        string[] cycle = ["NON_COMPLIANT", "COMPLIANT", "NOT_APPLICABLE"];
        account.Config(Region).SeedResults(RuleName, seeded.Select((u, i) =>
            new StoredEvaluation(RuleName, "AWS::IAM::User", u.UserId, cycle[i % 3], $"why {u.UserName}", at, at, at)));
        foreach (var (user, i) in seeded.Select((u, i) => (u, i)))
        {
            // The aggregator does not carry NOT_APPLICABLE (as AWS documents): those users have no result to show.
            _expected[(accountId, user.UserName)] = cycle[i % 3] == "NOT_APPLICABLE" ? ("NO_RESULT", false) : (cycle[i % 3], age > TimeSpan.FromHours(26));
        }
    }

    private Task<ToolRun> ReportAsync(params string[] arguments) =>
        Tool.RunAsync(Binary.FileName, Binary.Arguments(["report", "--aggregator", "org", "--rule-name", RuleName, .. arguments]), TimeSpan.FromMinutes(3), AwsEnvironment());

    [Fact]
    public async Task Report_EveryUserOfEveryAccount_RightInJsonCsvAndTable()
    {
        Organization();

        var json = await ReportAsync("--output", "json");
        var csv = await ReportAsync("--output", "csv");
        var table = await ReportAsync();

        // Accounts without results (the hub, where the rule has none, and the one where it never ran) and stale results: exit 2.
        Assert.True(json.ExitCode == 2, json.ToString());
        Assert.Equal(2, csv.ExitCode);
        Assert.Equal(2, table.ExitCode);
        var document = JsonNode.Parse(json.Stdout)!;
        var accounts = document["accounts"]!.AsArray().ToDictionary(a => a!["accountId"]!.GetValue<string>(), a => a!["state"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string>
        {
            [Account.AccountId] = "NO_RESULTS", [Fresh] = "REPORTED", [Stale] = "REPORTED", [NeverRan] = "NO_RESULTS", [Big] = "REPORTED",
        }, accounts);
        Assert.True(document["accountNamesAvailable"]!.GetValue<bool>());
        var users = document["users"]!.AsArray()
            .ToDictionary(u => (u!["accountId"]!.GetValue<string>(), u["user"]!.GetValue<string>()), u => (u!["verdict"]!.GetValue<string>(), u["stale"]!.GetValue<bool>()));
        // Every seeded user of an account with results, and the never-ran account's users are not rows of their own.
        Assert.Equal(_expected.OrderBy(e => e.Key), users.OrderBy(u => u.Key));
        var big = document["users"]!.AsArray().First(u => u!["user"]!.GetValue<string>() == "big-0000")!;
        Assert.Equal("big", big["accountName"]!.GetValue<string>());
        Assert.Equal("why big-0000", big["annotation"]!.GetValue<string>());

        var csvLines = csv.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("account,account_name,user,user_id,verdict,stale,recorded_time,annotation", csvLines[0]);
        var csvRows = csvLines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(_expected.Count + 2, csvRows.Count);
        foreach (var ((account, user), (verdict, stale)) in _expected)
            Assert.Contains(csvRows, r => r[0] == account && r[2] == user && r[4] == verdict && r[5] == (stale ? "true" : "false"));
        Assert.Contains(csvRows, r => r[0] == NeverRan && r[1] == "never-ran" && r[2] == "(whole account)" && r[4] == "NO_RESULTS");

        var tableLines = table.Stdout.Split('\n');
        foreach (var ((account, user), (verdict, stale)) in _expected)
            Assert.Contains(tableLines, l => l.StartsWith(account, StringComparison.Ordinal) && l.Contains($"  {user}  ", StringComparison.Ordinal) && l.Contains(verdict + (stale ? " (stale)" : string.Empty) + "  ", StringComparison.Ordinal));
        Assert.Contains("5 accounts, 1015 users:", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("results older than 26 h are flagged stale", table.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_AnAggregatorThatCarriesNotApplicable_ShowsItAndExitsOneForTheFindings()
    {
        Organization();
        Aws.State.Behaviours = AwsBehaviours.Today with { AggregatorNotApplicable = AggregatorNotApplicable.Carried };

        var run = await ReportAsync("--accounts", Fresh, "--output", "json");
        var html = await ReportAsync("--accounts", Fresh, "--output", "html");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.True(html.ExitCode == 1, html.ToString());
        Assert.StartsWith("<!DOCTYPE html>", html.Stdout.TrimStart(), StringComparison.OrdinalIgnoreCase);
        foreach (var user in Enumerable.Range(0, 9).Select(i => $"fresh-{i:D4}")) Assert.Contains(user, html.Stdout, StringComparison.Ordinal);
        var verdicts = JsonNode.Parse(run.Stdout)!["users"]!.AsArray().Select(u => u!["verdict"]!.GetValue<string>()).ToList();
        Assert.Equal(["NON_COMPLIANT", "NON_COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "NOT_APPLICABLE", "NOT_APPLICABLE", "COMPLIANT", "COMPLIANT", "COMPLIANT"], verdicts);
    }

    [Fact]
    public async Task Report_FromAMemberThatMayNotListTheOrganization_SaysNamesAreUnavailable_AndUsesTheAggregatorsAccounts()
    {
        Organization();
        var member = Aws.State.FindAccount(Fresh)!;
        member.AddConfigurationAggregator(Region, "org", [Fresh, NeverRan]);
        var environment = AwsEnvironment();
        environment["AWS_ACCESS_KEY_ID"] = member.RootCredentials.AccessKeyId;
        environment["AWS_SECRET_ACCESS_KEY"] = member.RootCredentials.SecretAccessKey;

        var run = await Tool.RunAsync(Binary.FileName, Binary.Arguments(["report", "--aggregator", "org", "--rule-name", RuleName, "-o", "json"]), TimeSpan.FromMinutes(3), environment);
        var unknown = await Tool.RunAsync(Binary.FileName, Binary.Arguments(["report", "--aggregator", "nope", "--rule-name", RuleName]), TimeSpan.FromMinutes(3), environment);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("note: account names unavailable (organizations:ListAccounts answered AccessDeniedException)", run.Stderr, StringComparison.Ordinal);
        var document = JsonNode.Parse(run.Stdout)!;
        Assert.False(document["accountNamesAvailable"]!.GetValue<bool>());
        Assert.Equal(["REPORTED", "NO_RESULTS"], document["accounts"]!.AsArray().Select(a => a!["state"]!.GetValue<string>()));
        Assert.Equal(9, document["users"]!.AsArray().Count);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("error: there is no aggregator 'nope'", unknown.Stderr, StringComparison.Ordinal);
    }
}

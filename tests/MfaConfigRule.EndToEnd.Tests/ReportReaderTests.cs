using System.Globalization;
using System.Text.Json.Nodes;
using AwsDouble;
using AwsDouble.Config;
using AwsDouble.Iam;
using AwsDouble.Organizations;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// <c>report --aggregator</c> as its reader meets it, the real binary against the double: the HTML page in Debian's
/// chromium with stale rows and users without a result; what a user without a result means under both answers to
/// "does the aggregator carry NOT_APPLICABLE?", with and without <c>--aggregator-drops-not-applicable</c>; and the
/// report under a Config that throttles the aggregate calls, at the default 16 accounts at a time.
/// </summary>
public sealed class ReportReaderTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Fresh = "111111111111";
    private const string Stale = "222222222222";
    private const string NeverRan = "333333333333";
    private static readonly string[] Cycle = ["NON_COMPLIANT", "COMPLIANT", "NOT_APPLICABLE"];

    private DoubleOrganization? _organization;

    private DoubleOrganization Organization => _organization ??= Aws.State.CreateOrganization(Account);

    /// <summary>A member whose users' results cycle NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE, recorded <paramref name="age"/> ago; <paramref name="unevaluated"/> more users have no result at all.</summary>
    private void Member(string accountId, string name, int users, TimeSpan age, int unevaluated = 0)
    {
        var account = Aws.State.AddAccount(accountId);
        Organization.Join(account, name);
        account.Config(Region).PutCustomLambdaRule(RuleName);
        var seeded = account.SeedUsers(Enumerable.Range(0, users).Select(i => new UserSeed($"{name}-{i:D2}")));
        account.SeedUsers(Enumerable.Range(0, unevaluated).Select(i => new UserSeed($"{name}-new-{i}")));
        var at = Now - age;
        account.Config(Region).SeedResults(RuleName, seeded.Select((u, i) =>
            new StoredEvaluation(RuleName, "AWS::IAM::User", u.UserId, Cycle[i % 3], $"why {u.UserName}", at, at, at)));
    }

    private Task<ToolRun> ReportAsync(params string[] arguments) =>
        Tool.RunAsync(Binary.FileName, Binary.Arguments(["report", "--aggregator", "org", "--rule-name", RuleName, .. arguments]), TimeSpan.FromMinutes(3), AwsEnvironment());

    private static List<JsonObject> Users(ToolRun run) => [.. JsonNode.Parse(run.Stdout)!["users"]!.AsArray().Select(u => u!.AsObject())];

    [ChromiumFact]
    public async Task Html_StaleRowsAndUsersWithoutAResult_AreMarkedAndExplained_NeverCountedCompliant_AndTheSummarySaysSo()
    {
        Member(Fresh, "fresh", 6, TimeSpan.FromHours(1));
        Member(Stale, "stale", 3, TimeSpan.FromDays(3));
        var never = Aws.State.AddAccount(NeverRan);
        Organization.Join(never, "never-ran");
        never.SeedUsers([new UserSeed("never-0")]);
        Account.AddConfigurationAggregator(Region, "org");

        var json = await ReportAsync("-o", "json");
        var html = await ReportAsync("-o", "html");
        var presumedHtml = await ReportAsync("-o", "html", "--aggregator-drops-not-applicable");

        Assert.True(json.ExitCode == 2, json.ToString());
        Assert.True(html.ExitCode == 2, html.ToString());
        // Still 2 with the flag: the stale results and the account without results are unknown whatever NOT_APPLICABLE does.
        Assert.True(presumedHtml.ExitCode == 2, presumedHtml.ToString());
        var users = Users(json);
        var noResult = users.Where(u => u["verdict"]!.GetValue<string>() == "NO_RESULT").Select(u => u["user"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        var stale = users.Where(u => u["stale"]!.GetValue<bool>()).Select(u => u["user"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        // The aggregator drops NOT_APPLICABLE (the double's default, as AWS documents): every third user has no result.
        Assert.Equal(["fresh-02", "fresh-05", "stale-02"], noResult);
        Assert.Equal(["stale-00", "stale-01"], stale);

        var file = Path.Combine(Path.GetTempPath(), $"aggregator-report-{Guid.NewGuid():N}.html");
        var presumedFile = Path.Combine(Path.GetTempPath(), $"aggregator-report-presumed-{Guid.NewGuid():N}.html");
        await File.WriteAllTextAsync(file, html.Stdout);
        await File.WriteAllTextAsync(presumedFile, presumedHtml.Stdout);
        try
        {
            await using var browser = await ReportBrowser.LaunchAsync();
            await using (var report = await browser.OpenAsync(file))
            {
                ReportPageAssert.LoadedNothingElse(report);
                var page = report.Page;
                // Every user of the JSON in its account's table, with its verdict as a word: no result is "? INSUFFICIENT_DATA", never COMPLIANT.
                var shown = await page.EvaluateAsync<string[][]>("""
                    () => [...document.querySelectorAll('section[aria-labelledby="h-all"] details tr[data-verdict]')].map(tr =>
                        [tr.closest('details').dataset.account, tr.querySelector('th').textContent, tr.querySelectorAll('td')[0].textContent, tr.querySelectorAll('td')[1].textContent])
                    """);
                Assert.Equal(users.Select(u => $"{u["accountId"]}|{u["user"]}").Order(StringComparer.Ordinal), shown.Select(s => $"{s[0]}|{s[1]}").Order(StringComparer.Ordinal));
                foreach (var row in shown)
                {
                    var user = users.Single(u => u["user"]!.GetValue<string>() == row[1]);
                    var verdict = user["verdict"]!.GetValue<string>();
                    Assert.StartsWith(verdict == "NO_RESULT" ? "? INSUFFICIENT_DATA" : verdict is "COMPLIANT" ? "✓ COMPLIANT" : "✗ NON_COMPLIANT", row[2], StringComparison.Ordinal);
                    Assert.Equal(user["stale"]!.GetValue<bool>(), row[2].Contains("◷ STALE", StringComparison.Ordinal));
                    if (verdict == "NO_RESULT") Assert.Contains("No aggregated result: NOT_APPLICABLE (no console password; the aggregator may not carry it) or not evaluated yet.", row[3], StringComparison.Ordinal);
                }

                // The totals: users without a result count as no verdict, never as compliant; stale results are counted apart.
                async Task<int> Total(string id) => int.Parse(await page.Locator($"#total-{id} .n").InnerTextAsync(), CultureInfo.InvariantCulture);
                Assert.Equal(users.Count(u => u["verdict"]!.GetValue<string>() == "COMPLIANT"), await Total("COMPLIANT"));
                Assert.Equal(3, await Total("INSUFFICIENT_DATA"));
                Assert.Equal(2, await Total("STALE"));
                Assert.Contains("2 without results", await page.Locator("#total-USERS").InnerTextAsync(), StringComparison.Ordinal);
                var headline = await page.Locator("p.headline").InnerTextAsync();
                Assert.Contains("Action needed", headline, StringComparison.Ordinal);
                Assert.Contains("Some results are missing or stale", headline, StringComparison.Ordinal);

                // Called out, each with why: the account where the rule never ran, the users without a verdict, the stale results.
                var missing = await page.Locator("section[aria-labelledby='h-missing']").InnerTextAsync();
                Assert.Contains("None of these is counted as compliant.", missing, StringComparison.Ordinal);
                Assert.Contains($"Account {NeverRan} (never-ran): ⚠ No results for the rule", missing, StringComparison.Ordinal);
                Assert.Contains("3 user(s) got no verdict", missing, StringComparison.Ordinal);
                Assert.Contains("2 result(s) are stale (◷ STALE)", missing, StringComparison.Ordinal);
                Assert.Contains("consistent with an aggregator that does not carry NOT_APPLICABLE", missing, StringComparison.Ordinal);
                Assert.Equal(noResult, (await page.Locator("table.undecided tbody th").AllInnerTextsAsync()).Order(StringComparer.Ordinal));
                var heat = page.Locator($"section[aria-labelledby='h-heat'] tr[data-account='{NeverRan}']");
                Assert.Contains("never counted as compliant", await heat.InnerTextAsync(), StringComparison.Ordinal);
                Assert.Equal("1", (await page.Locator($"section[aria-labelledby='h-heat'] tr[data-account='{Stale}'] td").Nth(1).InnerTextAsync()).Trim());
                await ReportPageAssert.ScreenshotAsync(report, "aggregator-stale-and-no-result", Output);
            }
            await using (var presumed = await browser.OpenAsync(presumedFile))
            {
                ReportPageAssert.LoadedNothingElse(presumed);
                var missing = await presumed.Page.Locator("section[aria-labelledby='h-missing']").InnerTextAsync();
                Assert.Contains("3 of them have no aggregated result, consistent with NOT_APPLICABLE", missing, StringComparison.Ordinal);
                Assert.Equal("3", (await presumed.Page.Locator("#total-INSUFFICIENT_DATA .n").InnerTextAsync()).Trim());
                Assert.Contains("presumed NOT_APPLICABLE", await presumed.Page.Locator("table.undecided").InnerTextAsync(), StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(file);
            File.Delete(presumedFile);
        }
    }

    /// <summary>
    /// One member: fresh results NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE in turn, and a user created after the last run
    /// (no result at all). Under <c>dropped</c> the NOT_APPLICABLE users have no result either.
    /// </summary>
    [Theory]
    [InlineData("dropped", false, 2, 0, "consistent with an aggregator that does not carry NOT_APPLICABLE")]
    [InlineData("dropped", true, 1, 3, null)]
    [InlineData("carried", false, 2, 0, null)]
    [InlineData("carried", true, 2, 0, "--aggregator-drops-not-applicable was given, but the aggregator returned 2 NOT_APPLICABLE result(s)")]
    public async Task UsersWithoutAResult_UnderEitherAggregator_AreNeverCompliant_AndLeaveExitTwoOnlyWhenPresumedNotApplicable(string notApplicable, bool flag, int exitCode, int presumed, string? note)
    {
        Member(Fresh, "fresh", 6, TimeSpan.FromHours(1), unevaluated: 1);
        Account.AddConfigurationAggregator(Region, "org");
        Aws.State.Behaviours = Aws.State.Behaviours.With("aggregator-not-applicable", notApplicable);
        string[] flags = flag ? ["--aggregator-drops-not-applicable"] : [];

        var json = await ReportAsync(["--accounts", Fresh, "-o", "json", .. flags]);
        var table = await ReportAsync(["--accounts", Fresh, .. flags]);

        Assert.True(json.ExitCode == exitCode, json.ToString());
        Assert.Equal(exitCode, table.ExitCode);
        var users = Users(json).ToDictionary(u => u["user"]!.GetValue<string>(), u => (Verdict: u["verdict"]!.GetValue<string>(), Presumed: u["presumedNotApplicable"]!.GetValue<bool>()));
        Assert.Equal(7, users.Count);
        Assert.Equal(("NON_COMPLIANT", false), users["fresh-00"]);
        Assert.Equal(("COMPLIANT", false), users["fresh-01"]);
        Assert.Equal((notApplicable == "carried" ? "NOT_APPLICABLE" : "NO_RESULT", presumed > 0), users["fresh-02"]);
        // The user the rule never evaluated has no result under either answer; presumed only when the flag is not disproved.
        Assert.Equal(("NO_RESULT", presumed > 0), users["fresh-new-0"]);
        Assert.Equal(2, users.Values.Count(u => u.Verdict == "COMPLIANT"));
        Assert.Equal(presumed, users.Values.Count(u => u.Presumed));
        if (note is null) Assert.DoesNotContain("NOT_APPLICABLE", json.Stderr, StringComparison.Ordinal);
        else Assert.Contains(note, json.Stderr, StringComparison.Ordinal);
        Assert.Contains($"Exit {exitCode}.", table.Stdout, StringComparison.Ordinal);
        if (presumed > 0) Assert.Contains($"{presumed} without a result presumed NOT_APPLICABLE", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnderThrottling_AtTheDefaultSixteenAccountsAtATime_TheReportBacksOffAndEveryRowIsRight()
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 24; i++)
        {
            var accountId = (500000000000L + i).ToString(CultureInfo.InvariantCulture);
            var account = Aws.State.AddAccount(accountId);
            Organization.Join(account, $"member-{i}");
            account.Config(Region).PutCustomLambdaRule(RuleName);
            var seeded = account.SeedUsers(Enumerable.Range(0, 3).Select(u => new UserSeed($"m{i}-user-{u}")));
            var at = Now - TimeSpan.FromHours(1);
            account.Config(Region).SeedResults(RuleName, seeded.Select((u, n) =>
                new StoredEvaluation(RuleName, "AWS::IAM::User", u.UserId, n % 2 == 0 ? "NON_COMPLIANT" : "COMPLIANT", null, at, at, at)));
            foreach (var (user, n) in seeded.Select((u, n) => (u, n))) expected[$"{accountId}|{user.UserName}"] = n % 2 == 0 ? "NON_COMPLIANT" : "COMPLIANT";
        }
        // Only the members: the hub holds no results, which would make the exit 2 whatever the throttling did.
        Account.AddConfigurationAggregator(Region, "org", [.. expected.Keys.Select(k => k[..12]).Distinct()]);
        Aws.State.Behaviours = Aws.State.Behaviours with { AggregatorRate = 25 };

        var run = await Tool.RunAsync(Binary.FileName, Binary.Arguments(["report", "--aggregator", "org", "--rule-name", RuleName, "-o", "json",
            "--accounts", string.Join(',', expected.Keys.Select(k => k[..12]).Distinct())]), TimeSpan.FromMinutes(3), AwsEnvironment());

        Assert.True(run.ExitCode == 1, run.ToString());
        var document = JsonNode.Parse(run.Stdout)!;
        Assert.All(document["accounts"]!.AsArray(), a => Assert.Equal("REPORTED", a!["state"]!.GetValue<string>()));
        var users = document["users"]!.AsArray().ToDictionary(u => $"{u!["accountId"]}|{u["user"]}", u => u!["verdict"]!.GetValue<string>());
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), users.OrderBy(u => u.Key, StringComparer.Ordinal));
        // It was throttled, and got through by backing off.
        Assert.True(Aws.State.AggregateCallsThrottled > 0, "the double throttled nothing: the test proves nothing");
        Output.WriteLine($"throttled aggregate calls: {Aws.State.AggregateCallsThrottled}");
    }
}

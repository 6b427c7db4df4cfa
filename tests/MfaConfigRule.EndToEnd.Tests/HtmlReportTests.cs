using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// <c>evaluate -o html</c> opened in Debian's chromium: every user and verdict of the same run's JSON is on the page and
/// the counts agree, the page requests nothing but itself, reads with scripts off, and a hostile user name is text.
/// </summary>
public sealed class HtmlReportTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string Hostile = "<script>alert(1)</script>";

    private Task<ToolRun> CliAsync(params string[] arguments) =>
        Tool.RunAsync(Binary.FileName, Binary.Arguments(arguments), TimeSpan.FromMinutes(2), AwsEnvironment());

    private static async Task<string> SaveAsync(ToolRun run, string name)
    {
        var file = Path.Combine(Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}.html");
        await File.WriteAllTextAsync(file, run.Stdout);
        return file;
    }

    [ChromiumFact]
    public async Task CredentialReport_TheSample_EveryUserAndVerdictOnThePage_CountsAsJson_NothingLoaded()
    {
        var csv = Repository.PathOf("samples", "credential-report.csv");
        string[] audit = ["evaluate", "--credential-report", csv, "--as-of", "2026-11-28T06:00:00Z"];

        var html = await CliAsync([.. audit, "-o", "html"]);
        var json = await CliAsync([.. audit, "-o", "json"]);

        Assert.True(html.ExitCode == 1, html.ToString());
        Assert.True(json.ExitCode == 1, json.ToString());
        var file = await SaveAsync(html, "sample-report");
        try
        {
            await using var browser = await ReportBrowser.LaunchAsync();
            await using var report = await browser.OpenAsync(file);
            ReportPageAssert.LoadedNothingElse(report);
            await ReportPageAssert.MatchesJsonAsync(report, json.Stdout, defaultAccount: "123456789012");
            Assert.Contains("credential report", await report.Page.Locator("#subject").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(2, await report.Page.Locator("#tools button").CountAsync());
            await ReportPageAssert.ScreenshotAsync(report, "sample-credential-report", Output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [ChromiumFact]
    public async Task CredentialReport_AHostileUserName_IsShownAsText_NeverRun()
    {
        // A credential report is a file: anything can be in it. The hostile user is a copy of a NON_COMPLIANT row.
        var sample = await File.ReadAllLinesAsync(Repository.PathOf("samples", "credential-report.csv"));
        var csv = Path.Combine(Path.GetTempPath(), $"hostile-report-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(csv, [.. sample, Assert.Single(sample, l => l.StartsWith("marketing-bob,", StringComparison.Ordinal)).Replace("marketing-bob", Hostile, StringComparison.Ordinal)]);
        string[] audit = ["evaluate", "--credential-report", csv, "--as-of", "2026-11-28T06:00:00Z"];
        string? file = null;
        try
        {
            var html = await CliAsync([.. audit, "-o", "html"]);
            var json = await CliAsync([.. audit, "-o", "json"]);

            Assert.True(html.ExitCode == 1, html.ToString());
            Assert.Contains($"\"user\": \"{Hostile}\"", json.Stdout, StringComparison.Ordinal);
            file = await SaveAsync(html, "hostile-report");
            await using var browser = await ReportBrowser.LaunchAsync();
            await using var report = await browser.OpenAsync(file);
            ReportPageAssert.LoadedNothingElse(report);
            await ReportPageAssert.MatchesJsonAsync(report, json.Stdout, defaultAccount: "123456789012");
            // As the characters it is made of: in the NON_COMPLIANT list and in its account's table; the page's one script is its own.
            var shown = report.Page.Locator("th .user, th.user").GetByText(Hostile, new() { Exact = true });
            Assert.Equal(2, await shown.CountAsync());
            Assert.True(await shown.First.IsVisibleAsync());
            Assert.Contains($"mfa-config-rule enroll '{Hostile}'", await report.Page.Locator("section[aria-labelledby='h-nc']").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(1, await report.Page.EvaluateAsync<int>("() => document.scripts.length"));
        }
        finally
        {
            File.Delete(csv);
            if (file is not null) File.Delete(file);
        }
    }

    [ChromiumFact]
    public async Task Live_EveryUserOnThePage_AndThePageReadsWithScriptsOff()
    {
        SeedPopulation(40, seed: 7);

        var html = await CliAsync("evaluate", "-o", "html");
        var json = await CliAsync("evaluate", "-o", "json");

        Assert.True(html.ExitCode == 1, html.ToString());
        Assert.True(json.ExitCode == 1, json.ToString());
        var file = await SaveAsync(html, "live-report");
        try
        {
            await using var browser = await ReportBrowser.LaunchAsync();
            await using (var report = await browser.OpenAsync(file))
            {
                ReportPageAssert.LoadedNothingElse(report);
                await ReportPageAssert.MatchesJsonAsync(report, json.Stdout, defaultAccount: Account.AccountId);
                Assert.Contains($"account {Account.AccountId}", await report.Page.Locator("#subject").InnerTextAsync(), StringComparison.Ordinal);
                await ReportPageAssert.ScreenshotAsync(report, "live-account", Output);
            }
            await using (var noScript = await browser.OpenAsync(file, javaScript: false))
            {
                ReportPageAssert.LoadedNothingElse(noScript);
                await ReportPageAssert.MatchesJsonAsync(noScript, json.Stdout, defaultAccount: Account.AccountId);
                Assert.Equal(0, await noScript.Page.Locator("#tools button").CountAsync());
                Assert.True(await noScript.Page.Locator("section[aria-labelledby='h-all'] tr[data-verdict]").Last.IsVisibleAsync());
            }
        }
        finally
        {
            File.Delete(file);
        }
    }
}

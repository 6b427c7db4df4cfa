using Microsoft.Playwright;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

public sealed partial class OrganizationTests
{
    [ChromiumFact]
    public async Task Cli_EvaluateOrganizationAsHtml_EveryAccountsUsersOnThePage_TheUnreachableAccountCalledOut_PrintedExpanded()
    {
        var policy = RulePolicy.WithExemptions;
        Populate(Account, 8, seed: 1, withRole: false);
        AddAuditorRole(Account);
        var (first, _) = AddMember("222222222222", 20, seed: 2, withRole: false);
        AddAuditorRole(first);
        AddMember("333333333333", 5, seed: 3, withRole: false);
        string[] audit = ["evaluate", "--assume-role", AuditorRoleName, "--organization", "--parameters", policy.ParametersJson()!];

        var html = await CliAsync([.. audit, "-o", "html"]);
        var json = await CliAsync([.. audit, "-o", "json"]);

        Assert.True(html.ExitCode == 2, html.ToString());
        Assert.True(json.ExitCode == 2, json.ToString());
        var file = Path.Combine(Path.GetTempPath(), $"organization-report-{Guid.NewGuid():N}.html");
        await File.WriteAllTextAsync(file, html.Stdout);
        try
        {
            await using var browser = await ReportBrowser.LaunchAsync();
            await using (var report = await browser.OpenAsync(file))
            {
                ReportPageAssert.LoadedNothingElse(report);
                await ReportPageAssert.MatchesJsonAsync(report, json.Stdout);
                var heat = report.Page.Locator("section[aria-labelledby='h-heat'] tbody tr");
                Assert.Equal(["222222222222", Account.AccountId, "333333333333"], await heat.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.account)"));
                Assert.Contains("Unreachable: cannot assume arn:aws:iam::333333333333:role/" + AuditorRoleName, await heat.Last.InnerTextAsync(), StringComparison.Ordinal);
                Assert.Contains("333333333333", await report.Page.Locator("section[aria-labelledby='h-missing']").InnerTextAsync(), StringComparison.Ordinal);
                Assert.Contains("mfa-config-rule enroll", await report.Page.Locator("section[aria-labelledby='h-nc'] code").First.InnerTextAsync(), StringComparison.Ordinal);

                // Collapsed on screen; on paper every account's users are there.
                var row = report.Page.Locator("details[data-account='222222222222'] tr[data-verdict]").First;
                Assert.False(await row.IsVisibleAsync());
                await report.Page.EmulateMediaAsync(new() { Media = Media.Print });
                Assert.True(await row.IsVisibleAsync());
                await report.Page.EmulateMediaAsync(new() { Media = Media.Screen });
                await ReportPageAssert.ScreenshotAsync(report, "organization-live", Output);
            }
            await using (var noScript = await browser.OpenAsync(file, javaScript: false))
            {
                ReportPageAssert.LoadedNothingElse(noScript);
                var row = noScript.Page.Locator("details[data-account='222222222222'] tr[data-verdict]").First;
                await noScript.Page.Locator("details[data-account='222222222222'] summary").ClickAsync();
                Assert.True(await row.IsVisibleAsync());
            }
        }
        finally
        {
            File.Delete(file);
        }
    }
}

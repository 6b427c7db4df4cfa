using Microsoft.Playwright;

namespace MfaConfigRule.EndToEnd.Tests.Support;

/// <summary>
/// An HTML report opened in a real browser: Debian's chromium, headless, driven by Playwright (whose own browsers are
/// never downloaded). Every request the page makes is recorded and anything but the file itself is refused; dialogs
/// (an <c>alert()</c> that got through) and console errors (a Content-Security-Policy refusal) are recorded too.
/// </summary>
internal sealed class ReportBrowser : IAsyncDisposable
{
    public const string Chromium = "/usr/lib/chromium/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ReportBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static bool IsInstalled => File.Exists(Chromium);

    public static async Task<ReportBrowser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
            return new ReportBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Opens <paramref name="file"/> and waits until the network is idle.</summary>
    public async Task<OpenedReport> OpenAsync(string file, bool javaScript = true)
    {
        var context = await _browser.NewContextAsync(new() { JavaScriptEnabled = javaScript, ViewportSize = new() { Width = 1280, Height = 900 } });
        var url = new Uri(file).AbsoluteUri;
        var opened = new OpenedReport(context, url);
        await context.RouteAsync("**/*", route => route.Request.Url == url ? route.ContinueAsync() : route.AbortAsync());
        var page = await context.NewPageAsync();
        page.Request += (_, request) => opened.Requests.Add(request.Url);
        page.Dialog += (_, dialog) =>
        {
            opened.Dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning") opened.ConsoleErrors.Add(message.Text);
        };
        page.PageError += (_, error) => opened.ConsoleErrors.Add(error);
        await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.NetworkIdle });
        opened.Page = page;
        return opened;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>A report open in a page, with what the page asked for and said.</summary>
internal sealed class OpenedReport(IBrowserContext context, string url) : IAsyncDisposable
{
    public string Url => url;
    public IPage Page { get; set; } = null!;
    public List<string> Requests { get; } = [];
    public List<string> Dialogs { get; } = [];
    public List<string> ConsoleErrors { get; } = [];

    /// <summary>The requests other than the file itself: there must be none.</summary>
    public IEnumerable<string> Foreign => Requests.Where(r => r != url);

    public ValueTask DisposeAsync() => context.DisposeAsync();
}

/// <summary>A fact that skips, saying why, when Debian's chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!ReportBrowser.IsInstalled)
            Skip = $"chromium not found at {ReportBrowser.Chromium}: the HTML report is checked in a real browser; install it with `apt-get update && apt-get install -y chromium` (CI does)";
    }
}

/// <summary>What the rendered page shows, read from the DOM, against the same run's <c>-o json</c>.</summary>
internal static class ReportPageAssert
{
    public const string WholeAccount = "(whole account)";

    private static readonly string[] Verdicts = ["NON_COMPLIANT", "INSUFFICIENT_DATA", "COMPLIANT", "NOT_APPLICABLE"];

    /// <summary>
    /// Every user row of the JSON is in the page's per-account tables with its verdict as a word beside its symbol, no
    /// other row is; the totals shown, the heatmap's columns and the NON_COMPLIANT list count the same.
    /// </summary>
    public static async Task MatchesJsonAsync(OpenedReport report, string json, string? defaultAccount = null)
    {
        var rows = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsArray().Select(r => r!.AsObject())
            .Where(r => r["user"]!.GetValue<string>() != WholeAccount)
            .Select(r => (Account: r["account"]?.GetValue<string>() ?? defaultAccount, User: r["user"]!.GetValue<string>(), Verdict: r["compliance"]!.GetValue<string>()))
            .ToList();
        var shown = await report.Page.EvaluateAsync<string[][]>("""
            () => [...document.querySelectorAll('section[aria-labelledby="h-all"] details tr[data-verdict]')].map(tr =>
                [tr.closest('details').dataset.account, tr.querySelector('th').textContent, tr.querySelector('.v').textContent])
            """);
        Assert.All(shown, s => Assert.Matches("^[✗?✓–] [A-Z_]+$", s[2]));
        var expected = rows.Select(r => $"{r.Account}|{r.User}|{r.Verdict}").Order(StringComparer.Ordinal).ToList();
        var actual = shown.Select(s => $"{(defaultAccount is null ? s[0] : defaultAccount)}|{s[1]}|{s[2][2..]}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);

        foreach (var verdict in Verdicts)
        {
            var count = rows.Count(r => r.Verdict == verdict);
            Assert.Equal(count.ToString(System.Globalization.CultureInfo.InvariantCulture), (await report.Page.Locator($"#total-{verdict} .n").InnerTextAsync()).Trim());
        }
        Assert.Equal(rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), (await report.Page.Locator("#total-USERS .n").InnerTextAsync()).Trim());
        var heat = await report.Page.EvaluateAsync<int[]>("""
            () => [1, 2, 3, 4].map(i => [...document.querySelectorAll('section[aria-labelledby="h-heat"] tbody tr')]
                .map(tr => tr.querySelectorAll('td')).filter(tds => tds.length > 1).reduce((sum, tds) => sum + Number(tds[i - 1].textContent), 0))
            """);
        Assert.Equal(Verdicts.Select(v => rows.Count(r => r.Verdict == v)), heat);
        Assert.Equal(rows.Count(r => r.Verdict == "NON_COMPLIANT"), await report.Page.Locator("section[aria-labelledby='h-nc'] tbody tr").CountAsync());
    }

    /// <summary>Nothing but the file was requested, no dialog opened, and the browser refused nothing (a CSP violation is a console error).</summary>
    public static void LoadedNothingElse(OpenedReport report)
    {
        Assert.Equal([report.Url], report.Requests);
        Assert.Empty(report.Dialogs);
        Assert.Empty(report.ConsoleErrors);
    }

    /// <summary>A full-page screenshot kept with the test's output (artifacts/html-report/NAME.png); its path.</summary>
    public static async Task<string> ScreenshotAsync(OpenedReport report, string name, ITestOutputHelper output)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "artifacts", "html-report", name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await report.Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        Assert.True(new FileInfo(path).Length > 10_000, $"the screenshot {path} is nearly empty");
        return path;
    }
}

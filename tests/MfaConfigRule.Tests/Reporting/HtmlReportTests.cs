using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MfaConfigRule.Compliance;
using MfaConfigRule.Reporting;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Reporting;

public sealed class HtmlReportTests
{
    /// <summary>Different per field, so a field that escapes nothing is named by the failure.</summary>
    private static string Hostile(string field) => $"<script>alert('{field}')</script>\"&<img src=x onerror=alert(1)>";

    private static ReportUser Row(string account, string user, ComplianceType? verdict, bool stale = false) =>
        new(account, user, verdict, $"why {user}") { Stale = stale };

    private static Report Organization() => new(Now, ReportSource.ConfigAggregator, "aggregator org-view",
        [ReportAccount.Evaluated("111111111111", "dev"), ReportAccount.Evaluated("222222222222", "prod"),
         new("333333333333", "sandbox", AccountStatus.NoResults), new("444444444444", null, AccountStatus.Unreachable, "AccessDenied: not authorized")],
        [Row("111111111111", "alice", ComplianceType.Compliant), Row("111111111111", "bob", ComplianceType.NonCompliant, stale: true),
         Row("222222222222", "carol", ComplianceType.NonCompliant), Row("222222222222", "dave", ComplianceType.NonCompliant),
         Row("222222222222", "erin", null), Row("222222222222", "frank", ComplianceType.NotApplicable),
         Row("222222222222", "AIDAEXAMPLEID", ComplianceType.NonCompliant) with { UserIsId = true, RecordedAt = Now.AddHours(-3) }])
    {
        RuleName = "mfa-config-rule",
    };

    private static IEnumerable<string> Attribute(string html, string element, string attribute) =>
        Regex.Matches(html, $"<{element}\\b[^>]*\\b{attribute}=\"([^\"]*)\"").Select(m => m.Groups[1].Value);

    private static string Section(string html, string id) =>
        html[html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal)..html.IndexOf("</section>", html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal), StringComparison.Ordinal)];

    [Fact]
    public void Render_EveryTextFromAwsOrAFile_IsEscaped()
    {
        var report = new Report(Now, ReportSource.ConfigAggregator, Hostile("subject"),
            [new ReportAccount(Hostile("account"), Hostile("name"), AccountStatus.Evaluated), new("222222222222", Hostile("name2"), AccountStatus.Unreachable, Hostile("reason")),
             new("333333333333", null, AccountStatus.NoResults, Hostile("noresults"))],
            [new ReportUser(Hostile("account"), Hostile("user"), ComplianceType.NonCompliant, Hostile("annotation")) { Arn = Hostile("arn") },
             new ReportUser(Hostile("account"), Hostile("undecided"), null, Hostile("cause")),
             new ReportUser(Hostile("account"), Hostile("id"), ComplianceType.NonCompliant, "x") { UserIsId = true }])
        {
            RuleName = Hostile("rule"),
            Warnings = [Hostile("warning")],
        };

        var html = HtmlReport.Render(report);

        foreach (var field in new[] { "subject", "account", "name", "name2", "reason", "noresults", "user", "annotation", "undecided", "cause", "id", "rule", "warning" })
        {
            Assert.DoesNotContain(Hostile(field), html, StringComparison.Ordinal);
            Assert.Contains($"&lt;script&gt;alert(&#39;{field}&#39;)&lt;/script&gt;&quot;&amp;&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        }
        Assert.Single(Regex.Matches(html, "<script>"));
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LoadsNothing_AndOnlyItsOwnStyleAndScriptMayRun()
    {
        var html = HtmlReport.Render(Organization());

        Assert.DoesNotContain("://", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex(@"<(link|img|iframe|object|embed)\b|\b(src|href)="), html);
        var policy = Assert.Single(Attribute(html, "meta", "content"), c => c.StartsWith("default-src 'none'", StringComparison.Ordinal));
        string Hash(string tag) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Regex.Match(html, $"<{tag}>(.*?)</{tag}>", RegexOptions.Singleline).Groups[1].Value)));
        Assert.Contains($"style-src '{Hash("style")}'", policy, StringComparison.Ordinal);
        Assert.Contains($"script-src '{Hash("script")}'", policy, StringComparison.Ordinal);
        Assert.Contains("@media print", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Totals_AreTheReportsCounts()
    {
        var html = HtmlReport.Render(Organization());

        var counts = Regex.Matches(html, "id=\"total-([A-Z_]+)\" data-count=\"(\\d+)\"").ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new Dictionary<string, int> { ["NON_COMPLIANT"] = 4, ["INSUFFICIENT_DATA"] = 1, ["COMPLIANT"] = 1, ["NOT_APPLICABLE"] = 1, ["STALE"] = 1, ["USERS"] = 7 }, counts);
        Assert.Contains("7</span><span class=\"l\">users in 4 account(s); 1 unreachable, 1 without results", html, StringComparison.Ordinal);
        Assert.Contains("4 user(s) in 2 account(s)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EveryUserOnce_InItsAccount_WithItsVerdictAsAWordNotOnlyAColour()
    {
        var report = Organization();
        var html = HtmlReport.Render(report);

        var all = Section(html, "h-all");
        var rows = Regex.Matches(all, "<tr data-verdict=\"([A-Z_]+)\"><th scope=\"row\" class=\"user\">([^<]*)</th><td><span class=\"v \\w+\">(.) ([A-Z_]+)</span>").ToList();
        Assert.Equal(report.Users.Select(u => (u.User, u.VerdictName)).Order(), rows.Select(m => (m.Groups[2].Value, m.Groups[4].Value)).Order());
        Assert.All(rows, m => Assert.Equal(m.Groups[1].Value, m.Groups[4].Value));
        Assert.Equal(["✗", "?", "✓", "–"], rows.Select(m => (m.Groups[4].Value, m.Groups[3].Value)).Distinct().OrderBy(p => p.Item1 switch { "NON_COMPLIANT" => 0, "INSUFFICIENT_DATA" => 1, "COMPLIANT" => 2, _ => 3 }).Select(p => p.Item2));
        Assert.Contains("◷ STALE", all, StringComparison.Ordinal);
        Assert.Equal(4, Regex.Matches(all, "<details ").Count);
    }

    [Fact]
    public void Render_Heatmap_RiskiestAccountFirst_EachCellANumberWithAShade()
    {
        var html = HtmlReport.Render(Organization());

        var heat = Section(html, "h-heat");
        Assert.Equal(["222222222222", "111111111111", "333333333333", "444444444444"], Attribute(heat, "tr", "data-account"));
        Assert.Contains("<th scope=\"col\">Account</th>", heat, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\" class=\"acct\">222222222222<small>prod</small></th><td class=\"c nc4\" title=\"3 ✗ NON_COMPLIANT\">3</td>", heat, StringComparison.Ordinal);
        Assert.Contains("⚠ Unreachable: AccessDenied: not authorized", heat, StringComparison.Ordinal);
        Assert.Contains("⚠ No results for the rule — never counted as compliant", heat, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NonCompliant_RiskiestFirst_EachWithWhyAndTheFix()
    {
        var html = HtmlReport.Render(Organization());

        var findings = Section(html, "h-nc");
        Assert.Equal(["AIDAEXAMPLEID", "carol", "dave", "bob"], Regex.Matches(findings, "<span class=\"user\">([^<]*)</span>").Select(m => m.Groups[1].Value));
        Assert.Contains("<td class=\"why\">why carol</td>", findings, StringComparison.Ordinal);
        Assert.Contains("<code>mfa-config-rule enroll carol --profile &lt;profile for 222222222222&gt;</code>", findings, StringComparison.Ordinal);
        Assert.Contains("IAM console › Users › carol › Security credentials tab › Assigned MFA device: Manage › Assign MFA", findings, StringComparison.Ordinal);
        Assert.Contains("Name unknown (ID AIDAEXAMPLEID)", findings, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"col\">Recorded</th>", findings, StringComparison.Ordinal);
        Assert.Contains("2026-11-29 09:00 UTC", findings, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_UsersPresumedNotApplicable_AreExplainedAndNeverCountedCompliant()
    {
        var report = new Report(Now, ReportSource.ConfigAggregator, "aggregator org", [ReportAccount.Evaluated("111111111111")],
            [Row("111111111111", "alice", ComplianceType.Compliant), Row("111111111111", "ci-bot", null) with { PresumedNotApplicable = true }]);

        var html = HtmlReport.Render(report);

        Assert.Contains("<b>No finding:</b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("All clear", html, StringComparison.Ordinal);
        Assert.Contains("1 of them have no aggregated result, consistent with NOT_APPLICABLE", Section(html, "h-missing"), StringComparison.Ordinal);
        Assert.Contains("id=\"total-COMPLIANT\" data-count=\"1\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"total-INSUFFICIENT_DATA\" data-count=\"1\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MissingAndStale_AreCalledOut()
    {
        var missing = Section(HtmlReport.Render(Organization()), "h-missing");

        Assert.Contains("Account 444444444444: ⚠ Unreachable", missing, StringComparison.Ordinal);
        Assert.Contains("Account 333333333333 (sandbox): ⚠ No results", missing, StringComparison.Ordinal);
        Assert.Contains("1 user(s) got no verdict", missing, StringComparison.Ordinal);
        Assert.Contains("1 result(s) are stale", missing, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\" class=\"user\">erin</th><td>222222222222</td><td>why erin</td>", missing, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_OneCleanAccount_SaysAllClear_OpensItsUsers_AndNamesNoProfile()
    {
        var html = HtmlReport.Render(new Report(Now, ReportSource.LiveAccount, "account 111111111111", [ReportAccount.Evaluated("111111111111")], [Row("111111111111", "alice", ComplianceType.Compliant)]));

        Assert.Contains("<b>All clear:</b>", html, StringComparison.Ordinal);
        Assert.Contains("No user is NON_COMPLIANT.", html, StringComparison.Ordinal);
        Assert.Contains("<details data-account=\"111111111111\" open>", html, StringComparison.Ordinal);
    }

    /// <summary>Text and the background it sits on, by the stylesheet's variable names (or a literal colour).</summary>
    [Theory]
    [InlineData("ink", "nc3")]
    [InlineData("ink", "nv3")]
    [InlineData("ink", "ok3")]
    [InlineData("ink", "na3")]
    [InlineData("#fff", "nc4")]
    [InlineData("#fff", "nv4")]
    [InlineData("#fff", "ok4")]
    [InlineData("#fff", "na4")]
    [InlineData("nc", "nc1")]
    [InlineData("nv", "nv1")]
    [InlineData("ok", "ok1")]
    [InlineData("na", "na1")]
    [InlineData("nc", "panel")]
    [InlineData("nv", "panel")]
    [InlineData("ok", "panel")]
    [InlineData("muted", "panel")]
    [InlineData("muted", "bg")]
    [InlineData("zero", "bg")]
    public void Stylesheet_TextAndItsBackground_MeetWcagAaContrast(string text, string background)
    {
        var css = Regex.Match(HtmlReport.Render(Organization()), "<style>(.*?)</style>", RegexOptions.Singleline).Groups[1].Value;
        var variables = Regex.Matches(css, "--([a-z0-9]+):(#[0-9a-f]{6})").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        variables["zero"] = Regex.Match(css, @"\.heat td\.z\{color:(#[0-9a-f]{6})").Groups[1].Value;
        string Colour(string name) => name == "#fff" ? "#ffffff" : variables[name];

        var ratio = Contrast(Colour(text), Colour(background));

        Assert.True(ratio >= 4.5, $"{text} on {background}: contrast {ratio:0.00}, WCAG AA asks 4.5");
    }

    private static double Contrast(string a, string b)
    {
        static double Luminance(string hex)
        {
            static double Channel(string two)
            {
                var c = Convert.ToInt32(two, 16) / 255.0;
                return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
            }
            return (0.2126 * Channel(hex[1..3])) + (0.7152 * Channel(hex[3..5])) + (0.0722 * Channel(hex[5..7]));
        }
        var (x, y) = (Luminance(a), Luminance(b));
        return (Math.Max(x, y) + 0.05) / (Math.Min(x, y) + 0.05);
    }

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("first.last@example.com", "first.last@example.com")]
    [InlineData("a b", "'a b'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$(rm -rf /)", "'$(rm -rf /)'")]
    public void ShellWord_QuotesWhatTheShellWouldRead(string word, string quoted) => Assert.Equal(quoted, HtmlText.ShellWord(word));
}

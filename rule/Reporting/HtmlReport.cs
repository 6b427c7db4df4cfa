using System.Security.Cryptography;
using System.Text;
using MfaConfigRule.Compliance;
using static MfaConfigRule.Reporting.HtmlText;

namespace MfaConfigRule.Reporting;

/// <summary>
/// A <see cref="Report"/> as one self-contained HTML file: inline CSS and SVG, a small optional script, and a
/// Content-Security-Policy that lets the browser load nothing else. Top to bottom: what was evaluated and when, the
/// totals, the accounts × verdicts heatmap (riskiest first), the NON_COMPLIANT users with why and the fix, what is
/// missing or stale, and every account's users (collapsible; printed expanded). Every text from AWS is escaped.
/// </summary>
internal static class HtmlReport
{
    /// <summary>Adds the expand/collapse buttons and opens every account before printing; the page reads the same without it.</summary>
    private const string Script =
        "(function(){var d=document.querySelectorAll('details'),t=document.getElementById('tools');if(!t||!d.length)return;" +
        "function s(o){for(var i=0;i<d.length;i++)d[i].open=o}" +
        "t.innerHTML='<button type=\"button\">Expand all accounts</button><button type=\"button\">Collapse all</button>';" +
        "var b=t.querySelectorAll('button');b[0].onclick=function(){s(true)};b[1].onclick=function(){s(false)};" +
        "addEventListener('beforeprint',function(){s(true)})})();";

    private static readonly Lazy<string> Css = new(() =>
    {
        using var stream = typeof(HtmlReport).Assembly.GetManifestResourceStream("MfaConfigRule.Reporting.report.css")
            ?? throw new InvalidOperationException("the report's stylesheet is not embedded in the executable");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    /// <summary>Only the page's own style and script may apply: nothing is fetched, an injected tag would not run.</summary>
    internal static string ContentSecurityPolicy =>
        $"default-src 'none'; style-src '{Hash(Css.Value)}'; script-src '{Hash(Script)}'; img-src data:; base-uri 'none'; form-action 'none'";

    public static string Render(Report report)
    {
        using var writer = new StringWriter();
        Write(writer, report);
        return writer.ToString();
    }

    public static void Write(TextWriter html, Report report)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(report);
        var totals = report.Totals;
        var accounts = report.AccountsByRisk;
        var users = report.UsersByRisk;
        var manyAccounts = accounts.Count > 1 || report.Source is ReportSource.OrganizationLive or ReportSource.ConfigAggregator;
        var recorded = users.Any(u => u.RecordedAt is not null);

        html.WriteLine("<!DOCTYPE html>");
        html.WriteLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.WriteLine($"<meta http-equiv=\"Content-Security-Policy\" content=\"{ContentSecurityPolicy}\">");
        html.WriteLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.WriteLine($"<title>Console users without MFA — {Escape(report.Subject)} — {Time(report.GeneratedAt)}</title>");
        html.WriteLine($"<style>{Css.Value}</style></head><body>");

        WriteHeader(html, report, totals);
        WriteTotals(html, totals, manyAccounts);
        WriteHeatmap(html, accounts);
        WriteFindings(html, users, manyAccounts, recorded);
        WriteMissing(html, report, accounts, users);
        WriteAccounts(html, accounts, users, recorded);

        html.WriteLine("<footer><p>Made by mfa-config-rule: CIS AWS Foundations “Ensure MFA is enabled for all IAM users that have a console password” (v1.2 1.2, v1.4/v3.0 1.10, v5 1.9), Security Hub IAM.5. " +
            "This file is self-contained: it loads nothing from the network, and reads the same with scripts off and on paper.</p></footer>");
        html.WriteLine($"<script>{Script}</script>");
        html.WriteLine("</body></html>");
    }

    private static void WriteHeader(TextWriter html, Report report, ReportTotals totals)
    {
        html.WriteLine("<header><h1>Console users without MFA</h1>");
        html.WriteLine($"<p class=\"meta\">Made <b><time datetime=\"{report.GeneratedAt.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}\">{Time(report.GeneratedAt)}</time></b>" +
            (report.AsOf is { } asOf ? $" · verdicts as of <b>{Time(asOf)}</b>" : string.Empty) + "</p>");
        html.WriteLine($"<p class=\"meta\" id=\"subject\">Evaluated: <b>{Escape(report.Subject)}</b> — {Describe(report.Source)}" +
            (report.RuleName is { } rule ? $" · Config rule <b>{Escape(rule)}</b>" : string.Empty) + "</p>");
        var unknown = totals.Unknown;
        var affected = report.Users.Where(u => u.Verdict == ComplianceType.NonCompliant).Select(u => u.AccountId).Distinct(StringComparer.Ordinal).Count();
        var (kind, text) = totals.NonCompliant > 0
            ? ("", $"<b>Action needed:</b> {Count(totals.NonCompliant)} user(s) in {Count(affected)} account(s) can sign in to the AWS console without an accepted MFA device.")
            : unknown ? (" unknown", "<b>Not all clear:</b> no user is NON_COMPLIANT among the results read, but some results are missing or stale (below).")
            : totals.PresumedNotApplicable > 0 ? (" unknown", $"<b>No finding:</b> no user is NON_COMPLIANT among the results read, and every result is fresh; {Count(totals.PresumedNotApplicable)} user(s) without a result are presumed NOT_APPLICABLE, which this aggregator does not carry (below). None is counted as compliant.")
            : (" clear", "<b>All clear:</b> every user with a console password has an accepted MFA device.");
        if (totals.NonCompliant > 0 && unknown) text += " Some results are missing or stale: see below.";
        html.WriteLine($"<p class=\"headline{kind}\" role=\"status\">{text}</p></header>");
    }

    private static readonly (string Id, string Label, string Class, string Colour, Func<ReportTotals, int> Of)[] Columns =
    [
        ("NON_COMPLIANT", "✗ NON_COMPLIANT", "nc", "#c2281b", t => t.NonCompliant),
        ("INSUFFICIENT_DATA", "? No verdict", "nv", "#a85d00", t => t.NoVerdict),
        ("COMPLIANT", "✓ COMPLIANT", "ok", "#1f7a3d", t => t.Compliant),
        ("NOT_APPLICABLE", "– NOT_APPLICABLE", "na", "#8a929c", t => t.NotApplicable),
    ];

    private static void WriteTotals(TextWriter html, ReportTotals totals, bool manyAccounts)
    {
        html.WriteLine("<section aria-labelledby=\"h-totals\"><h2 id=\"h-totals\">Totals</h2><div class=\"cards\">");
        foreach (var (id, label, css, _, of) in Columns)
            html.WriteLine($"<div class=\"card {css}\" id=\"total-{id}\" data-count=\"{Count(of(totals))}\"><span class=\"n\">{Count(of(totals))}</span><span class=\"l\">{label}</span></div>");
        html.WriteLine($"<div class=\"card st\" id=\"total-STALE\" data-count=\"{Count(totals.Stale)}\"><span class=\"n\">{Count(totals.Stale)}</span><span class=\"l\">◷ stale results</span></div>");
        html.WriteLine($"<div class=\"card\" id=\"total-USERS\" data-count=\"{Count(totals.Users)}\"><span class=\"n\">{Count(totals.Users)}</span><span class=\"l\">users in {Count(totals.Accounts)} account(s)" +
            (manyAccounts ? $"; {Count(totals.AccountsUnreachable)} unreachable, {Count(totals.AccountsWithoutResults)} without results" : string.Empty) + "</span></div>");
        html.WriteLine("</div>");
        if (totals.Users > 0)
        {
            var label = string.Join(", ", Columns.Select(c => $"{Count(c.Of(totals))} {c.Id}"));
            html.Write($"<svg class=\"bar\" viewBox=\"0 0 1000 26\" role=\"img\" aria-label=\"{label}\"><title>{label}</title>");
            double x = 0;
            foreach (var (id, _, _, colour, of) in Columns.Where(c => c.Of(totals) > 0))
            {
                var width = 1000.0 * of(totals) / totals.Users;
                html.Write(FormattableString.Invariant($"<rect x=\"{x:0.##}\" y=\"0\" width=\"{width:0.##}\" height=\"26\" fill=\"{colour}\"><title>{of(totals)} {id}</title></rect>"));
                x += width;
            }
            html.WriteLine("</svg>");
            html.WriteLine("<ul class=\"legend\" aria-hidden=\"true\">" + string.Concat(Columns.Select(c => $"<li><svg width=\"12\" height=\"12\"><rect width=\"12\" height=\"12\" fill=\"{c.Colour}\"/></svg> {c.Label} {Count(c.Of(totals))}</li>")) + "</ul>");
        }
        html.WriteLine("</section>");
    }

    /// <summary>Cell shade 0–4 by the share of the account's users: the colour grows with the number printed in it.</summary>
    private static int Level(int n, int of) => n == 0 || of == 0 ? 0 : ((double)n / of) switch { <= 0.1 => 1, <= 0.25 => 2, <= 0.5 => 3, _ => 4 };

    private static void WriteHeatmap(TextWriter html, IReadOnlyList<AccountSummary> accounts)
    {
        html.WriteLine("<section aria-labelledby=\"h-heat\"><h2 id=\"h-heat\">Accounts × verdicts</h2>");
        html.WriteLine("<table class=\"heat\"><caption>Users per verdict in each account, riskiest account first. The shade grows with the share of the account's users; the number is the count.</caption>");
        html.Write("<thead><tr><th scope=\"col\">Account</th>");
        foreach (var column in Columns) html.Write($"<th scope=\"col\" class=\"c\">{column.Label}</th>");
        html.WriteLine("<th scope=\"col\" class=\"c\">◷ Stale</th><th scope=\"col\" class=\"c\">Users</th></tr></thead><tbody>");
        foreach (var (account, totals) in accounts)
        {
            html.Write($"<tr data-account=\"{Escape(account.AccountId)}\"><th scope=\"row\" class=\"acct\">{AccountLabel(account)}</th>");
            if (account.Status != AccountStatus.Evaluated)
            {
                html.WriteLine($"<td colspan=\"{Columns.Length + 2}\" class=\"gap\">{Gap(account)}</td></tr>");
                continue;
            }
            foreach (var (_, label, css, _, of) in Columns)
            {
                var n = of(totals);
                // Any NON_COMPLIANT user is worth seeing from across the room: that column starts a shade darker.
                var level = css == "nc" && n > 0 ? Math.Clamp(Level(n, totals.Users) + 1, 2, 4) : Level(n, totals.Users);
                html.Write($"<td class=\"c {(level == 0 ? "z" : $"{css}{level}")}\" title=\"{Count(n)} {label}\">{Count(n)}</td>");
            }
            html.WriteLine($"<td class=\"c {(totals.Stale == 0 ? "z" : "st1")}\">{Count(totals.Stale)}</td><td class=\"c z\">{Count(totals.Users)}</td></tr>");
        }
        html.WriteLine("</tbody></table></section>");
    }

    private static string AccountLabel(ReportAccount account) =>
        Escape(account.AccountId) + (account.Name is { Length: > 0 } name ? $"<small>{Escape(name)}</small>" : string.Empty);

    private static string Gap(ReportAccount account) => account.Status == AccountStatus.Unreachable
        ? $"⚠ Unreachable: {Escape(account.Reason ?? "not read")} — its users are unknown, not compliant"
        : $"⚠ No results for the rule{(account.Reason is { } why ? $": {Escape(why)}" : string.Empty)} — never counted as compliant";

    private static void WriteFindings(TextWriter html, IReadOnlyList<ReportUser> users, bool manyAccounts, bool recorded)
    {
        var findings = users.Where(u => u.Verdict == ComplianceType.NonCompliant).ToList();
        html.WriteLine($"<section aria-labelledby=\"h-nc\"><h2 id=\"h-nc\">✗ NON_COMPLIANT users, riskiest first ({Count(findings.Count)})</h2>");
        if (findings.Count == 0)
        {
            html.WriteLine("<p>No user is NON_COMPLIANT.</p></section>");
            return;
        }
        html.WriteLine("<table class=\"findings\"><caption>Each can sign in to the console without an accepted MFA device. The fix: enrol a device with the command, or in the console (CIS remediation “From Console”); or remove the console password if the user does not need it.</caption>");
        html.WriteLine("<thead><tr><th scope=\"col\">#</th><th scope=\"col\">User</th><th scope=\"col\">Why</th><th scope=\"col\">Fix</th>" + (recorded ? "<th scope=\"col\">Recorded</th>" : string.Empty) + "</tr></thead><tbody>");
        var rank = 0;
        foreach (var user in findings)
        {
            html.Write($"<tr data-verdict=\"{user.VerdictName}\"><td class=\"rank\">{Count(++rank)}</td>");
            html.Write($"<th scope=\"row\"><span class=\"user\">{Escape(user.User)}</span>{(manyAccounts ? $"<span class=\"sub\">account {Escape(user.AccountId)}</span>" : string.Empty)}{(user.Stale ? "<span class=\"v st\">◷ STALE</span>" : string.Empty)}</th>");
            html.Write($"<td class=\"why\">{Escape(user.Annotation)}</td><td class=\"fix\">{Fix(user, manyAccounts)}</td>");
            if (recorded) html.Write($"<td>{(user.RecordedAt is { } at ? Time(at) : "—")}</td>");
            html.WriteLine("</tr>");
        }
        html.WriteLine("</tbody></table></section>");
    }

    private static string Fix(ReportUser user, bool manyAccounts) => user.UserIsId
        ? $"Name unknown (ID {Escape(user.User)}): find it with <code>{Escape(FindNameCommand(user.User))}</code>, then <code>mfa-config-rule enroll NAME</code><span class=\"path\">{Escape(ConsolePath("NAME"))}</span>"
        : $"<code>{Escape(EnrollCommand(user, manyAccounts))}</code><span class=\"path\">{Escape(ConsolePath(user.User))}</span>";

    private static void WriteMissing(TextWriter html, Report report, IReadOnlyList<AccountSummary> accounts, IReadOnlyList<ReportUser> users)
    {
        var gaps = accounts.Where(a => a.Account.Status != AccountStatus.Evaluated).ToList();
        var undecided = users.Where(u => u.Verdict is null).ToList();
        var stale = users.Count(u => u.Stale);
        html.WriteLine("<section aria-labelledby=\"h-missing\"><h2 id=\"h-missing\">⚠ Missing and stale results</h2>");
        if (gaps.Count == 0 && undecided.Count == 0 && stale == 0 && report.Warnings.Count == 0)
        {
            html.WriteLine("<p>None: every account was read and every user has a verdict from this run or a fresh result.</p></section>");
            return;
        }
        html.WriteLine("<div class=\"callout\"><p>None of these is counted as compliant.</p><ul>");
        foreach (var (account, _) in gaps) html.WriteLine($"<li>Account {AccountLabelInline(account)}: {Gap(account)}</li>");
        if (undecided.Count > 0) html.WriteLine($"<li>{Count(undecided.Count)} user(s) got no verdict (INSUFFICIENT_DATA): listed below with what was missing.</li>");
        if (undecided.Count(u => u.PresumedNotApplicable) is > 0 and var presumed)
            html.WriteLine($"<li>{Count(presumed)} of them have no aggregated result, consistent with NOT_APPLICABLE (no console password), which this aggregator does not carry (<code>--aggregator-drops-not-applicable</code>): not counted as unknown in the exit code, and not as compliant.</li>");
        if (stale > 0) html.WriteLine($"<li>{Count(stale)} result(s) are stale (◷ STALE): recorded longer ago than the rule's period plus a margin, so they may no longer hold.</li>");
        foreach (var warning in report.Warnings) html.WriteLine($"<li>Warning: {Escape(warning)}</li>");
        html.WriteLine("</ul></div>");
        if (undecided.Count > 0)
        {
            html.WriteLine("<table class=\"undecided\"><caption>Users without a verdict</caption><thead><tr><th scope=\"col\">User</th><th scope=\"col\">Account</th><th scope=\"col\">What was missing</th></tr></thead><tbody>");
            foreach (var user in undecided)
                html.WriteLine($"<tr data-verdict=\"{user.VerdictName}\"><th scope=\"row\" class=\"user\">{Escape(user.User)}</th><td>{Escape(user.AccountId)}</td><td>{Escape(user.Annotation)}</td></tr>");
            html.WriteLine("</tbody></table>");
        }
        html.WriteLine("</section>");
    }

    private static string AccountLabelInline(ReportAccount account) =>
        Escape(account.AccountId) + (account.Name is { Length: > 0 } name ? $" ({Escape(name)})" : string.Empty);

    private static void WriteAccounts(TextWriter html, IReadOnlyList<AccountSummary> accounts, IReadOnlyList<ReportUser> users, bool recorded)
    {
        var byAccount = users.ToLookup(u => u.AccountId, StringComparer.Ordinal);
        html.WriteLine("<section aria-labelledby=\"h-all\"><h2 id=\"h-all\">Every account's users</h2><div class=\"tools\" id=\"tools\"></div>");
        foreach (var (account, totals) in accounts)
        {
            var counts = string.Join(" · ", Columns.Where(c => c.Of(totals) > 0).Select(c => $"{Count(c.Of(totals))} {c.Label}"));
            if (totals.Stale > 0) counts += $" · {Count(totals.Stale)} ◷ stale";
            if (account.Status != AccountStatus.Evaluated) counts = account.Status == AccountStatus.Unreachable ? "⚠ unreachable" : "⚠ no results";
            html.WriteLine($"<details data-account=\"{Escape(account.AccountId)}\"{(accounts.Count == 1 ? " open" : string.Empty)}><summary>Account {AccountLabelInline(account)}<span class=\"counts\">{(counts.Length == 0 ? "no users" : counts)}</span></summary>");
            var rows = byAccount[account.AccountId].ToList();
            if (rows.Count == 0)
            {
                html.WriteLine($"<p class=\"none\">{(account.Status == AccountStatus.Evaluated ? "No IAM users." : Gap(account))}</p></details>");
                continue;
            }
            html.WriteLine("<table class=\"users\"><thead><tr><th scope=\"col\">User</th><th scope=\"col\">Verdict</th><th scope=\"col\">Why</th>" + (recorded ? "<th scope=\"col\">Recorded</th>" : string.Empty) + "</tr></thead><tbody>");
            foreach (var user in rows)
            {
                html.Write($"<tr data-verdict=\"{user.VerdictName}\"><th scope=\"row\" class=\"user\">{Escape(user.User)}</th><td>{Badge(user)}</td><td>{Escape(user.Annotation)}</td>");
                if (recorded) html.Write($"<td>{(user.RecordedAt is { } at ? Time(at) : "—")}</td>");
                html.WriteLine("</tr>");
            }
            html.WriteLine("</tbody></table></details>");
        }
        html.WriteLine("</section>");
    }

    private static string Hash(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

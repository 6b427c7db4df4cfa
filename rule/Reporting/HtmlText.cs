using System.Globalization;
using System.Text;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Reporting;

/// <summary>
/// The words and escapes of the HTML report: every text that came from AWS or a file goes through <see cref="Escape"/>,
/// so a user named <c>&lt;script&gt;</c> is shown, never run; the fix for a user is built here, once.
/// </summary>
internal static class HtmlText
{
    /// <summary>Text as HTML content or a quoted attribute value: the five characters that could end either, escaped.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return string.Empty;
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0) return text;
        var html = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            html.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            } ?? c.ToString());
        }
        return html.ToString();
    }

    public static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>How the report names its source.</summary>
    public static string Describe(ReportSource source) => source switch
    {
        ReportSource.LiveAccount => "one account, IAM read live",
        ReportSource.CredentialReport => "an IAM credential report, evaluated offline",
        ReportSource.OrganizationLive => "several accounts, IAM read live through a role in each",
        ReportSource.ConfigAggregator => "the results AWS Config recorded, read from a Config aggregator",
        _ => source.ToString(),
    };

    /// <summary>The CSS class of a verdict: its colour, always shown beside its symbol and name.</summary>
    public static string Class(ComplianceType? verdict) => verdict switch
    {
        ComplianceType.NonCompliant => "nc",
        null => "nv",
        ComplianceType.Compliant => "ok",
        _ => "na",
    };

    /// <summary>The symbol shown before a verdict's name, so that no verdict is told by colour alone.</summary>
    public static string Symbol(ComplianceType? verdict) => verdict switch
    {
        ComplianceType.NonCompliant => "✗",
        null => "?",
        ComplianceType.Compliant => "✓",
        _ => "–",
    };

    /// <summary>A verdict badge: symbol, name and colour.</summary>
    public static string Badge(ReportUser user) =>
        $"<span class=\"v {Class(user.Verdict)}\">{Symbol(user.Verdict)} {user.VerdictName}</span>" +
        (user.Stale ? " <span class=\"v st\">◷ STALE</span>" : string.Empty);

    /// <summary>
    /// The command that fixes a NON_COMPLIANT user, as a shell would take it: the user name quoted where it holds a
    /// character the shell would read; for another account's user, the profile to run it with. Not yet HTML-escaped.
    /// </summary>
    public static string EnrollCommand(ReportUser user, bool manyAccounts)
    {
        var command = $"mfa-config-rule enroll {ShellWord(user.User)}";
        return manyAccounts ? $"{command} --profile <profile for {user.AccountId}>" : command;
    }

    /// <summary>The console path of the CIS remediation ("From Console"), for the named user. Not yet HTML-escaped.</summary>
    public static string ConsolePath(string userName) =>
        $"IAM console › Users › {userName} › Security credentials tab › Assigned MFA device: Manage › Assign MFA";

    /// <summary>The name of a user known only by ID, found with the AWS CLI. Not yet HTML-escaped.</summary>
    public static string FindNameCommand(string userId) =>
        $"aws iam list-users --query \"Users[?UserId=='{userId.Replace("'", string.Empty, StringComparison.Ordinal)}'].UserName\" --output text";

    /// <summary>A word the shell passes through unchanged: as it is when it holds only IAM's name characters, else single-quoted.</summary>
    internal static string ShellWord(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "+=,.@_-/".Contains(c, StringComparison.Ordinal))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

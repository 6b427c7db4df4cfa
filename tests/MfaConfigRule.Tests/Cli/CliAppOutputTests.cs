using MfaConfigRule.Aws;
using MfaConfigRule.Cli;
using MfaConfigRule.Composition;
using MfaConfigRule.Tests.Fakes;
using MfaConfigRule.Tests.TestDoubles;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Cli;

/// <summary>What a person sees: the table on a terminal and in a pipe, the order, the summary, help and the errors.</summary>
public sealed partial class CliAppTests
{
    private static readonly CliTerminal Terminal80 = new(true, true, true, 80);

    [Fact]
    public void Evaluate_OnAnEightyColumnTerminal_WrapsTheWhyColumnUnderItself()
    {
        _terminal = Terminal80;

        var exit = Run("evaluate", "-r", SampleReportPath);

        Assert.Equal(ExitCodes.NonCompliant, exit);
        var lines = OutLines;
        Assert.All(lines, l => Assert.True(l.Length < 80, $"{l.Length} columns: {l}"));
        var indent = lines[0].IndexOf("WHY", StringComparison.Ordinal);
        var legacy = Array.FindIndex(lines, l => l.StartsWith("legacy-admin ", StringComparison.Ordinal));
        Assert.Equal(new string(' ', indent), lines[legacy + 1][..indent]);
        var why = string.Join(' ', new[] { lines[legacy][indent..] }.Concat(lines.Skip(legacy + 1).TakeWhile(l => l.StartsWith(new string(' ', indent), StringComparison.Ordinal)).Select(l => l.Trim())));
        Assert.StartsWith("Console password (set 2025-04-20) with no MFA device. Assign a virtual, hardware or FIDO MFA device: IAM > Users > legacy-admin > Security credentials.", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_StdoutNotATerminal_GivesOneLinePerUserWhateverTheWidth()
    {
        _terminal = Terminal80 with { StdoutIsTerminal = false };

        Run("evaluate", "-r", SampleReportPath);

        var lines = OutLines;
        Assert.Equal(1 + 40 + 2, lines.Length);
        Assert.Contains(lines, l => l.Length > 80);
    }

    [Fact]
    public void Wrap_WordsAndAWordLongerThanALine_FitsEveryLineAndLosesNothing()
    {
        const string text = "one two arn:aws:iam::123456789012:mfa/long three";

        var lines = AuditWriter.Wrap(text, 12);

        Assert.Equal(["one two", "arn:aws:iam:", ":12345678901", "2:mfa/long", "three"], lines);
    }

    [Fact]
    public void Evaluate_LiveNonCompliant_RiskiestFirst()
    {
        _iam.AddUser("a-never-signed-in", Now.AddDays(-300));
        _iam.AddUser("b-signed-in-last-month", Now.AddDays(-20));
        _iam.SignIn("b-signed-in-last-month", Now.AddDays(-30));
        _iam.AddUser("c-signed-in-today", Now.AddDays(-10));
        _iam.SignIn("c-signed-in-today", Now.AddHours(-2));
        _iam.AddUser("d-only-fido", Now.AddDays(-400), [Fido("d-only-fido")]);
        _iam.SignIn("d-only-fido", Now.AddHours(-1));
        _iam.AddUser("e-new-in-grace", Now.AddHours(-5));
        _iam.AddUser("f-older-never-used", Now.AddDays(-900));
        _iam.TakeReport(Now.AddHours(-1));

        Run("evaluate", "-o", "json", "--allowed-mfa-types", "virtual", "--grace-period-hours", "24");

        Assert.Equal(
            ["c-signed-in-today", "b-signed-in-last-month", "f-older-never-used", "a-never-signed-in", "d-only-fido", "e-new-in-grace"],
            JsonRows().Where(r => Field(r, "compliance") == "NON_COMPLIANT").Select(r => Field(r, "user")));
    }

    [Fact]
    public void Evaluate_OutputXml_ListsTheChoicesInsteadOfATypeName()
    {
        var exit = Run("evaluate", "-r", SampleReportPath, "-o", "xml");

        Assert.Equal(ExitCodes.Error, exit);
        Assert.StartsWith("error: --output 'xml' is not an output format; choose table, json, csv or html.", Err, StringComparison.Ordinal);
        Assert.DoesNotContain("MfaConfigRule", Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("JSON")]
    [InlineData("csv")]
    public void Evaluate_OutputInAnyCase_IsAccepted(string format)
    {
        Assert.Equal(ExitCodes.NonCompliant, Run("evaluate", "-r", SampleReportPath, "-o", format));
    }

    [Fact]
    public void Evaluate_OutputHtml_IsOnePageWithEveryUserAndTheSameExitCode()
    {
        Run("evaluate", "-r", SampleReportPath, "-o", "json");
        var users = JsonRows().Select(r => Field(r, "user")).ToList();
        _stdout.GetStringBuilder().Clear();

        var exit = Run("evaluate", "-r", SampleReportPath, "-o", "html");

        Assert.Equal(ExitCodes.NonCompliant, exit);
        Assert.StartsWith("<!DOCTYPE html>", Out, StringComparison.Ordinal);
        Assert.EndsWith("</html>", Out.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(40, users.Count);
        Assert.All(users, u => Assert.Contains($"<th scope=\"row\" class=\"user\">{MfaConfigRule.Reporting.HtmlText.Escape(u)}</th>", Out, StringComparison.Ordinal));
    }

    [Fact]
    public void Invoke_OutputHtml_IsRefusedBeforeAnythingIsRead()
    {
        var exit = Run("invoke", "--event", "no-such-event.json", "-o", "html");

        Assert.Equal(ExitCodes.Error, exit);
        Assert.StartsWith("error: -o html is a report of evaluate", Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Help_ShowsLowercaseFormatsTheRegionAsTheReadmeSaysAndTheExitCodes()
    {
        var exit = Run("evaluate", "--help");

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.Contains("<table|json|csv|html>", Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Csv|Json|Table", Out, StringComparison.Ordinal);
        Assert.Contains("IAM is global, and its CloudTrail events are read in us-east-1 whatever the Region", Out.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("Exit codes: 0 no user NON_COMPLIANT, 1 some user NON_COMPLIANT, 2 bad input or an error", Out.ReplaceLineEndings(" "), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Help_NamesEveryVerbAndTheExitCodes()
    {
        Run("--help");

        foreach (var verb in new[] { "evaluate", "explain", "invoke", "enroll" }) Assert.Contains(verb, Out, StringComparison.Ordinal);
        Assert.Contains("Exit codes:", Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ReportIsADirectory_SaysSoAndNamesTheCsvFilesInIt()
    {
        File.WriteAllText(Path.Combine(_files.FullName, "report.csv"), ReportCsv());

        var exit = Run("evaluate", "-r", _files.FullName);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.StartsWith($"error: credential report {_files.FullName} is a directory; name a CSV file in it, e.g. {Path.Combine(_files.FullName, "report.csv")}", Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_AsOfBeforeThePasswordWasSet_SaysAfterInsteadOfANegativeAge()
    {
        Run("explain", "new-hire-sam", "-r", SampleReportPath, "--as-of", "2026-11-20T00:00:00Z");

        var set = Assert.Single(OutLines, l => l.StartsWith("  set ", StringComparison.Ordinal));
        Assert.Matches(@"\(\d+\.\d days after the evaluation time\)$", set);
        Assert.DoesNotContain("-", set[set.IndexOf('(', StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Matches(@"^  created .*\(\d+\.\d days (before|after) the evaluation time\)$", Assert.Single(OutLines, l => l.StartsWith("  created ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Explain_TheRootRow_SaysItIsSetAsideOnPurpose()
    {
        var exit = Run("explain", "<root_account>", "-r", SampleReportPath);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.StartsWith("error: <root_account> is the root user's row in credential-report.csv, set aside on purpose: the rule does not evaluate the root user", Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("")]
    [InlineData("bob smith")]
    public void Explain_NotAUserName_ExitsTwoNamingIt(string name)
    {
        var exit = Run("explain", name);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Equal($"error: '{name}' is not an IAM user name: 1 to 64 letters, digits and + = , . @ _ -", Err.TrimEnd());
        Assert.Empty(_iam.Calls);
    }

    [Theory]
    [InlineData("eu west 1", null, "error: 'eu west 1' is not an AWS Region name (such as us-east-1 or eu-west-1)")]
    [InlineData("eu-west-1", "ftp://127.0.0.1:4599", "error: AWS_ENDPOINT_URL='ftp://127.0.0.1:4599' is not an http(s) URL (such as http://127.0.0.1:4599)")]
    public void Evaluate_UnusableRegionOrEndpoint_ExitsTwoNamingIt(string region, string? endpoint, string message)
    {
        var environment = endpoint is null ? new FakeEnvironmentVariables() : new FakeEnvironmentVariables(("AWS_ENDPOINT_URL", endpoint));
        _connect = options =>
        {
            var aws = AwsClients.Create(new AwsClientOptions { Region = options.Region!, Environment = environment, Credentials = new Amazon.Runtime.BasicAWSCredentials("AKIDEXAMPLE", "secret") });
            return new LiveAccount(aws.Iam, aws.CloudTrail, aws.Config);
        };

        var exit = Run("evaluate", "--region", region);

        Assert.Equal(ExitCodes.Error, exit);
        Assert.Equal(message, Err.TrimEnd());
    }

    [Fact]
    public void Evaluate_LiveReportBeingGenerated_SaysWhatItIsWaitingFor()
    {
        _iam.AddUser("alice", Now.AddDays(-30), [Virtual("alice")]);

        var exit = Run("evaluate");

        Assert.Equal(ExitCodes.Clean, exit);
        Assert.StartsWith("waiting for IAM to generate the credential report", Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Invoke_RuleThatConfigDoesNotHave_HintsToCreateItFirst()
    {
        _iam.AddUser("alice", Now.AddDays(-30), [Virtual("alice")]);
        _config.ComplianceDetailsError = "NoSuchConfigRuleException";

        Run("invoke", "--event", Path.Combine(Path.GetDirectoryName(SampleReportPath)!, "events", "scheduled.json"));

        Assert.Contains("NoSuchConfigRuleException", Err, StringComparison.Ordinal);
        Assert.Contains("hint: Config has no rule named iam-user-console-mfa in this Region; create the rule first.", Err, StringComparison.Ordinal);
        Assert.Contains("samples/run-local.sh", Err, StringComparison.Ordinal);
    }
}

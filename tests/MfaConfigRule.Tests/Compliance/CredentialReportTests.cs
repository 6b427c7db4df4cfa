using CsCheck;
using MfaConfigRule.Compliance;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Compliance;

public sealed class CredentialReportTests
{
    [Fact]
    public void Parse_SampleReport_ReadsEveryUserAndKeepsRootApart()
    {
        var csv = File.ReadAllText(SampleReportPath);
        var dataLines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1;

        var report = CredentialReport.Parse(csv, Now);

        Assert.Empty(report.Problems);
        Assert.NotNull(report.Root);
        Assert.Equal(CredentialReportRow.RootUserName, report.Root.UserName);
        Assert.False(report.Root.PasswordEnabled);
        Assert.True(report.Root.MfaActive);
        Assert.Equal(dataLines - 1, report.Users.Count);
        Assert.DoesNotContain(report.Users, u => u.UserName == CredentialReportRow.RootUserName);
        Assert.Equal(Now, report.GeneratedTime);

        var alice = report.Users.Single(u => u.UserName == "alice");
        Assert.Equal("arn:aws:iam::123456789012:user/engineering/alice", alice.Arn);
        Assert.True(alice.PasswordEnabled);
        Assert.True(alice.MfaActive);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero), alice.PasswordLastChanged);
        Assert.Equal(new DateTimeOffset(2022, 1, 10, 10, 0, 0, TimeSpan.Zero), alice.UserCreationTime);
        Assert.Equal(3, alice.LineNumber);

        var ciDeployer = report.Users.Single(u => u.UserName == "ci-deployer");
        Assert.False(ciDeployer.PasswordEnabled);
        Assert.Null(ciDeployer.PasswordLastChanged);
    }

    [Theory]
    [InlineData(ReportHeader + "\n")]
    [InlineData(ReportHeader)]
    [InlineData(ReportHeader + "\n\n   \n")]
    public void Parse_HeaderWithoutAnyRow_IsNotACredentialReport(string csv)
    {
        var error = Assert.Throws<CredentialReportFormatException>(() => CredentialReport.Parse(csv));

        Assert.StartsWith("the credential report has a header but no rows, not even <root_account>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OnlyTheRootRow_HasNoUsersAndNoProblems()
    {
        var report = CredentialReport.Parse(ReportCsv());

        Assert.Empty(report.Users);
        Assert.Empty(report.Problems);
        Assert.NotNull(report.Root);
        Assert.Null(report.GeneratedTime);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("\r\n")]
    public void Parse_Empty_IsAFormatError(string csv)
    {
        var error = Assert.Throws<CredentialReportFormatException>(() => CredentialReport.Parse(csv));

        Assert.Equal("the credential report is empty", error.Message);
    }

    [Fact]
    public void Parse_HeaderLacksColumns_NamesThem()
    {
        var error = Assert.Throws<CredentialReportFormatException>(() => CredentialReport.Parse("user,arn,password_enabled\nalice,arn:aws:iam::1:user/alice,true\n"));

        Assert.StartsWith("the credential report header lacks column user_creation_time, password_last_changed, mfa_active (line 1)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotACsvReport_IsAFormatError()
    {
        Assert.Throws<CredentialReportFormatException>(() => CredentialReport.Parse("{\"Content\":\"dXNlcixhcm4=\"}"));
    }

    [Fact]
    public void Parse_CrLfLineEndings_AreRead()
    {
        var csv = ReportCsv(ReportRow("alice", password: true, mfa: false)).Replace("\n", "\r\n", StringComparison.Ordinal);

        var report = CredentialReport.Parse(csv);

        var alice = Assert.Single(report.Users);
        Assert.False(alice.MfaActive);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void Parse_ByteOrderMarkAndBlankLinesBeforeHeader_AreSkipped()
    {
        var csv = "\n\uFEFF" + ReportCsv(ReportRow("alice", password: true, mfa: true));

        var report = CredentialReport.Parse(csv);

        Assert.Equal("alice", Assert.Single(report.Users).UserName);
        Assert.Equal(4, report.Users[0].LineNumber);
    }

    [Fact]
    public void Parse_NoFinalNewline_ReadsTheLastRow()
    {
        var csv = ReportCsv(ReportRow("alice", password: true, mfa: true), ReportRow("bob", password: true, mfa: false)).TrimEnd('\n');

        var report = CredentialReport.Parse(csv);

        Assert.Equal(["alice", "bob"], report.Users.Select(u => u.UserName));
    }

    [Fact]
    public void Parse_BlankLinesBetweenRows_AreNotProblems()
    {
        var csv = string.Join('\n', ReportHeader, ReportRow("alice", true, true), "", "   ", ReportRow("bob", true, false), "", "");

        var report = CredentialReport.Parse(csv);

        Assert.Equal(2, report.Users.Count);
        Assert.Empty(report.Problems);
        Assert.Equal(5, report.Users[1].LineNumber);
    }

    [Fact]
    public void Parse_QuotedFieldsWithCommasAndQuotes_AreOneField()
    {
        // IAM user names may contain commas (the allowed set is [\w+=,.@-]); the report then quotes the name and the ARN.
        var row = ReportRow("smith,john", password: true, mfa: false)
            .Replace("smith,john,arn:aws:iam::123456789012:user/smith,john,", "\"smith,john\",\"arn:aws:iam::123456789012:user/smith,john\",", StringComparison.Ordinal);
        var quotes = ReportRow("q", password: true, mfa: true).Replace(",no_information,", ",\"said \"\"hi\"\"\",", StringComparison.Ordinal);

        var report = CredentialReport.Parse(ReportCsv(row, quotes));

        Assert.Empty(report.Problems);
        var smith = report.Users.Single(u => u.UserName == "smith,john");
        Assert.Equal("arn:aws:iam::123456789012:user/smith,john", smith.Arn);
        Assert.Equal("/", smith.ToState("AIDA1").User.Path);
        Assert.Contains(report.Users, u => u.UserName == "q");
    }

    [Fact]
    public void Parse_QuotedFieldWithNewlines_KeepsLineNumbersOfLaterRows()
    {
        var multiLine = ReportRow("alice", password: true, mfa: true).Replace(",no_information,", ",\"line one\nline two\nline three\",", StringComparison.Ordinal);

        var report = CredentialReport.Parse(ReportCsv(multiLine, ReportRow("bob", true, false), "broken,row"));

        Assert.Equal(3, report.Users.Single(u => u.UserName == "alice").LineNumber);
        Assert.Equal(6, report.Users.Single(u => u.UserName == "bob").LineNumber);
        Assert.Equal(7, Assert.Single(report.Problems).LineNumber);
    }

    [Fact]
    public void Parse_RowWithWrongFieldCount_IsAProblemNamingTheUser()
    {
        var report = CredentialReport.Parse(ReportCsv(ReportRow("alice", true, true), "bob,arn:aws:iam::123456789012:user/bob,true", ReportRow("carol", true, false)));

        Assert.Equal(["alice", "carol"], report.Users.Select(u => u.UserName));
        var problem = Assert.Single(report.Problems);
        Assert.Equal(4, problem.LineNumber);
        Assert.Equal("bob", problem.UserName);
        Assert.Equal("has 3 fields where the header has 22", problem.Message);
    }

    public static TheoryData<string, string, string?> BadRows() => new()
    {
        { ReportRow("bob", true, true).Replace(",true,no_information", ",yes,no_information", StringComparison.Ordinal), "password_enabled 'yes' is neither true nor false", "bob" },
        { ReportRow("bob", true, true).Replace(",N/A,true,false,", ",N/A,maybe,false,", StringComparison.Ordinal), "mfa_active 'maybe' is neither true nor false", "bob" },
        { ReportRow("bob", true, true).Replace(Iso(Now.AddDays(-30)), "last tuesday", StringComparison.Ordinal), "password_last_changed 'last tuesday' is not a time", "bob" },
        { ReportRow("bob", true, true).Replace(Iso(CreatedAt("bob")), "2026-02-30T00:00:00+00:00", StringComparison.Ordinal), "user_creation_time '2026-02-30T00:00:00+00:00' is not a time", "bob" },
        { ReportRow("bob", true, true).Replace("arn:aws:iam::123456789012:user/bob", "user/bob", StringComparison.Ordinal), "arn 'user/bob' is not an ARN", "bob" },
        { ReportRow("bob", true, true).Replace("bob,arn", ",arn", StringComparison.Ordinal), "the user column is empty", null },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public void Parse_UnreadableRow_IsAProblemNotASilentDrop(string row, string message, string? userName)
    {
        var report = CredentialReport.Parse(ReportCsv(ReportRow("alice", true, true), row));

        Assert.Equal("alice", Assert.Single(report.Users).UserName);
        var problem = Assert.Single(report.Problems);
        Assert.Equal(message, problem.Message);
        Assert.Equal(userName, problem.UserName);
        Assert.Equal(4, problem.LineNumber);
    }

    [Fact]
    public void Parse_SameUserTwiceInAnyCase_SecondRowIsAProblem()
    {
        var report = CredentialReport.Parse(ReportCsv(ReportRow("alice", true, true), ReportRow("bob", true, false), ReportRow("ALICE", true, false)));

        // Neither row may give alice a verdict (not the first one's COMPLIANT): both are problems, and bob is unaffected.
        Assert.Equal("bob", Assert.Single(report.Users).UserName);
        Assert.Equal([3, 5], report.Problems.Select(p => p.LineNumber));
        Assert.Equal(["alice", "ALICE"], report.Problems.Select(p => p.UserName));
        Assert.All(report.Problems, p => Assert.Equal($"conflicting rows: user {p.UserName} is on lines 3 and 5, so none of them is used", p.Message));
    }

    [Fact]
    public void Parse_SameUserOnAReadableAndAnUnreadableRow_NeitherIsUsed()
    {
        var report = CredentialReport.Parse(ReportCsv(ReportRow("alice", true, true), "alice,arn:aws:iam::123456789012:user/alice,true"));

        Assert.Empty(report.Users);
        Assert.Equal(
            [(3, "conflicting rows: user alice is on lines 3 and 4, so none of them is used"), (4, "has 3 fields where the header has 22")],
            report.Problems.Select(p => (p.LineNumber, p.Message)));
    }

    [Fact]
    public void Parse_SameUserThreeTimes_NamesEveryLine()
    {
        var report = CredentialReport.Parse(ReportCsv(ReportRow("alice", true, true), ReportRow("alice", true, true), ReportRow("alice", true, true)));

        Assert.Empty(report.Users);
        Assert.All(report.Problems, p => Assert.Equal("conflicting rows: user alice is on lines 3, 4 and 5, so none of them is used", p.Message));
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59+00:00")]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    [InlineData("0001-01-01T00:00:00+00:00")]
    public void Parse_DatesAtTheEndsOfTime_AreRead(string time)
    {
        var row = ReportRow("alice", true, false).Replace(Iso(Now.AddDays(-30)), time, StringComparison.Ordinal);

        var alice = Assert.Single(CredentialReport.Parse(ReportCsv(row)).Users);

        Assert.Equal(DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture), alice.PasswordLastChanged);
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59-05:00")]
    [InlineData("10000-01-01T00:00:00+00:00")]
    public void Parse_DatesPastTheEndOfTime_AreProblemsNotCrashes(string time)
    {
        var row = ReportRow("alice", true, false).Replace(Iso(Now.AddDays(-30)), time, StringComparison.Ordinal);

        var report = CredentialReport.Parse(ReportCsv(row));

        Assert.Equal($"password_last_changed '{time}' is not a time", Assert.Single(report.Problems).Message);
    }

    [Fact]
    public void Parse_UnterminatedQuote_FailsNamingTheLineInsteadOfSwallowingLaterRows()
    {
        var broken = ReportRow("bob", true, true).Replace(",no_information,", ",\"unterminated,", StringComparison.Ordinal);

        var error = Assert.Throws<CredentialReportFormatException>(() =>
            CredentialReport.Parse(ReportCsv(ReportRow("alice", true, true), broken, ReportRow("carol", true, true))));

        Assert.Contains("line 4", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TRUE", true)]
    [InlineData("False", false)]
    [InlineData("not_supported", false)]
    public void Parse_BooleanSpellings_AreRead(string value, bool expected)
    {
        var row = ReportRow("bob", true, true).Replace(",N/A,true,false,", $",N/A,{value},false,", StringComparison.Ordinal);

        var report = CredentialReport.Parse(ReportCsv(row));

        Assert.Equal(expected, Assert.Single(report.Users).MfaActive);
    }

    [Theory]
    [InlineData("N/A")]
    [InlineData("no_information")]
    [InlineData("not_supported")]
    [InlineData("")]
    public void Parse_TimeWithoutInformation_IsNull(string value)
    {
        var row = ReportRow("bob", true, true).Replace(Iso(Now.AddDays(-30)), value, StringComparison.Ordinal);

        var report = CredentialReport.Parse(ReportCsv(row));

        Assert.Null(Assert.Single(report.Users).PasswordLastChanged);
    }

    [Fact]
    public void Parse_ColumnsInAnotherOrder_ReadsByHeaderName()
    {
        const string csv = """
            arn,mfa_active,password_last_changed,password_enabled,user_creation_time,user
            arn:aws:iam::123456789012:user/ops/alice,false,2026-11-01T00:00:00+00:00,true,2025-01-01T00:00:00+00:00,alice
            """;

        var report = CredentialReport.Parse(csv);

        Assert.Empty(report.Problems);
        var alice = Assert.Single(report.Users);
        Assert.Equal("alice", alice.UserName);
        Assert.Equal("arn:aws:iam::123456789012:user/ops/alice", alice.Arn);
        Assert.True(alice.PasswordEnabled);
        Assert.False(alice.MfaActive);
    }

    [Fact]
    public void ToState_ReportRow_IsReportEvidenceWithoutTags()
    {
        var report = CredentialReport.Parse(ReportCsv(ReportRow("alice", password: true, mfa: true, path: "/engineering/", passwordChanged: Now.AddDays(-3))));

        var state = report.Users[0].ToState("AIDAEXAMPLE");

        Assert.Equal(new IamUser("AIDAEXAMPLE", "alice", UserArn("alice", "/engineering/"), "/engineering/", CreatedAt("alice")), state.User);
        Assert.Equal(new PasswordEvidence(true, Now.AddDays(-3), EvidenceSource.CredentialReport), state.Password);
        Assert.True(state.Mfa.ActiveKindsUnknown);
        Assert.Empty(state.Mfa.Devices);
        Assert.Equal(EvidenceSource.CredentialReport, state.Mfa.Source);
        Assert.Null(state.Tags);
    }

    [Fact]
    public void ToState_PasswordWithoutLastChanged_UsesCreationTime()
    {
        var row = ReportRow("alice", true, false).Replace(Iso(Now.AddDays(-30)), "N/A", StringComparison.Ordinal);

        var state = CredentialReport.Parse(ReportCsv(row)).Users[0].ToState("AIDA1");

        Assert.Equal(CreatedAt("alice"), state.Password.SetAt);
    }

    [Fact]
    public void ToState_NoPassword_HasNoPasswordDate()
    {
        var state = CredentialReport.Parse(ReportCsv(ReportRow("svc", password: false, mfa: false))).Users[0].ToState("AIDA1");

        Assert.False(state.Password.Enabled);
        Assert.Null(state.Password.SetAt);
        Assert.False(state.Mfa.AnyActive);
    }

    private static readonly Gen<string> GenRow = Gen.Select(
        Gen.Int[0, 8],
        Gen.Int[0, 999_999],
        Gen.Bool,
        Gen.Bool,
        (damage, id, password, mfa) =>
        {
            var name = $"user{id}";
            var row = ReportRow(name, password, mfa);
            return damage switch
            {
                0 => row[..row.LastIndexOf(',')],
                1 => row + ",extra",
                2 => row.Replace(name + ",", ",", StringComparison.Ordinal),
                3 => row.Replace(",N/A,true,", ",N/A,perhaps,", StringComparison.Ordinal).Replace(",N/A,false,", ",N/A,perhaps,", StringComparison.Ordinal),
                4 => row.Replace(Iso(CreatedAt(name)), "yesterday", StringComparison.Ordinal),
                _ => row,
            };
        });

    [Fact]
    public void Parse_AnyRows_EveryDataLineIsAUserOrAProblem()
    {
        GenRow.Array[0, 40].Sample(rows =>
        {
            var report = CredentialReport.Parse(ReportCsv(rows));
            var problemNames = report.Problems.Select(p => p.UserName).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
            return report.Users.Count + report.Problems.Count == rows.Length
                && report.Users.Select(u => u.UserName).Distinct(StringComparer.OrdinalIgnoreCase).Count() == report.Users.Count
                // A user named on a problem row never also has a usable row: conflicting evidence gives no verdict.
                && !report.Users.Any(u => problemNames.Contains(u.UserName));
        });
    }

    [Fact]
    public void Parse_RowsWithRepeatedNames_NoNameThatRepeatsIsAUser()
    {
        var genRow = Gen.Select(Gen.Int[0, 5], Gen.Bool, Gen.Bool, Gen.Bool,
            (id, upper, password, mfa) => ReportRow(upper ? $"USER{id}" : $"user{id}", password, mfa));
        genRow.Array[0, 12].Sample(rows =>
        {
            var report = CredentialReport.Parse(ReportCsv(rows));
            var repeated = rows.Select(r => r[..r.IndexOf(',')]).GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
            return report.Users.All(u => !repeated.Contains(u.UserName))
                && repeated.All(name => report.Problems.Count(p => string.Equals(p.UserName, name, StringComparison.OrdinalIgnoreCase)) >= 2);
        });
    }

    // Fuzzing: whatever the text, the parser gives a report or a CredentialReportFormatException, never another exception.

    private static readonly Gen<string> GenCell = Gen.Frequency(
        (4, Gen.OneOf("alice", "true", "false", "N/A", "no_information", "not_supported", "", "arn:aws:iam::1:user/a", "<root_account>",
            "2026-11-29T12:00:00+00:00", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00Z", "\"", "\"\"", "\"a,b\"", "\uFEFF")),
        (1, Gen.String),
        (1, Gen.Char["\",\r\n a"].Array[0, 8].Select(chars => new string(chars))));

    private static readonly Gen<string> GenLine = Gen.Frequency(
        (3, GenCell.Array[0, 24].Select(cells => string.Join(',', cells))),
        (1, Gen.OneOf(ReportHeader, RootRow, ReportRow("bob", true, false), ReportRow("bob", false, true))));

    [Fact]
    public void Parse_AnyText_GivesAReportOrAFormatError()
    {
        Gen.Select(Gen.Bool, GenLine.Array[0, 12], Gen.OneOf("\n", "\r\n", "\r"), (withHeader, lines, newline) =>
                string.Join(newline, withHeader ? [ReportHeader, .. lines] : lines))
            .Sample(csv =>
            {
                try
                {
                    var report = CredentialReport.Parse(csv);
                    return report.Users.All(u => u.UserName.Length > 0 && u.UserName != CredentialReportRow.RootUserName);
                }
                catch (CredentialReportFormatException e)
                {
                    return e.Message.Length > 0;
                }
            }, iter: 20_000);
    }
}

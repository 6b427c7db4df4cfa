using System.Text.Json;
using MfaConfigRule.Cli;
using MfaConfigRule.Compliance;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Cli;

public sealed class AuditWriterTests
{
    private static string Write(IReadOnlyList<AuditRow> rows, OutputFormat format)
    {
        using var writer = new StringWriter();
        AuditWriter.Write(writer, rows, format);
        return writer.ToString();
    }

    [Fact]
    public void From_Assessment_CarriesNameArnVerdictAndAnnotation()
    {
        var assessment = Evaluator.Evaluate(PasswordWithoutMfa(User("alice", "/ops/")), RuleParameters.Default, Now);

        var row = AuditRow.From(assessment);

        Assert.Equal(new AuditRow("alice", UserArn("alice", "/ops/"), "NON_COMPLIANT", assessment.Annotation) { Exposure = assessment.Exposure }, row);
        Assert.NotNull(row.Exposure);
    }

    [Fact]
    public void From_UndecidedAssessment_IsInsufficientData()
    {
        var assessment = new Assessment(User("alice"), null, "needs devices", MissingEvidence.MfaDeviceKinds, null, null);

        Assert.Equal(AuditRow.InsufficientData, AuditRow.From(assessment).Compliance);
    }

    [Fact]
    public void Ordered_Rows_PutWhatNeedsActionFirstThenByName()
    {
        AuditRow[] rows =
        [
            new("zoe", "", "NOT_APPLICABLE", ""),
            new("bob", "", "COMPLIANT", ""),
            new("carl", "", "NON_COMPLIANT", ""),
            new("amy", "", "COMPLIANT", ""),
            new("dan", "", "INSUFFICIENT_DATA", ""),
            new("Bea", "", "NON_COMPLIANT", ""),
        ];

        var ordered = AuditRow.Ordered(rows);

        Assert.Equal(["Bea", "carl", "dan", "amy", "bob", "zoe"], ordered.Select(r => r.User));
    }

    [Fact]
    public void Write_Table_AlignsColumnsAndEndsWithASummary()
    {
        AuditRow[] rows = [new("a-much-longer-name", "arn:1", "NON_COMPLIANT", "why one"), new("bo", "arn:2", "COMPLIANT", "why two")];

        var lines = Write(rows, OutputFormat.Table).Split('\n');

        Assert.Equal("USER                COMPLIANCE     WHY", lines[0]);
        Assert.Equal("a-much-longer-name  NON_COMPLIANT  why one", lines[1]);
        Assert.Equal("bo                  COMPLIANT      why two", lines[2]);
        Assert.Equal(string.Empty, lines[3]);
        Assert.Equal("2 users: 1 COMPLIANT, 1 NON_COMPLIANT", lines[4]);
        Assert.StartsWith("Exit 1: 1 user(s) can sign in to the console without an accepted MFA device", lines[5], StringComparison.Ordinal);
    }

    [Fact]
    public void Write_TableWithNoRows_StillHasHeaderAndSummary()
    {
        var lines = Write([], OutputFormat.Table).Split('\n');

        Assert.Equal("USER  COMPLIANCE  WHY", lines[0]);
        Assert.Equal("0 users: ", lines[2]);
    }

    [Fact]
    public void Write_Json_IsAnArrayThatRoundTripsEveryCharacter()
    {
        AuditRow[] rows = [new("smith,john", "arn:aws:iam::1:user/smith,john", "NON_COMPLIANT", "He said \"no\" <b> & left\nIAM > Users > é")];

        using var document = JsonDocument.Parse(Write(rows, OutputFormat.Json));

        var row = Assert.Single(document.RootElement.EnumerateArray().ToList());
        Assert.Equal("smith,john", row.GetProperty("user").GetString());
        Assert.Equal("arn:aws:iam::1:user/smith,john", row.GetProperty("arn").GetString());
        Assert.Equal("NON_COMPLIANT", row.GetProperty("compliance").GetString());
        Assert.Equal("He said \"no\" <b> & left\nIAM > Users > é", row.GetProperty("annotation").GetString());
    }

    [Fact]
    public void Write_JsonWithNoRows_IsAnEmptyArray()
    {
        using var document = JsonDocument.Parse(Write([], OutputFormat.Json));

        Assert.Equal(0, document.RootElement.GetArrayLength());
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("smith,john", "\"smith,john\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+cmd", "'+cmd")]
    [InlineData("-x", "'-x")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("=a,b", "\"'=a,b\"")]
    [InlineData("", "")]
    public void Write_Csv_QuotesAsRfc4180AndDefusesFormulas(string user, string field)
    {
        var lines = Write([new AuditRow(user, "arn", "COMPLIANT", "ok")], OutputFormat.Csv);

        Assert.StartsWith($"user,arn,compliance,annotation{Environment.NewLine}{field},arn,COMPLIANT,ok", lines, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_CsvOfAnAudit_ParsesBackWithTheSameFields()
    {
        AuditRow[] rows = [new("smith,john", "arn:aws:iam::1:user/smith,john", "NON_COMPLIANT", "Console password with no MFA device. Assign a \"virtual\" MFA device.")];

        var csv = Write(rows, OutputFormat.Csv);
        var fields = ParseCsvLine(csv.Split(Environment.NewLine)[1]);

        Assert.Equal([rows[0].User, rows[0].Arn, rows[0].Compliance, rows[0].Annotation], fields);
    }

    [Fact]
    public void Summary_CountsEachVerdict()
    {
        AuditRow[] rows = [new("a", "", "COMPLIANT", ""), new("b", "", "COMPLIANT", ""), new("c", "", "INSUFFICIENT_DATA", "")];

        Assert.Equal("3 users: 2 COMPLIANT, 1 INSUFFICIENT_DATA", AuditWriter.Summary(rows));
    }

    private static List<string> ParseCsvLine(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }
}

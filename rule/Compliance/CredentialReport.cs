using System.Globalization;
using System.Text;

namespace MfaConfigRule.Compliance;

/// <summary>One user's row of the IAM credential report, reduced to the columns this rule reads.</summary>
internal sealed record CredentialReportRow(
    int LineNumber,
    string UserName,
    string Arn,
    DateTimeOffset? UserCreationTime,
    bool PasswordEnabled,
    DateTimeOffset? PasswordLastChanged,
    bool MfaActive)
{
    public const string RootUserName = "<root_account>";

    /// <summary>The report's view as credential state; it carries no user ID, so the caller supplies it.</summary>
    public UserCredentialState ToState(string userId) => new(
        new IamUser(userId, UserName, Arn, IamUser.PathFromArn(Arn, UserName), UserCreationTime),
        new PasswordEvidence(PasswordEnabled, PasswordEnabled ? PasswordLastChanged ?? UserCreationTime : null, EvidenceSource.CredentialReport),
        MfaEvidence.FromReport(MfaActive),
        Tags: null);
}

/// <summary>A row that could not be read: its line, what is wrong, and the user it named if any.</summary>
internal sealed record CredentialReportProblem(int LineNumber, string? UserName, string Message);

/// <summary>
/// The parsed report. The root row is kept apart (it is not an IAM user and Config has no resource for it); rows that
/// cannot be read are listed in <see cref="Problems"/> so that no user silently drops out of an audit. <see cref="Users"/>
/// holds at most one row per user name (in any case): a user named on two rows is in <see cref="Problems"/> only.
/// </summary>
internal sealed record CredentialReport(
    IReadOnlyList<CredentialReportRow> Users,
    CredentialReportRow? Root,
    IReadOnlyList<CredentialReportProblem> Problems,
    DateTimeOffset? GeneratedTime)
{
    private static readonly string[] RequiredColumns =
        ["user", "arn", "user_creation_time", "password_enabled", "password_last_changed", "mfa_active"];

    public static CredentialReport Parse(string csv, DateTimeOffset? generatedTime = null)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var records = CsvRecords(csv).ToList();
        var header = records.FirstOrDefault(r => !(r.Fields.Count == 1 && r.Fields[0].Length == 0));
        if (header.Fields is null)
            throw new CredentialReportFormatException("the credential report is empty");

        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Fields.Count; i++) index.TryAdd(header.Fields[i].Trim().TrimStart('\uFEFF'), i);
        var absent = RequiredColumns.Where(c => !index.ContainsKey(c)).ToList();
        if (absent.Count > 0)
            throw new CredentialReportFormatException(
                $"the credential report header lacks column {string.Join(", ", absent)} (line {header.Line}); is this an IAM credential report?");

        var rows = new List<CredentialReportRow>();
        var problems = new List<CredentialReportProblem>();
        CredentialReportRow? root = null;
        var dataLines = 0;
        foreach (var record in records.SkipWhile(r => r.Line != header.Line).Skip(1))
        {
            if (record.Fields.Count == 1 && record.Fields[0].Trim().Length == 0) continue;
            dataLines++;
            var userColumn = index["user"];
            var name = userColumn < record.Fields.Count ? record.Fields[userColumn].Trim() : string.Empty;
            if (record.Fields.Count != header.Fields.Count)
            {
                problems.Add(new(record.Line, name.Length == 0 ? null : name,
                    $"has {record.Fields.Count} fields where the header has {header.Fields.Count}"));
                continue;
            }
            string Field(string column) => record.Fields[index[column]].Trim();
            try
            {
                if (name.Length == 0) throw new FormatException("the user column is empty");
                var arn = Field("arn");
                if (!arn.StartsWith("arn:", StringComparison.Ordinal)) throw new FormatException($"arn '{arn}' is not an ARN");
                var isRoot = name == CredentialReportRow.RootUserName;
                var row = new CredentialReportRow(
                    record.Line, name, arn,
                    ParseTime(Field("user_creation_time"), "user_creation_time"),
                    !isRoot && ParseBool(Field("password_enabled"), "password_enabled"),
                    ParseTime(Field("password_last_changed"), "password_last_changed"),
                    ParseBool(Field("mfa_active"), "mfa_active"));
                if (isRoot) root = row;
                else rows.Add(row);
            }
            catch (FormatException e)
            {
                problems.Add(new(record.Line, name.Length == 0 ? null : name, e.Message));
            }
        }
        if (dataLines == 0)
        {
            throw new CredentialReportFormatException(
                $"the credential report has a header but no rows, not even {CredentialReportRow.RootUserName}, which every IAM credential report has; is this an IAM credential report?");
        }
        var users = WithoutConflicts(rows, problems);
        return new CredentialReport(users, root, [.. problems.OrderBy(p => p.LineNumber)], generatedTime);
    }

    /// <summary>
    /// IAM names are unique regardless of case, so two rows naming one user (readable or not) contradict each other and
    /// neither may give a verdict: each readable one becomes a "conflicting rows" problem, and the user is left out of
    /// <see cref="Users"/> (a sweep then reads that user live).
    /// </summary>
    private static List<CredentialReportRow> WithoutConflicts(List<CredentialReportRow> rows, List<CredentialReportProblem> problems)
    {
        var lines = rows.Select(r => (r.UserName, Line: r.LineNumber))
            .Concat(problems.Where(p => p.UserName is not null).Select(p => (UserName: p.UserName!, Line: p.LineNumber)))
            .OrderBy(r => r.Line)
            .GroupBy(r => r.UserName, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Line.ToString(CultureInfo.InvariantCulture)).ToList(), StringComparer.OrdinalIgnoreCase);
        if (lines.Count == 0) return rows;
        foreach (var row in rows.Where(r => lines.ContainsKey(r.UserName)))
        {
            problems.Add(new(row.LineNumber, row.UserName,
                $"conflicting rows: user {row.UserName} is on lines {string.Join(", ", lines[row.UserName][..^1])} and {lines[row.UserName][^1]}, so none of them is used"));
        }
        return rows.Where(r => !lines.ContainsKey(r.UserName)).ToList();
    }

    private static bool ParseBool(string value, string column) => value.ToUpperInvariant() switch
    {
        "TRUE" => true,
        "FALSE" => false,
        "NOT_SUPPORTED" => false,
        _ => throw new FormatException($"{column} '{value}' is neither true nor false"),
    };

    private static DateTimeOffset? ParseTime(string value, string column)
    {
        if (value.Length == 0 || value is "N/A" or "no_information" or "not_supported") return null;
        if (UtcTime.TryParse(value, out var time))
            return time;
        throw new FormatException($"{column} '{value}' is not a time");
    }

    /// <summary>RFC 4180 records with the line each starts on; a quoted field may hold commas, quotes and newlines.</summary>
    private static IEnumerable<(int Line, List<string> Fields)> CsvRecords(string csv)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; field.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0: quoted = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    fields.Add(field.ToString()); field.Clear();
                    yield return (recordLine, fields);
                    fields = [];
                    line++;
                    recordLine = line;
                    break;
                default: field.Append(c); break;
            }
        }
        if (quoted)
            throw new CredentialReportFormatException($"the quoted field opened on line {recordLine} is never closed, so every row after it would be lost");
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return (recordLine, fields);
        }
    }
}

/// <summary>The report as a whole cannot be read (no header, wrong columns).</summary>
internal sealed class CredentialReportFormatException(string message) : Exception(message);

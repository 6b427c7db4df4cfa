using System.CommandLine;
using System.Globalization;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Cli;

/// <summary>Where the CLI's live mode finds the account: a named profile and Region from the standard credential chain.</summary>
internal sealed record AccountOptions(string? Profile, string? Region);

/// <summary>The AWS clients the live mode needs, built by the front door from <see cref="AccountOptions"/>.</summary>
internal sealed record LiveAccount(IIamClient Iam, ICloudTrailClient CloudTrail, IConfigClient Config);

/// <summary>
/// The command line: <c>evaluate</c> (a credential report offline, or the live account) and <c>explain USER</c>.
/// Exit codes: 0 nothing NON_COMPLIANT, 1 something NON_COMPLIANT, 2 bad input or an error.
/// </summary>
internal sealed class CliApp(TextWriter stdout, TextWriter stderr, TimeProvider time, Func<AccountOptions, LiveAccount> connect, OrganizationEvaluate? organization = null)
{
    public const int ExitClean = 0;
    public const int ExitNonCompliant = 1;
    public const int ExitError = 2;

    private readonly Option<FileInfo?> _report = new("--credential-report", "-r")
    {
        Description = "Audit this IAM credential report CSV offline instead of the live account (no AWS access needed).",
    };
    private readonly Option<string?> _parameters = new("--parameters")
    {
        Description = "The rule parameters as the JSON object Config takes, e.g. '{\"AllowedMfaTypes\":\"fido\"}'.",
    };
    private readonly Option<string?> _exemptNames = new("--exempt-user-names") { Description = "ExemptUserNames: comma-separated user names." };
    private readonly Option<string?> _exemptPaths = new("--exempt-path-prefixes") { Description = "ExemptPathPrefixes: comma-separated IAM paths, e.g. /break-glass/." };
    private readonly Option<string?> _tagKey = new("--exemption-tag-key") { Description = "ExemptionTagKey (default mfa-exempt-until; empty turns tag exemptions off)." };
    private readonly Option<string?> _mfaTypes = new("--allowed-mfa-types") { Description = "AllowedMfaTypes: any of virtual,hardware,fido (default all)." };
    private readonly Option<string?> _noPassword = new("--no-password-result") { Description = "NoPasswordResult: NOT_APPLICABLE (default) or COMPLIANT." };
    private readonly Option<string?> _grace = new("--grace-period-hours") { Description = "GracePeriodHours (default 0)." };
    private readonly Option<OutputFormat> _output = new("--output", "-o")
    {
        Description = "table (default), json or csv.",
        DefaultValueFactory = _ => OutputFormat.Table,
    };
    private readonly Option<string?> _asOf = new("--as-of")
    {
        Description = "Evaluate as of this UTC time (ISO 8601) instead of now: grace periods and exemption dates are judged against it.",
    };
    private readonly Option<string?> _profile = new("--profile") { Description = "AWS profile for the live account (default: the standard credential chain)." };
    private readonly Option<string?> _region = new("--region") { Description = "AWS Region for CloudTrail lookups and endpoints (IAM itself is global)." };
    private readonly Option<bool> _liveOnly = new("--live-only") { Description = "Read every user with live IAM calls instead of starting from the credential report." };

    public int Run(string[] args)
    {
        var root = new RootCommand("MfaConfigRule: find IAM users who can sign in to the AWS console without MFA (CIS, Security Hub IAM.5).");
        root.Subcommands.Add(EvaluateCommand());
        root.Subcommands.Add(ExplainCommand());
        root.Subcommands.Add(InvokeCommand());
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) stderr.WriteLine($"error: {error.Message}");
            stderr.WriteLine("Try --help.");
            return ExitError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            // System.CommandLine's own handler would exit 1, which here means "found NON_COMPLIANT users".
            stderr.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message}");
            return ExitError;
        }
    }

    private Command EvaluateCommand()
    {
        var command = new Command("evaluate", "Evaluate every IAM user: a credential report offline (--credential-report), else the live account.");
        foreach (var option in AuditOptions()) command.Options.Add(option);
        command.Options.Add(_output);
        command.Options.Add(_liveOnly);
        foreach (var option in organization?.Options ?? []) command.Options.Add(option);
        command.SetAction(parse => Guarded(() =>
        {
            var parameters = Parameters(parse);
            if (organization is not null && organization.Applies(parse))
            {
                if (parse.GetValue(_report) is not null) throw new CliException("--assume-role audits live accounts; it cannot be combined with --credential-report");
                return organization.Run(parse, new AccountOptions(parse.GetValue(_profile), parse.GetValue(_region)), parameters, parse.GetValue(_output), parse.GetValue(_liveOnly));
            }
            var now = AsOf(parse);
            var rows = parse.GetValue(_report) is { } file
                ? Offline(file, parameters, now)
                : Live(parse, parameters);
            AuditWriter.Write(stdout, rows, parse.GetValue(_output));
            return ExitCodeFor(rows);
        }));
        return command;
    }

    private Command ExplainCommand()
    {
        var userName = new Argument<string>("user") { Description = "The IAM user name." };
        var command = new Command("explain", "Show every input for one user (login profile, MFA devices and kinds, tags, exemptions, parameters) and the verdict they lead to.");
        command.Arguments.Add(userName);
        foreach (var option in AuditOptions()) command.Options.Add(option);
        command.SetAction(parse => Guarded(() =>
        {
            var parameters = Parameters(parse);
            var now = AsOf(parse);
            var name = parse.GetValue(userName)!;
            UserCredentialState state;
            if (parse.GetValue(_report) is { } file)
            {
                var report = ReadReport(file);
                var row = report.Users.FirstOrDefault(r => string.Equals(r.UserName, name, StringComparison.OrdinalIgnoreCase));
                if (row is null && report.Problems.FirstOrDefault(p => string.Equals(p.UserName, name, StringComparison.OrdinalIgnoreCase)) is { } problem)
                    throw new CliException($"user {name} has no usable row in {file.Name}: line {problem.LineNumber}: {problem.Message}");
                if (row is null) throw new CliException($"user {name} is not in {file.Name}");
                state = OfflineState(row);
            }
            else
            {
                var account = connect(new AccountOptions(parse.GetValue(_profile), parse.GetValue(_region)));
                state = ReadLiveState(account, name).GetAwaiter().GetResult();
            }
            var assessment = Evaluator.Evaluate(state, parameters, now);
            if (assessment.Missing.HasFlag(MissingEvidence.Tags)) assessment = Evaluator.Evaluate(state with { Tags = new Dictionary<string, string>() }, parameters, now);
            Explain(state, parameters, now, assessment);
            return assessment.Compliance switch
            {
                ComplianceType.NonCompliant => ExitNonCompliant,
                null => ExitError,
                _ => ExitClean,
            };
        }));
        return command;
    }

    private Command InvokeCommand()
    {
        var eventFile = new Option<FileInfo>("--event", "-e") { Description = "A Config rule event (JSON), e.g. samples/events/scheduled.json.", Required = true };
        var command = new Command("invoke", "Run a Config event through the rule exactly as the Lambda function does (reads IAM, calls PutEvaluations; use resultToken TESTMODE to change nothing).");
        command.Options.Add(eventFile);
        command.Options.Add(_output);
        command.Options.Add(_profile);
        command.Options.Add(_region);
        command.SetAction(parse => Guarded(() =>
        {
            var file = parse.GetValue(eventFile)!;
            if (!file.Exists) throw new CliException($"event file {file.FullName} does not exist");
            var account = connect(new AccountOptions(parse.GetValue(_profile), parse.GetValue(_region)));
            var handler = new Rule.ConfigRuleHandler(
                new UserAssessor(account.Iam, account.CloudTrail, time, new AssessorOptions()),
                new EvaluationReporter(account.Config, time, new ReporterOptions()),
                account.Config, time, new Rule.HandlerOptions());
            var summary = handler.HandleAsync(File.ReadAllText(file.FullName), null, CancellationToken.None).GetAwaiter().GetResult();
            var rows = summary.Evaluations.Select(e => summary.Users.TryGetValue(e.ResourceId, out var user)
                ? new AuditRow(user.UserName, user.Arn, e.Compliance.ToWire(), e.Annotation)
                : new AuditRow(e.ResourceId, string.Empty, e.Compliance.ToWire(), e.Annotation)).ToList();
            AuditWriter.Write(stdout, AuditRow.Ordered(rows), parse.GetValue(_output));
            foreach (var warning in summary.Warnings) stderr.WriteLine($"warning: {warning}");
            if (summary.Note is { } note) stderr.WriteLine(note);
            var unchanged = summary.Evaluations.Count - (summary.Written ?? summary.Evaluations.Count);
            stderr.WriteLine($"{summary.MessageType}: {summary.Written ?? summary.Evaluations.Count} evaluation(s) sent to rule {summary.ConfigRuleName}{(summary.TestMode ? " in test mode" : string.Empty)}"
                + (unchanged > 0 ? $", {unchanged} unchanged (ReportChangesOnly)" : string.Empty));
            if (!summary.Succeeded)
            {
                stderr.WriteLine($"error: {summary.FailureMessage()}");
                return ExitError;
            }
            return ExitCodeFor(rows);
        }));
        return command;
    }

    /// <summary>2 when a user got no verdict (an error outranks findings), 1 when one is NON_COMPLIANT, else 0.</summary>
    private static int ExitCodeFor(IReadOnlyList<AuditRow> rows) =>
        rows.Any(r => r.Compliance == AuditRow.InsufficientData) ? ExitError
        : rows.Any(r => r.Compliance == ComplianceTypeNames.NonCompliant) ? ExitNonCompliant
        : ExitClean;

    /// <summary>What every audit takes: the rule parameters, a report or an account, and the time to judge at.</summary>
    private IEnumerable<Option> AuditOptions() => [.. ParameterOptions(), _report, _asOf, _profile, _region];

    private IEnumerable<Option> ParameterOptions() => [_parameters, _exemptNames, _exemptPaths, _tagKey, _mfaTypes, _noPassword, _grace];

    private int Guarded(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is CliException or Aws.AwsCredentialsException or Organization.OrganizationSettingsException or Rule.ConfigEventException or RuleParametersException or CredentialReportFormatException or Aws.AwsServiceException or IOException or UnauthorizedAccessException or HttpRequestException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitError;
        }
    }

    private RuleParameters Parameters(ParseResult parse)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parse.GetValue(_parameters) is { } json)
            foreach (var (key, value) in RuleParameters.ParseJsonValues(json)) values[key] = value;
        void Flag(Option<string?> option, string key)
        {
            if (parse.GetValue(option) is { } value) values[key] = value;
        }
        Flag(_exemptNames, RuleParameters.ExemptUserNamesKey);
        Flag(_exemptPaths, RuleParameters.ExemptPathPrefixesKey);
        Flag(_tagKey, RuleParameters.ExemptionTagKeyKey);
        Flag(_mfaTypes, RuleParameters.AllowedMfaTypesKey);
        Flag(_noPassword, RuleParameters.NoPasswordResultKey);
        Flag(_grace, RuleParameters.GracePeriodHoursKey);
        return RuleParameters.Parse(values);
    }

    private DateTimeOffset AsOf(ParseResult parse)
    {
        if (parse.GetValue(_asOf) is not { } text) return time.GetUtcNow();
        return UtcTime.TryParse(text, out var at)
            ? at
            : throw new CliException($"--as-of '{text}' is not a time; use ISO 8601, e.g. 2026-11-29T12:00:00Z");
    }

    private static CredentialReport ReadReport(FileInfo file)
    {
        if (!file.Exists) throw new CliException($"credential report {file.FullName} does not exist");
        return CredentialReport.Parse(File.ReadAllText(file.FullName));
    }

    /// <summary>A report row as state: the report has no tags and no device kinds, which the audit says where it matters.</summary>
    private static UserCredentialState OfflineState(CredentialReportRow row) =>
        row.ToState(row.Arn) with { Tags = new Dictionary<string, string>() };

    private IReadOnlyList<AuditRow> Offline(FileInfo file, RuleParameters parameters, DateTimeOffset now)
    {
        var report = ReadReport(file);
        foreach (var problem in report.Problems)
            stderr.WriteLine($"warning: {file.Name} line {problem.LineNumber}{(problem.UserName is null ? string.Empty : $" ({problem.UserName})")}: {problem.Message}; that row is reported as {AuditRow.InsufficientData}");
        var rows = report.Users
            .Select(row => AuditRow.From(Evaluator.Evaluate(OfflineState(row), parameters, now)))
            // One row per user: a user on conflicting rows is one finding, not one per line.
            .Concat(report.Problems.GroupBy(p => p.UserName ?? $"(line {p.LineNumber})", StringComparer.OrdinalIgnoreCase).Select(g => new AuditRow(
                g.Key, string.Empty, AuditRow.InsufficientData, $"Unreadable report row: {string.Join("; ", g.Select(p => p.Message).Distinct(StringComparer.Ordinal))}")))
            .ToList();
        if (parameters.ExemptionTagKey.Length > 0 && rows.Any(r => r.Compliance == ComplianceTypeNames.NonCompliant))
            stderr.WriteLine($"note: a credential report carries no tags, so exemptions by tag {parameters.ExemptionTagKey} are not applied offline.");
        return AuditRow.Ordered(rows);
    }

    private IReadOnlyList<AuditRow> Live(ParseResult parse, RuleParameters parameters)
    {
        var account = connect(new AccountOptions(parse.GetValue(_profile), parse.GetValue(_region)));
        var assessor = new UserAssessor(account.Iam, account.CloudTrail, time, new AssessorOptions { UseCredentialReport = !parse.GetValue(_liveOnly) });
        var progress = new SweepProgress(stderr);
        var sweep = assessor.SweepAsync(parameters, CancellationToken.None, progress).GetAwaiter().GetResult();
        foreach (var warning in sweep.Stats.Warnings) stderr.WriteLine($"warning: {warning}");
        return AuditRow.Ordered(sweep.Assessments.Select(AuditRow.From)
            .Concat(sweep.Failures.Select(f => new AuditRow(f.User.UserName, f.User.Arn, AuditRow.InsufficientData, f.Cause))));
    }

    private async Task<UserCredentialState> ReadLiveState(LiveAccount account, string userName)
    {
        var user = await account.Iam.GetUserAsync(userName, CancellationToken.None).ConfigureAwait(false)
            ?? throw new CliException($"IAM has no user named {userName}");
        var assessor = new UserAssessor(account.Iam, account.CloudTrail, time, new AssessorOptions());
        return await assessor.ReadEverythingLiveAsync(user, CancellationToken.None).ConfigureAwait(false)
            ?? throw new CliException($"IAM user {userName} was deleted while it was being read");
    }

    private void Explain(UserCredentialState state, RuleParameters parameters, DateTimeOffset now, Assessment assessment)
    {
        var user = state.User;
        string Time(DateTimeOffset? t) => t is { } v ? v.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "unknown";
        string Age(DateTimeOffset? t) => t is { } v ? $" ({(now - v).TotalDays:0.#} days ago)" : string.Empty;
        stdout.WriteLine($"User            {user.UserName}");
        stdout.WriteLine($"  id            {user.UserId}");
        stdout.WriteLine($"  arn           {user.Arn}");
        stdout.WriteLine($"  path          {user.Path}");
        stdout.WriteLine($"  created       {Time(user.CreateDate)}");
        stdout.WriteLine($"Console password {(state.Password.Enabled ? "yes" : "no")} (source: {Source(state.Password.Source)})");
        if (state.Password.Enabled) stdout.WriteLine($"  set           {Time(state.Password.SetAt)}{Age(state.Password.SetAt)}");
        stdout.WriteLine($"MFA devices     {(state.Mfa.ActiveKindsUnknown ? "active, kinds unknown" : state.Mfa.Devices.Count.ToString(CultureInfo.InvariantCulture))} (source: {Source(state.Mfa.Source)})");
        foreach (var device in state.Mfa.Devices)
            stdout.WriteLine($"  {MfaKindNames.Describe(device.Kind),-8}      {device.SerialNumber} enabled {Time(device.EnableDate)}");
        stdout.WriteLine($"Tags            {(state.Tags is null or { Count: 0 } ? "none" : string.Join(", ", state.Tags.Select(t => $"{t.Key}={t.Value}")))}");
        stdout.WriteLine("Parameters");
        foreach (var (key, value) in parameters.ToDictionary()) stdout.WriteLine($"  {key,-20} {(value.Length == 0 ? "(none)" : value)}");
        stdout.WriteLine($"Evaluated at    {Time(now)}");
        if (assessment.Exemption is { } exemption)
        {
            var ends = exemption.EndsAt switch
            {
                null => string.Empty,
                { } end when end == DateTimeOffset.MaxValue => ", no end date",
                { } end => $", ends {Time(end)}",
            };
            stdout.WriteLine($"Exemption       {exemption.Reason}{ends}");
        }
        if (assessment.GraceEndsAt is { } grace) stdout.WriteLine($"Grace ends      {Time(grace)}");
        stdout.WriteLine($"Verdict         {assessment.Compliance?.ToWire() ?? AuditRow.InsufficientData}");
        stdout.WriteLine($"Annotation      {assessment.Annotation}");
    }

    private static string Source(EvidenceSource source) => source == EvidenceSource.Live ? "live IAM" : "credential report";
}

/// <summary>
/// "assessed N/M users" on one stderr line for sweeps of 50 users or more. Written synchronously under a lock (not via
/// <see cref="Progress{T}"/>, which posts to the thread pool) so lines never come out of order or after the result.
/// </summary>
internal sealed class SweepProgress(TextWriter stderr) : IProgress<(int Done, int Total)>
{
    private const int MinimumUsers = 50;
    private const int Step = 50;
    private readonly Lock _gate = new();
    private int _shown;

    public void Report((int Done, int Total) value)
    {
        if (value.Total < MinimumUsers || (value.Done % Step != 0 && value.Done != value.Total)) return;
        lock (_gate)
        {
            // Counts are reported from parallel workers: a late, smaller one would overwrite a later line.
            if (value.Done <= _shown) return;
            _shown = value.Done;
            stderr.Write($"\rassessed {value.Done}/{value.Total} users");
            if (value.Done == value.Total) stderr.WriteLine();
        }
    }
}

/// <summary>A mistake in how the CLI was called or what it was given; shown as "error: …" with exit code 2.</summary>
internal sealed class CliException(string message) : Exception(message);

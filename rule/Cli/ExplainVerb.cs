using System.CommandLine;
using System.Globalization;
using MfaConfigRule.Compliance;
using MfaConfigRule.Composition;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Cli;

/// <summary><c>explain USER</c>: every input for one user and the verdict they lead to.</summary>
internal static class ExplainVerb
{
    public static Command Create(CliContext cli, CliOptions options)
    {
        var userName = new Argument<string>("user") { Description = "The IAM user name." };
        var command = new Command("explain", "Show every input for one user (login profile, MFA devices and kinds, tags, exemptions, parameters) and the verdict they lead to. " +
            "Exit codes: 0 not NON_COMPLIANT, 1 NON_COMPLIANT, 2 bad input, an error or no verdict.");
        command.Arguments.Add(userName);
        foreach (var option in options.Audit) command.Options.Add(option);
        command.SetAction(parse => cli.Guarded(() =>
        {
            var parameters = options.Parameters(parse);
            var now = options.AsOf(parse, cli.Time);
            var typed = parse.GetValue(userName);
            var file = parse.GetValue(options.Report);
            if (typed == CredentialReportRow.RootUserName)
            {
                throw new CliException($"{typed} is the root user's row{(file is null ? string.Empty : $" in {file.Name}")}, set aside on purpose: the rule does not evaluate the root user " +
                    "(it is not an AWS::IAM::User resource in Config; Security Hub's IAM.6 and IAM.9 check root MFA).");
            }
            var name = CliOptions.UserName(typed);
            UserCredentialState state;
            if (file is not null)
            {
                var report = OfflineReport.Read(file);
                var row = report.Users.FirstOrDefault(r => string.Equals(r.UserName, name, StringComparison.OrdinalIgnoreCase));
                if (row is null && report.Problems.FirstOrDefault(p => string.Equals(p.UserName, name, StringComparison.OrdinalIgnoreCase)) is { } problem)
                    throw new CliException($"user {name} has no usable row in {file.Name}: line {problem.LineNumber}: {problem.Message}");
                if (row is null) throw new CliException($"user {name} is not in {file.Name}");
                state = OfflineReport.State(row);
            }
            else
            {
                state = ReadLiveState(cli, cli.ConnectTo(parse, options), name).GetAwaiter().GetResult();
            }
            var assessment = Evaluator.Evaluate(state, parameters, now);
            if (assessment.Missing.HasFlag(MissingEvidence.Tags)) assessment = Evaluator.Evaluate(state with { Tags = new Dictionary<string, string>() }, parameters, now);
            Write(cli.Stdout, state, parameters, now, assessment, fromReport: file is not null);
            return assessment.Compliance switch
            {
                ComplianceType.NonCompliant => ExitCodes.NonCompliant,
                null => ExitCodes.Error,
                _ => ExitCodes.Clean,
            };
        }));
        return command;
    }

    private static async Task<UserCredentialState> ReadLiveState(CliContext cli, LiveAccount account, string userName)
    {
        var iam = cli.Iam(account);
        var user = await iam.GetUserAsync(userName, CancellationToken.None).ConfigureAwait(false)
            ?? throw new CliException($"IAM has no user named {userName}");
        var assessor = Wiring.Assessor(iam, account.CloudTrail, cli.Time);
        return await assessor.ReadEverythingLiveAsync(user, CancellationToken.None).ConfigureAwait(false)
            ?? throw new CliException($"IAM user {userName} was deleted while it was being read");
    }

    private static void Write(TextWriter stdout, UserCredentialState state, RuleParameters parameters, DateTimeOffset now, Assessment assessment, bool fromReport)
    {
        var user = state.User;
        string Time(DateTimeOffset? t) => t is { } v ? v.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "unknown";
        string Age(DateTimeOffset? t) => t is not { } v ? string.Empty
            : v <= now ? string.Create(CultureInfo.InvariantCulture, $" ({(now - v).TotalDays:0.0} days before the evaluation time)")
            : string.Create(CultureInfo.InvariantCulture, $" ({(v - now).TotalDays:0.0} days after the evaluation time)");
        stdout.WriteLine($"User            {user.UserName}");
        stdout.WriteLine($"  id            {(fromReport ? "unknown (a credential report has no user IDs)" : user.UserId)}");
        stdout.WriteLine($"  arn           {user.Arn}");
        stdout.WriteLine($"  path          {user.Path}");
        stdout.WriteLine($"  created       {Time(user.CreateDate)}{Age(user.CreateDate)}");
        stdout.WriteLine($"Console password {(state.Password.Enabled ? "yes" : "no")} (source: {Source(state.Password.Source)})");
        if (state.Password.Enabled) stdout.WriteLine($"  set           {Time(state.Password.SetAt)}{Age(state.Password.SetAt)}");
        stdout.WriteLine($"MFA devices     {(state.Mfa.ActiveKindsUnknown ? "active, kinds unknown" : state.Mfa.Devices.Count.ToString(CultureInfo.InvariantCulture))} (source: {Source(state.Mfa.Source)})");
        foreach (var device in state.Mfa.Devices)
            stdout.WriteLine($"  {MfaKindNames.Describe(device.Kind),-8}      {device.SerialNumber} enabled {Time(device.EnableDate)}");
        var tags = fromReport
            ? $"unknown (a credential report has no tags{(parameters.ExemptionTagKey.Length > 0 ? $", so exemptions by tag {parameters.ExemptionTagKey} are not applied" : string.Empty)})"
            : state.Tags is null or { Count: 0 } ? "none" : string.Join(", ", state.Tags.Select(t => $"{t.Key}={t.Value}"));
        stdout.WriteLine($"Tags            {tags}");
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

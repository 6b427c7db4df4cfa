using System.CommandLine;
using MfaConfigRule.Compliance;
using MfaConfigRule.Composition;

namespace MfaConfigRule.Cli;

/// <summary><c>invoke --event FILE</c>: a Config rule event through the Lambda handler, PutEvaluations included.</summary>
internal static class InvokeVerb
{
    public static Command Create(CliContext cli, CliOptions options)
    {
        var eventFile = new Option<FileInfo>("--event", "-e") { Description = "A Config rule event (JSON), e.g. samples/events/scheduled.json.", Required = true };
        var command = new Command("invoke", $"Run a Config event through the rule exactly as the Lambda function does (reads IAM, calls PutEvaluations; use resultToken TESTMODE to change nothing). {ExitCodes.Meaning}");
        command.Options.Add(eventFile);
        command.Options.Add(options.Output);
        command.Options.Add(options.Profile);
        command.Options.Add(options.Region);
        command.SetAction(parse => cli.Guarded(() =>
        {
            if (parse.GetValue(options.Output) == OutputFormat.Html) throw new CliException("-o html is a report of evaluate; invoke prints table, json or csv");
            var file = parse.GetValue(eventFile)!;
            if (Directory.Exists(file.FullName)) throw new CliException($"event file {file.FullName} is a directory; name a JSON event file, e.g. samples/events/scheduled.json");
            if (!file.Exists) throw new CliException($"event file {file.FullName} does not exist");
            var account = cli.ConnectTo(parse, options);
            var handler = Wiring.ConfigRuleHandler(cli.Iam(account), account.CloudTrail, account.Config, cli.Time);
            var summary = handler.HandleAsync(File.ReadAllText(file.FullName), null, CancellationToken.None).GetAwaiter().GetResult();
            var rows = summary.Evaluations.Select(e => summary.Users.TryGetValue(e.ResourceId, out var user)
                ? new AuditRow(user.UserName, user.Arn, e.Compliance.ToWire(), e.Annotation)
                : new AuditRow(e.ResourceId, string.Empty, e.Compliance.ToWire(), e.Annotation)).ToList();
            AuditWriter.Write(cli.Stdout, AuditRow.Ordered(rows), parse.GetValue(options.Output), cli.TableWidth);
            foreach (var warning in summary.Warnings) cli.Stderr.WriteLine($"warning: {warning}");
            if (summary.Warnings.Concat([summary.Succeeded ? string.Empty : summary.FailureMessage()]).Any(w => w.Contains("NoSuchConfigRuleException", StringComparison.Ordinal)))
            {
                cli.Stderr.WriteLine($"hint: Config has no rule named {summary.ConfigRuleName} in this Region; create the rule first. In AWS: deploy the stack (npx cdk deploy). " +
                    $"Against the local AWS double: curl -X POST $AWS_ENDPOINT_URL/_double/config/result-token -d '{{\"region\":\"us-east-1\",\"ruleName\":\"{summary.ConfigRuleName}\"}}' " +
                    "creates it (samples/run-local.sh does this for you).");
            }
            if (summary.Note is { } note) cli.Stderr.WriteLine(note);
            var unchanged = summary.Evaluations.Count - (summary.Written ?? summary.Evaluations.Count);
            cli.Stderr.WriteLine($"{summary.MessageType}: {summary.Written ?? summary.Evaluations.Count} evaluation(s) sent to rule {summary.ConfigRuleName}{(summary.TestMode ? " in test mode" : string.Empty)}"
                + (unchanged > 0 ? $", {unchanged} unchanged (ReportChangesOnly)" : string.Empty));
            if (!summary.Succeeded)
            {
                cli.Stderr.WriteLine($"error: {summary.FailureMessage()}");
                return ExitCodes.Error;
            }
            return ExitCodes.For(rows);
        }));
        return command;
    }
}

using System.CommandLine;

namespace MfaConfigRule.Cli;

/// <summary>
/// The command line: one verb per file (<see cref="EvaluateVerb"/>, <see cref="ExplainVerb"/>, <see cref="InvokeVerb"/>,
/// <see cref="EnrollVerb"/>, <see cref="ReportVerb"/>),
/// sharing <see cref="CliOptions"/> and <see cref="ExitCodes"/>.
/// </summary>
internal sealed class CliApp(
    TextWriter stdout,
    TextWriter stderr,
    TimeProvider time,
    Func<AccountOptions, LiveAccount> connect,
    TextReader? stdin = null,
    CliTerminal? terminal = null,
    CliStatus? status = null,
    OrganizationEvaluate? organization = null,
    Func<AccountOptions, AggregatorConnection>? aggregator = null)
{
    public int Run(string[] args)
    {
        var screen = terminal ?? CliTerminal.None;
        var cli = new CliContext(stdout, stderr, time, connect)
        {
            Stdin = stdin ?? TextReader.Null,
            Organization = organization,
            Terminal = screen,
            Status = status ?? new CliStatus(stderr, screen.StderrIsTerminal, time),
        };
        var options = new CliOptions();
        var root = new RootCommand("MfaConfigRule: find IAM users who can sign in to the AWS console without MFA (CIS, Security Hub IAM.5), and enrol a virtual MFA device for them. " +
            ExitCodes.Meaning + " enroll: 0 enrolled, 2 not enrolled.");
        root.Subcommands.Add(EvaluateVerb.Create(cli, options));
        root.Subcommands.Add(ExplainVerb.Create(cli, options));
        root.Subcommands.Add(InvokeVerb.Create(cli, options));
        root.Subcommands.Add(EnrollVerb.Create(cli, options));
        root.Subcommands.Add(ReportVerb.Create(cli, options, aggregator));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) stderr.WriteLine($"error: {error.Message}");
            stderr.WriteLine("Try --help.");
            return ExitCodes.Error;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            // System.CommandLine's own handler would exit 1, which here means "found NON_COMPLIANT users".
            stderr.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message}");
            return ExitCodes.Error;
        }
    }
}

using System.CommandLine;

namespace MfaConfigRule.Cli;

/// <summary>
/// The command line: one verb per file (<see cref="EvaluateVerb"/>, <see cref="ExplainVerb"/>, <see cref="InvokeVerb"/>),
/// sharing <see cref="CliOptions"/> and <see cref="ExitCodes"/>.
/// </summary>
internal sealed class CliApp(TextWriter stdout, TextWriter stderr, TimeProvider time, Func<AccountOptions, LiveAccount> connect)
{
    public int Run(string[] args)
    {
        var cli = new CliContext(stdout, stderr, time, connect);
        var options = new CliOptions();
        var root = new RootCommand("MfaConfigRule: find IAM users who can sign in to the AWS console without MFA (CIS, Security Hub IAM.5).");
        root.Subcommands.Add(EvaluateVerb.Create(cli, options));
        root.Subcommands.Add(ExplainVerb.Create(cli, options));
        root.Subcommands.Add(InvokeVerb.Create(cli, options));
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

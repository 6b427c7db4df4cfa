using MfaConfigRule.Cli;

namespace MfaConfigRule;

internal static class Program
{
    public static int Main(string[] args)
    {
        var cli = new CliApp(Console.Out, Console.Error, TimeProvider.System,
            _ => throw new CliException("live mode is not wired yet"));
        return cli.Run(args);
    }
}

namespace MfaConfigRule.Cli;

/// <summary>
/// Which of the standard streams is a person's terminal, and how wide it is: a table is fitted and a progress line is
/// redrawn only on a terminal; a pipe or a log gets plain lines.
/// </summary>
internal sealed record CliTerminal(bool StdinIsTerminal, bool StdoutIsTerminal, bool StderrIsTerminal, int Width)
{
    /// <summary>Pipes everywhere: what tests and scripts see.</summary>
    public static CliTerminal None { get; } = new(false, false, false, 0);
}

using System.ComponentModel;

namespace MfaConfigRule.Infra.Tests;

/// <summary>A Node.js check of the repository (infra/**/check-*.js) run on a synthesized template, as check-templates.sh runs it.</summary>
internal static class NodeScript
{
    /// <summary>Far above what the checks take (seconds): only a hung node reaches it.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string script, params string[] arguments)
    {
        ToolRun run;
        try
        {
            run = await Tool.RunAsync("node", [Repository.PathOf(script), .. arguments], Timeout);
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"node (Node.js >= 20) is needed to run {script} with @cloud-copilot/iam-simulate, and it is not on PATH", e);
        }
        return (run.ExitCode, run.Stdout, run.Stderr);
    }
}

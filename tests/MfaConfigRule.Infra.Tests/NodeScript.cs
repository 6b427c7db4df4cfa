using System.Diagnostics;

namespace MfaConfigRule.Infra.Tests;

/// <summary>A Node.js check of the repository (infra/**/check-*.js) run on a synthesized template, as check-templates.sh runs it.</summary>
internal static class NodeScript
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string script, params string[] arguments)
    {
        var root = SynthesizedApp.RepositoryRoot();
        var start = new ProcessStartInfo("node", [Path.Combine(root, script), .. arguments])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process node;
        try
        {
            node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"node (Node.js >= 20) is needed to run {script} with @cloud-copilot/iam-simulate, and it is not on PATH", e);
        }
        using (node)
        {
            var stdout = node.StandardOutput.ReadToEndAsync();
            var stderr = node.StandardError.ReadToEndAsync();
            await node.WaitForExitAsync();
            return (node.ExitCode, await stdout, await stderr);
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MfaConfigRule.TestSupport;

/// <summary>What an outside program did: its exit code and everything it wrote.</summary>
public sealed record ToolRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs outside programs (dotnet, the rule's CLI, bash, tmux, the AWS CLI, python) with a clean AWS environment and a
/// time limit, from the repository root unless told otherwise.
/// </summary>
public static class Tool
{
    /// <summary>
    /// Settings from the developer's shell that must not reach the program: a profile, a real endpoint or real keys
    /// would point it at a real account, and MSBuild variables set by <c>dotnet test</c> confuse a nested
    /// <c>dotnet publish</c>.
    /// </summary>
    private static readonly string[] ScrubbedPrefixes = ["AWS_", "MSBUILD", "MSBuild", "VSTEST"];

    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in start.Environment.Keys.Where(k => ScrubbedPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
            start.Environment.Remove(name);
        // Nothing outside the double may answer: no shared config files, no instance metadata; and no pager waits for a key.
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/aws-config";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_PAGER"] = string.Empty;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
            foreach (var (name, value) in environment) start.Environment[name] = value;
        return start;
    }

    public static async Task<ToolRun> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = StartInfo(fileName, arguments, environment, workingDirectory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} took longer than {timeout}:\n{await stdout}\n{await stderr}");
        }
        return new ToolRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Where a program is: on PATH, or at that absolute path; null if it is not there.</summary>
    public static string? Find(string name)
    {
        if (Path.IsPathRooted(name)) return File.Exists(name) ? name : null;
        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

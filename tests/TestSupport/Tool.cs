using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MfaConfigRule.TestSupport;

/// <summary>What an outside program did: its exit code and everything it wrote.</summary>
public sealed record ToolRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>A run under GNU time: the run, peak resident set in KB, GNU time's elapsed seconds, and the wall time seen by the caller.</summary>
public sealed record MeasuredToolRun(ToolRun Run, long PeakKb, double Seconds, TimeSpan Wall);

/// <summary>
/// Runs outside programs (dotnet, the rule's CLI, bash, tmux, the AWS CLI, python) with a clean AWS environment and a
/// time limit, from the repository root unless told otherwise; measured under GNU time when asked (the benchmarks).
/// </summary>
public static class Tool
{
    /// <summary>
    /// Settings from the developer's shell that must not reach the program: a profile, a real endpoint or real keys
    /// would point it at a real account, and MSBuild variables set by <c>dotnet test</c> confuse a nested
    /// <c>dotnet publish</c>.
    /// </summary>
    private static readonly string[] ScrubbedPrefixes = ["AWS_", "MSBUILD", "MSBuild", "VSTEST"];

    /// <summary>GNU time, which <see cref="RunMeasuredAsync"/> runs a program under (Debian package <c>time</c>).</summary>
    public const string GnuTime = "/usr/bin/time";

    /// <summary>
    /// How <paramref name="fileName"/> is started: the shell's <c>AWS_*</c>, MSBuild and VSTest variables dropped, then,
    /// unless <paramref name="exactAwsEnvironment"/>, Tool's own safe AWS settings (no shared config files, no instance
    /// metadata, no pager), then <paramref name="environment"/> on top. With <paramref name="exactAwsEnvironment"/> the
    /// program's <c>AWS_*</c> variables are exactly those in <paramref name="environment"/>, nothing else: for a program
    /// whose view of AWS is the point (an SSM script with the automation's keys, or none) or the thing measured.
    /// </summary>
    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null, bool exactAwsEnvironment = false)
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
        if (!exactAwsEnvironment)
        {
            // Nothing outside the double may answer: no shared config files, no instance metadata; and no pager waits for a key.
            start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/aws-config";
            start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials";
            start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
            start.Environment["AWS_PAGER"] = string.Empty;
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
            foreach (var (name, value) in environment) start.Environment[name] = value;
        return start;
    }

    /// <summary>
    /// Runs <paramref name="fileName"/> (see <see cref="StartInfo"/> for its environment) with standard input closed, and
    /// waits for it: past <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/> for none) it is killed with
    /// its children and a <see cref="TimeoutException"/> carries what it wrote; on <paramref name="cancellationToken"/>
    /// it is killed too and the cancellation is thrown. Any exit code is returned, not judged.
    /// </summary>
    public static async Task<ToolRun> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, bool exactAwsEnvironment = false,
        CancellationToken cancellationToken = default)
    {
        var start = StartInfo(fileName, arguments, environment, workingDirectory, exactAwsEnvironment);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = new CancellationTokenSource(timeout);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        try
        {
            await process.WaitForExitAsync(either.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} took longer than {timeout}:\n{await stdout}\n{await stderr}");
        }
        return new ToolRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// <see cref="RunAsync"/> under GNU time (<c>/usr/bin/time -o FILE -f "%M %e"</c>): the run, the program's peak
    /// resident set (its VmHWM) and GNU time's elapsed seconds, plus the wall time seen from here (process start to exit,
    /// GNU time's own start-up included). The exit code is the program's; judging it is the caller's.
    /// </summary>
    public static async Task<MeasuredToolRun> RunMeasuredAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, bool exactAwsEnvironment = false,
        CancellationToken cancellationToken = default)
    {
        if (!File.Exists(GnuTime)) throw new FileNotFoundException($"{GnuTime} is missing: apt-get install -y time", GnuTime);
        var timeFile = Path.GetTempFileName();
        try
        {
            var watch = Stopwatch.StartNew();
            var run = await RunAsync(GnuTime, ["-o", timeFile, "-f", "%M %e", fileName, .. arguments], timeout, environment, workingDirectory, exactAwsEnvironment, cancellationToken);
            var wall = watch.Elapsed;
            // GNU time writes "Command exited with non-zero status N" before the format's line when the program fails.
            var fields = (await File.ReadAllTextAsync(timeFile, cancellationToken)).Trim().Split('\n')[^1].Split(' ');
            if (fields.Length != 2 || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var peakKb)
                || !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
                throw new InvalidOperationException($"{GnuTime} wrote no \"%M %e\" line for {fileName} {string.Join(' ', arguments)}: {run}");
            return new MeasuredToolRun(run, peakKb, seconds, wall);
        }
        finally
        {
            File.Delete(timeFile);
        }
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

using System.Diagnostics;
using System.Globalization;
using MfaConfigRule.Aws;
using MfaConfigRule.Benchmarks.Memory;
using MfaConfigRule.Benchmarks.Scenario;
using AwsDouble.Hosting;

namespace MfaConfigRule.Benchmarks.Organization;

/// <summary>
/// One run of the published binary against the double, under GNU time: its peak memory, wall time, standard output and
/// exit code. The Organization audit and the aggregator report measure the same way and differ only in the verb.
/// </summary>
internal static class MeasuredRun
{
    /// <summary>Runs <paramref name="binary"/> with <paramref name="arguments"/>; an exit other than 0 or 1 is a failed run, named by <paramref name="what"/>.</summary>
    public static async Task<(long PeakKb, double Seconds, string Stdout, int ExitCode)> RunAsync(
        string binary, IReadOnlyList<string> arguments, AwsDoubleServer server, string what, CancellationToken cancellationToken)
    {
        var timeFile = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo(BinaryBenchmark.GnuTime) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in (string[])["-o", timeFile, "-f", "%M %e", binary, .. arguments]) start.ArgumentList.Add(argument);
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(name);
            start.Environment[AwsEndpoints.EndpointUrlVariable] = server.BaseUrl.ToString().TrimEnd('/');
            start.Environment["AWS_ACCESS_KEY_ID"] = server.DefaultAccount.RootCredentials.AccessKeyId;
            start.Environment["AWS_SECRET_ACCESS_KEY"] = server.DefaultAccount.RootCredentials.SecretAccessKey;
            start.Environment["AWS_REGION"] = BenchAccount.Region;
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var elapsed = watch.Elapsed.TotalSeconds;
            if (process.ExitCode is not (0 or 1))
                throw new InvalidOperationException($"{what} exited {process.ExitCode}: {await stderr}");
            var fields = (await File.ReadAllTextAsync(timeFile, cancellationToken)).Trim().Split('\n')[^1].Split(' ');
            return (long.Parse(fields[0], CultureInfo.InvariantCulture), elapsed, await stdout, process.ExitCode);
        }
        finally
        {
            File.Delete(timeFile);
        }
    }
}

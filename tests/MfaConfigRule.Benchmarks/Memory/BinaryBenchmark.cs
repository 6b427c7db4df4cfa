using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MfaConfigRule.Benchmarks.Scenario;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Benchmarks.Memory;

internal sealed record BinarySettings(string Binary, IReadOnlyList<int> Sizes, int Repeats, string? SampleReport);

/// <summary>Runs of the published binary under one set-up: peak resident memory, wall time, and whether its verdicts were right.</summary>
internal sealed record BinaryRuns(string Scenario, int Users, IReadOnlyList<double> PeakRssMb, IReadOnlyList<double> Seconds, string Verdicts);

/// <summary>
/// The Native AOT binary as a user runs it: <c>evaluate</c> against the double (default and <c>--live-only</c>) and
/// offline on a credential report, under <c>/usr/bin/time</c>, whose maximum resident set size is the process's VmHWM.
/// </summary>
internal static class BinaryBenchmark
{
    internal const string GnuTime = "/usr/bin/time";

    public static async Task<IReadOnlyList<BinaryRuns>> RunAsync(BinarySettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Binary)) throw new FileNotFoundException($"no binary at {settings.Binary}: publish it first (run.sh does)", settings.Binary);
        if (!File.Exists(GnuTime)) throw new FileNotFoundException($"{GnuTime} is missing: apt-get install -y time", GnuTime);
        var results = new List<BinaryRuns>();
        if (settings.SampleReport is { } sample)
            results.Add(await RunRepeatedAsync(settings, "offline, samples/credential-report.csv", CountRows(sample), ["evaluate", "--credential-report", sample], null, null, log, cancellationToken));

        foreach (var size in settings.Sizes)
        {
            var layout = new AccountLayout(PopulationKind.Realistic, size, TimeSpan.Zero, TimeSpan.Zero);
            await using var account = await BenchAccount.StartRealTimeAsync(layout, cancellationToken);
            var truth = Truth.Verdicts(account.Server.DefaultAccount.Users, RuleParameters.Default, account.Clock.GetUtcNow());
            var environment = account.ProcessEnvironment();
            results.Add(await RunRepeatedAsync(settings, "live, default", size, ["evaluate"], environment, truth, log, cancellationToken));
            results.Add(await RunRepeatedAsync(settings, "live, --live-only", size, ["evaluate", "--live-only"], environment, truth, log, cancellationToken));

            var report = Path.Combine(Path.GetTempPath(), $"mfa-bench-report-{size}.csv");
            await File.WriteAllTextAsync(report, account.Server.DefaultAccount.CredentialReportCsvNow(), cancellationToken);
            try
            {
                results.Add(await RunRepeatedAsync(settings, "offline, generated report", size, ["evaluate", "--credential-report", report], null, null, log, cancellationToken));
            }
            finally
            {
                File.Delete(report);
            }
        }
        return results;
    }

    private static int CountRows(string csvPath) => File.ReadLines(csvPath).Count(l => l.Length > 0) - 2;

    private static async Task<BinaryRuns> RunRepeatedAsync(
        BinarySettings settings, string scenario, int users, IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string>? environment, IReadOnlyDictionary<string, ComplianceType?>? truth,
        TextWriter log, CancellationToken cancellationToken)
    {
        var rss = new List<double>();
        var seconds = new List<double>();
        var verdicts = "–";
        for (var i = 0; i < settings.Repeats; i++)
        {
            var (peakKb, elapsed, stdout) = await RunOnceAsync(settings.Binary, [.. arguments, "--output", "json"], environment, cancellationToken);
            rss.Add(peakKb / 1024.0);
            seconds.Add(elapsed);
            verdicts = truth is null ? Summary(stdout) : Check(stdout, truth);
            log.WriteLine($"binary {scenario}, {users} users, run {i + 1}/{settings.Repeats}: {peakKb / 1024.0:0.0} MB peak, {elapsed:0.00} s, {verdicts}");
        }
        return new BinaryRuns(scenario, users, rss, seconds, verdicts);
    }

    /// <summary>One run under GNU time: peak resident set in KB, wall seconds, stdout. Exit 0 or 1 (NON_COMPLIANT found) is success.</summary>
    internal static async Task<(long PeakKb, double Seconds, string Stdout)> RunOnceAsync(
        string binary, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var timeFile = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo(GnuTime)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in (string[])["-o", timeFile, "-f", "%M %e", binary, .. arguments]) start.ArgumentList.Add(argument);
            // Only the double's endpoint and key: no profile, Region or Lambda variable of the caller's may leak in.
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(name);
            foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            // Exit 1 means NON_COMPLIANT users were found, which every population here has; 2 is an error.
            if (process.ExitCode is not (0 or 1))
                throw new InvalidOperationException($"{binary} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}");
            var fields = (await File.ReadAllTextAsync(timeFile, cancellationToken)).Trim().Split('\n')[^1].Split(' ');
            return (long.Parse(fields[0], CultureInfo.InvariantCulture), double.Parse(fields[1], CultureInfo.InvariantCulture), await stdout);
        }
        finally
        {
            File.Delete(timeFile);
        }
    }

    private static IEnumerable<string> Compliance(string stdout)
    {
        using var document = JsonDocument.Parse(stdout);
        return [.. document.RootElement.EnumerateArray().Select(row => row.GetProperty("compliance").GetString() ?? string.Empty)];
    }

    private static string Summary(string stdout) =>
        string.Join(", ", Compliance(stdout).GroupBy(c => c).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));

    /// <summary>The binary's verdict counts against IAM's state: "matches" or both summaries.</summary>
    private static string Check(string stdout, IReadOnlyDictionary<string, ComplianceType?> truth)
    {
        var expected = string.Join(", ", truth.Values.GroupBy(v => v?.ToWire() ?? Cli.AuditRow.InsufficientData).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
        var actual = Summary(stdout);
        return actual == expected ? $"matches IAM ({actual})" : $"DIFFERS: got {actual}, IAM says {expected}";
    }
}

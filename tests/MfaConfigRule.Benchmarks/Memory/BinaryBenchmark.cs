using System.Text.Json;
using MfaConfigRule.Benchmarks.Scenario;
using MfaConfigRule.Compliance;
using MfaConfigRule.TestSupport;

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
    public static async Task<IReadOnlyList<BinaryRuns>> RunAsync(BinarySettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Binary)) throw new FileNotFoundException($"no binary at {settings.Binary}: publish it first (run.sh does)", settings.Binary);
        if (!File.Exists(Tool.GnuTime)) throw new FileNotFoundException($"{Tool.GnuTime} is missing: apt-get install -y time", Tool.GnuTime);
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
            var measured = await RunOnceAsync(settings.Binary, [.. arguments, "--output", "json"], environment, $"binary {scenario}", cancellationToken);
            var (peakKb, elapsed, stdout) = (measured.PeakKb, measured.Seconds, measured.Run.Stdout);
            rss.Add(peakKb / 1024.0);
            seconds.Add(elapsed);
            verdicts = truth is null ? Summary(stdout) : Check(stdout, truth);
            log.WriteLine($"binary {scenario}, {users} users, run {i + 1}/{settings.Repeats}: {peakKb / 1024.0:0.0} MB peak, {elapsed:0.00} s, {verdicts}");
        }
        return new BinaryRuns(scenario, users, rss, seconds, verdicts);
    }

    /// <summary>
    /// One run of the binary under GNU time (<see cref="Tool.RunMeasuredAsync"/>), from the current directory (run.sh's
    /// relative paths), with exactly the given AWS variables: only the double's endpoint and key, no profile, Region or
    /// Lambda variable of the caller's. Exit 0 or 1 (NON_COMPLIANT found, which every population here has) is success;
    /// 2 is an error. The benchmarks' one runner: the binary, cost, Organization and report benchmarks all measure here.
    /// </summary>
    internal static async Task<MeasuredToolRun> RunOnceAsync(
        string binary, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, string what, CancellationToken cancellationToken)
    {
        var measured = await Tool.RunMeasuredAsync(binary, arguments, Timeout.InfiniteTimeSpan, environment ?? new Dictionary<string, string>(),
            workingDirectory: Environment.CurrentDirectory, exactAwsEnvironment: true, cancellationToken: cancellationToken);
        if (measured.Run.ExitCode is not (0 or 1))
            throw new InvalidOperationException($"{what} ({binary} {string.Join(' ', arguments)}) exited {measured.Run.ExitCode}: {measured.Run.Stderr}");
        return measured;
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

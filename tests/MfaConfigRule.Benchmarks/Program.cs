using System.Globalization;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using MfaConfigRule.Benchmarks.Cost;
using MfaConfigRule.Benchmarks.Memory;
using MfaConfigRule.Benchmarks.Sweeps;

namespace MfaConfigRule.Benchmarks;

/// <summary>
/// <c>sweeps</c>: API requests and wall time of a sweep per strategy against the local AWS double.
/// <c>binary</c>: peak memory and wall time of the published AOT binary. <c>micro</c>: BenchmarkDotNet on the pure hot paths.
/// Markdown goes to stdout, progress to stderr. run.sh runs all three.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage:
          MfaConfigRule.Benchmarks sweeps [--sizes 100,1000,5000] [--latencies 0,20] [--repeats 5]
          MfaConfigRule.Benchmarks binary --binary PATH [--sizes 1000,5000] [--repeats 3] [--sample-report PATH]
          MfaConfigRule.Benchmarks micro [BenchmarkDotNet options, e.g. --filter '*' --artifacts DIR]
          MfaConfigRule.Benchmarks cost --binary PATH [--users 1000] [--refresh-days 7] [--json]
          MfaConfigRule.Benchmarks org-cost --binary PATH [--accounts 50,200,1000] [--users 50] [--sample 40] [--change-percent 1] [--refresh-days 7] [--reruns 30] [--json]
          MfaConfigRule.Benchmarks org --binary PATH [--accounts 200] [--users 50] [--latency 30] [--parallel 16] [--repeats 1]
          MfaConfigRule.Benchmarks report --binary PATH [--accounts 200] [--users 50] [--latency 30] [--parallel 16] [--repeats 1]
          MfaConfigRule.Benchmarks org-trigger [--burst 200] [--instances 5] [--latency 20] [--repeats 3]
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var md = new Markdown(Console.Out);
        var json = args.Contains("--json", StringComparer.Ordinal);
        var options = Options(args.Skip(1).Where(a => a != "--json").ToArray());
        switch (args[0])
        {
            case "sweeps":
                {
                    var settings = new SweepSettings(Ints(options, "--sizes", "100,1000,5000"), Ints(options, "--latencies", "0,20"), Ints(options, "--repeats", "5")[0]);
                    var (counts, times) = await SweepBenchmark.RunAsync(settings, Console.Error, CancellationToken.None);
                    SweepReport.Write(md, counts, times);
                    return 0;
                }
            case "binary":
                {
                    var settings = new BinarySettings(
                        options.GetValueOrDefault("--binary") ?? throw new ArgumentException("--binary PATH is required"),
                        Ints(options, "--sizes", "1000,5000"), Ints(options, "--repeats", "3")[0], options.GetValueOrDefault("--sample-report"));
                    var runs = await BinaryBenchmark.RunAsync(settings, Console.Error, CancellationToken.None);
                    BinaryReport.Write(md, runs);
                    return 0;
                }
            case "cost":
                {
                    var settings = new CostSettings(
                        options.GetValueOrDefault("--binary") ?? throw new ArgumentException("--binary PATH is required"),
                        Ints(options, "--users", "1000")[0], Ints(options, "--refresh-days", "7")[0]);
                    var (measured, baseline) = await CostBenchmark.RunAsync(settings, Console.Error, CancellationToken.None);
                    CostReport.Write(md, measured, baseline);
                    // The last line, for scripts: the measured sweep, with the per-user approach of the same run beside it.
                    if (json)
                    {
                        var line = measured.ToJson();
                        line["baseline"] = baseline.ToJson();
                        Console.Out.WriteLine(line.ToJsonString());
                    }
                    return 0;
                }
            case "org-cost":
                {
                    var settings = new OrganizationCostSettings(
                        options.GetValueOrDefault("--binary") ?? throw new ArgumentException("--binary PATH is required"),
                        Ints(options, "--accounts", "50,200,1000"), Ints(options, "--users", "50")[0], Ints(options, "--sample", "40")[0],
                        double.Parse(options.GetValueOrDefault("--change-percent", "1"), CultureInfo.InvariantCulture),
                        Ints(options, "--refresh-days", "7")[0], Ints(options, "--reruns", "30")[0]);
                    var samples = await OrganizationCostBenchmark.RunAsync(settings, Console.Error, CancellationToken.None);
                    OrganizationCostReport.Write(md, settings, samples);
                    // The last line, for scripts: what the sample wrote and every Organization size priced.
                    if (json)
                    {
                        Console.Out.WriteLine(new JsonObject
                        {
                            ["changePercent"] = settings.ChangePercent,
                            ["refreshDays"] = settings.RefreshDays,
                            ["dailyRuns"] = OrganizationCostSettings.DailyRuns,
                            ["reRuns"] = settings.ReRuns,
                            ["samples"] = new JsonArray([.. samples.Select(s => (JsonNode)s.ToJson())]),
                            ["months"] = new JsonArray([.. OrganizationCostReport.Months(settings, samples).Select(m => (JsonNode)m.ToJson())]),
                        }.ToJsonString());
                    }
                    return 0;
                }
            case "org":
                {
                    var settings = new Organization.OrganizationSettings(
                        options.GetValueOrDefault("--binary") ?? throw new ArgumentException("--binary PATH is required"),
                        Ints(options, "--accounts", "200")[0], Ints(options, "--users", "50")[0], Ints(options, "--latency", "30")[0],
                        Ints(options, "--parallel", "16")[0], Ints(options, "--repeats", "1")[0]);
                    var runs = await Organization.OrganizationBenchmark.RunAsync(settings, Console.Error, CancellationToken.None);
                    Organization.OrganizationReport.Write(md, settings, runs);
                    return 0;
                }
            case "report":
                {
                    var settings = new Organization.ReportSettings(
                        options.GetValueOrDefault("--binary") ?? throw new ArgumentException("--binary PATH is required"),
                        Ints(options, "--accounts", "200")[0], Ints(options, "--users", "50")[0], Ints(options, "--latency", "30")[0],
                        Ints(options, "--parallel", "16")[0], Ints(options, "--repeats", "1")[0]);
                    var runs = await Organization.ReportBenchmark.RunAsync(settings, Console.Error, CancellationToken.None);
                    Organization.ReportBenchmark.Write(md, settings, runs);
                    return 0;
                }
            case "org-trigger":
                {
                    var settings = new Trigger.TriggerSettings(Ints(options, "--burst", "200")[0], Ints(options, "--instances", "5")[0],
                        Ints(options, "--latency", "20")[0], Ints(options, "--repeats", "3")[0]);
                    var runs = await Trigger.OrganizationTriggerBenchmark.RunAsync(settings, Console.Error, CancellationToken.None);
                    Trigger.OrganizationTriggerReport.Write(md, settings, runs);
                    return 0;
                }
            case "micro":
                // In-process: the generated-project toolchain would rebuild the solution under this repo's strict build
                // settings. The short job (one launch, 3 warm-ups) with 15 iterations instead of 3 keeps the whole run
                // to a minute or two while giving a usable error interval on noisy shared cores.
                var config = ManualConfig.Create(DefaultConfig.Instance)
                    .AddJob(Job.ShortRun.WithIterationCount(15).WithToolchain(InProcessEmitToolchain.Instance))
                    .AddDiagnoser(MemoryDiagnoser.Default);
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..], config);
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2) options[args[i]] = args[i + 1];
        return options;
    }

    private static List<int> Ints(Dictionary<string, string> options, string name, string fallback) =>
        [.. options.GetValueOrDefault(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
}

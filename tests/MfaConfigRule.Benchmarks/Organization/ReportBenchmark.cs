using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AwsDouble;
using AwsDouble.Config;
using AwsDouble.Faults;
using AwsDouble.Hosting;
using AwsDouble.Iam;
using MfaConfigRule.Aws;
using MfaConfigRule.Benchmarks.Memory;
using MfaConfigRule.Benchmarks.Scenario;

namespace MfaConfigRule.Benchmarks.Organization;

internal sealed record ReportSettings(string Binary, int Accounts, int UsersPerAccount, int LatencyMs, int MaxParallelAccounts, int Repeats);

internal sealed record ReportRun(double Seconds, double PeakRssMb, int Requests, int Rows, string Verdicts);

/// <summary>
/// <c>report --aggregator</c> run by the published binary against one double holding a management account (the
/// aggregator's) and members with the rule's results (alternately NON_COMPLIANT and COMPLIANT), every request delayed by
/// <see cref="ReportSettings.LatencyMs"/>: wall time, peak memory, requests, and every row checked against what was seeded.
/// </summary>
internal static class ReportBenchmark
{
    private const string Rule = "mfa-enabled-for-iam-console-users";

    public static async Task<IReadOnlyList<ReportRun>> RunAsync(ReportSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Binary)) throw new FileNotFoundException($"no binary at {settings.Binary}: publish it first (run.sh does)", settings.Binary);
        await using var server = await AwsDoubleServer.StartAsync(new AwsDoubleOptions { EnableControlEndpoint = false, Clock = DoubleClock.FollowingRealTime() }, cancellationToken);
        var hub = server.DefaultAccount;
        var organization = server.State.CreateOrganization(hub);
        var accounts = new List<DoubleAccount> { hub };
        for (var i = 1; i < settings.Accounts; i++)
        {
            var member = server.State.AddAccount(string.Create(CultureInfo.InvariantCulture, $"{200000000000 + i}"));
            organization.Join(member);
            accounts.Add(member);
        }
        var truth = new Dictionary<string, string>(StringComparer.Ordinal);
        var now = server.Clock.GetUtcNow();
        foreach (var account in accounts)
        {
            var users = account.SeedUsers(Enumerable.Range(0, settings.UsersPerAccount).Select(i => new UserSeed(string.Create(CultureInfo.InvariantCulture, $"user-{i:D3}"))));
            var config = account.Config(BenchAccount.Region);
            config.PutCustomLambdaRule(Rule);
            config.SeedResults(Rule, users.Select((u, i) =>
            {
                var verdict = i % 2 == 0 ? "NON_COMPLIANT" : "COMPLIANT";
                truth[$"{account.AccountId}/{u.UserName}"] = verdict;
                return new StoredEvaluation(Rule, "AWS::IAM::User", u.UserId, verdict, "seeded", now.AddHours(-1), now.AddHours(-1), now.AddHours(-1));
            }));
        }
        hub.AddConfigurationAggregator(BenchAccount.Region, "org");
        log.WriteLine($"report: {accounts.Count} accounts x {settings.UsersPerAccount} users, {settings.LatencyMs} ms a request");

        var runs = new List<ReportRun>();
        for (var repeat = 0; repeat < settings.Repeats; repeat++)
        {
            using var latency = server.Faults.Inject(null, null, Fault.Latency(TimeSpan.FromMilliseconds(settings.LatencyMs)), FaultSchedule.UntilCleared());
            var measured = await BinaryBenchmark.RunOnceAsync(settings.Binary, ["report", "--aggregator", "org",
                "--max-parallel-accounts", settings.MaxParallelAccounts.ToString(CultureInfo.InvariantCulture), "--output", "json"], BenchAccount.ProcessEnvironment(server), "report", cancellationToken);
            // Wall time seen from here, process start to exit, as this benchmark has always reported it.
            var (peakKb, seconds, stdout, exitCode) = (measured.PeakKb, measured.Wall.TotalSeconds, measured.Run.Stdout, measured.Run.ExitCode);
            var (rows, verdicts) = Check(stdout, truth, exitCode);
            runs.Add(new ReportRun(seconds, peakKb / 1024.0, latency.TimesFired, rows, verdicts));
            log.WriteLine($"run {repeat + 1}/{settings.Repeats}: {seconds:0.0} s, {peakKb / 1024.0:0.0} MB peak, {latency.TimesFired} requests, {verdicts}");
        }
        return runs;
    }

    private static (int Rows, string Verdicts) Check(string stdout, IReadOnlyDictionary<string, string> truth, int exitCode)
    {
        using var document = JsonDocument.Parse(stdout);
        var got = document.RootElement.GetProperty("users").EnumerateArray().ToDictionary(
            r => $"{r.GetProperty("accountId").GetString()}/{r.GetProperty("user").GetString()}",
            r => r.GetProperty("verdict").GetString() ?? string.Empty, StringComparer.Ordinal);
        var wrong = truth.Count(t => !got.TryGetValue(t.Key, out var verdict) || verdict != t.Value) + got.Keys.Count(k => !truth.ContainsKey(k));
        var counts = string.Join(", ", got.Values.GroupBy(v => v).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
        return (got.Count, wrong == 0 ? $"exit {exitCode}, all {got.Count} as seeded ({counts})" : $"exit {exitCode}, {wrong} DIFFER from the seeded results ({counts})");
    }

    public static void Write(Markdown md, ReportSettings settings, IReadOnlyList<ReportRun> runs)
    {
        md.Heading($"Organization report from the aggregator: {settings.Accounts} accounts x {settings.UsersPerAccount} users, {settings.LatencyMs} ms per request, {settings.MaxParallelAccounts} accounts at a time");
        md.Table(["run", "wall time (s)", "peak RSS (MB)", "requests", "rows", "verdicts"],
            runs.Select((r, i) => (IReadOnlyList<string>)[
                (i + 1).ToString(CultureInfo.InvariantCulture), Markdown.Number(r.Seconds, "0.0"), Markdown.Number(r.PeakRssMb, "0.0"),
                Markdown.Count(r.Requests), Markdown.Count(r.Rows), r.Verdicts]));
    }
}

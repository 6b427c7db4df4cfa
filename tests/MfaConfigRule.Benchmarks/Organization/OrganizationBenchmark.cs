using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AwsDouble;
using AwsDouble.Faults;
using AwsDouble.Hosting;
using AwsDouble.Iam;
using MfaConfigRule.Aws;
using MfaConfigRule.Benchmarks.Memory;
using MfaConfigRule.Benchmarks.Scenario;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Benchmarks.Organization;

internal sealed record OrganizationSettings(string Binary, int Accounts, int UsersPerAccount, int LatencyMs, int MaxParallelAccounts, int Repeats);

internal sealed record OrganizationRun(double Seconds, double PeakRssMb, int Requests, int Rows, string Verdicts);

/// <summary>
/// The CLI's Organization audit (<c>evaluate --assume-role NAME --organization</c>) run by the published binary against
/// one double holding a management account and <see cref="OrganizationSettings.Accounts"/> members of a realistic
/// population each, every request delayed by <see cref="OrganizationSettings.LatencyMs"/>: wall time, peak memory,
/// requests (every one the double served, AssumeRole and ListAccounts included), and the verdicts checked against IAM.
/// </summary>
internal static class OrganizationBenchmark
{
    private const string RoleName = "MfaAuditor";

    public static async Task<IReadOnlyList<OrganizationRun>> RunAsync(OrganizationSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Binary)) throw new FileNotFoundException($"no binary at {settings.Binary}: publish it first (run.sh does)", settings.Binary);
        await using var server = await AwsDoubleServer.StartAsync(new AwsDoubleOptions
        {
            EnableControlEndpoint = false,
            Clock = DoubleClock.FollowingRealTime(),
            CredentialReport = CredentialReportTiming.Default with { GenerationDelay = TimeSpan.Zero },
            CloudTrailLag = TimeSpan.Zero,
        }, cancellationToken);
        var hub = server.DefaultAccount;
        var organization = server.State.CreateOrganization(hub);
        var trust = $$$"""{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{hub.AccountId}}}:root"},"Action":"sts:AssumeRole"}]}""";
        var accounts = new List<DoubleAccount> { hub };
        for (var i = 1; i < settings.Accounts; i++)
        {
            var member = server.State.AddAccount(string.Create(CultureInfo.InvariantCulture, $"{200000000000 + i}"));
            organization.Join(member);
            accounts.Add(member);
        }
        foreach (var account in accounts)
        {
            account.AddRole(RoleName, trust);
            account.SeedUsers(Mixes.Users(PopulationKind.Realistic, settings.UsersPerAccount, server.Clock.GetUtcNow()));
        }
        log.WriteLine($"organization: {accounts.Count} accounts x {settings.UsersPerAccount} users, {settings.LatencyMs} ms a request");

        var runs = new List<OrganizationRun>();
        for (var repeat = 0; repeat < settings.Repeats; repeat++)
        {
            using var latency = server.Faults.Inject(null, null, Fault.Latency(TimeSpan.FromMilliseconds(settings.LatencyMs)), FaultSchedule.UntilCleared());
            var measured = await BinaryBenchmark.RunOnceAsync(settings.Binary, ["evaluate", "--assume-role", RoleName, "--organization",
                "--max-parallel-accounts", settings.MaxParallelAccounts.ToString(CultureInfo.InvariantCulture), "--output", "json"], BenchAccount.ProcessEnvironment(server), "the Organization audit", cancellationToken);
            // Wall time seen from here, process start to exit, as this benchmark has always reported it.
            var (peakKb, seconds, stdout, exitCode) = (measured.PeakKb, measured.Wall.TotalSeconds, measured.Run.Stdout, measured.Run.ExitCode);
            var truth = accounts.SelectMany(a => Truth.Verdicts(a.Users, RuleParameters.Default, server.Clock.GetUtcNow())
                .Select(t => (Key: $"{a.AccountId}/{t.Key}", Verdict: t.Value?.ToWire() ?? Cli.AuditRow.InsufficientData)))
                .ToDictionary(t => t.Key, t => t.Verdict, StringComparer.OrdinalIgnoreCase);
            var (rows, verdicts) = Check(stdout, truth, exitCode);
            runs.Add(new OrganizationRun(seconds, peakKb / 1024.0, latency.TimesFired, rows, verdicts));
            log.WriteLine($"run {repeat + 1}/{settings.Repeats}: {seconds:0.0} s, {peakKb / 1024.0:0.0} MB peak, {latency.TimesFired} requests, {verdicts}");
        }
        return runs;
    }

    private static (int Rows, string Verdicts) Check(string stdout, IReadOnlyDictionary<string, string> truth, int exitCode)
    {
        using var document = JsonDocument.Parse(stdout);
        var got = document.RootElement.EnumerateArray().ToDictionary(
            r => $"{r.GetProperty("account").GetString()}/{r.GetProperty("user").GetString()}",
            r => r.GetProperty("compliance").GetString() ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        var wrong = truth.Count(t => !got.TryGetValue(t.Key, out var verdict) || verdict != t.Value) + got.Keys.Count(k => !truth.ContainsKey(k));
        var counts = string.Join(", ", got.Values.GroupBy(v => v).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
        return (got.Count, wrong == 0 ? $"exit {exitCode}, all {got.Count} match IAM ({counts})" : $"exit {exitCode}, {wrong} DIFFER from IAM ({counts})");
    }
}

internal static class OrganizationReport
{
    public static void Write(Markdown md, OrganizationSettings settings, IReadOnlyList<OrganizationRun> runs)
    {
        md.Heading($"Organization audit: {settings.Accounts} accounts x {settings.UsersPerAccount} users, {settings.LatencyMs} ms per request, {settings.MaxParallelAccounts} accounts at a time");
        md.Table(["run", "wall time (s)", "peak RSS (MB)", "requests", "rows", "verdicts"],
            runs.Select((r, i) => (IReadOnlyList<string>)[
                (i + 1).ToString(CultureInfo.InvariantCulture), Markdown.Number(r.Seconds, "0.0"), Markdown.Number(r.PeakRssMb, "0.0"),
                Markdown.Count(r.Requests), Markdown.Count(r.Rows), r.Verdicts]));
    }
}

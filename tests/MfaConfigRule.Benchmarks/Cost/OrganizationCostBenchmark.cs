using System.Globalization;
using System.Text.Json.Nodes;
using MfaConfigRule.Benchmarks.Memory;
using MfaConfigRule.Benchmarks.Scenario;
using MfaConfigRule.Compliance;
using MfaConfigRule.TestSupport;

namespace MfaConfigRule.Benchmarks.Cost;

/// <param name="Accounts">Organization sizes to price, in accounts.</param>
/// <param name="Users">IAM users in every account.</param>
/// <param name="SampleAccounts">Accounts actually swept by the binary per strategy; their mean is each account's month.</param>
/// <param name="ChangePercent">Users whose verdict changes a day, in percent of all users (spread over the sample's accounts).</param>
/// <param name="ReRuns">Triggered re-runs a month in every account (near-real-time re-evaluation), each after one change.</param>
internal sealed record OrganizationCostSettings(string Binary, IReadOnlyList<int> Accounts, int Users, int SampleAccounts, double ChangePercent, int RefreshDays, int ReRuns)
{
    public const int DailyRuns = 30;

    /// <summary>Users changed in sample account <paramref name="index"/> a day: the sample's total, spread evenly.</summary>
    public int ChangesIn(int index)
    {
        var total = Math.Round(SampleAccounts * Users * ChangePercent / 100);
        return (int)(Math.Floor((index + 1) * total / SampleAccounts) - Math.Floor(index * total / SampleAccounts));
    }
}

/// <summary>What the sample's accounts wrote, measured, in one strategy: the steady daily sweep and a triggered re-run.</summary>
internal sealed record SampleWrites(string Strategy, int Accounts, int UsersPerAccount, int Changed, int DailyWritten, int ReRunWritten, int Stale)
{
    public double DailyPerAccount => (double)DailyWritten / Accounts;
    public double ReRunPerAccount => (double)ReRunWritten / Accounts;

    /// <summary>One account's month: 30 daily sweeps and <paramref name="reRuns"/> re-runs at the measured means.</summary>
    public double MonthPerAccount(int reRuns) => OrganizationCostSettings.DailyRuns * DailyPerAccount + reRuns * ReRunPerAccount;

    public JsonObject ToJson() => new()
    {
        ["strategy"] = Strategy,
        ["accounts"] = Accounts,
        ["usersPerAccount"] = UsersPerAccount,
        ["changedUsers"] = Changed,
        ["dailyWritten"] = DailyWritten,
        ["reRunWritten"] = ReRunWritten,
        ["stale"] = Stale,
    };
}

/// <summary>
/// Config evaluations a month for an Organization of N accounts × M users, by default and with ReportChangesOnly, from
/// sweeps the published binary actually ran: a sample of accounts (each its own double, its own user IDs, so its own
/// refresh days), swept once (Config holds nothing), its results aged one day (yesterday's run), the day's changes made
/// through the IAM API, swept again (the steady daily sweep, measured), then one more user changed and swept again (a
/// triggered re-run, measured). An account's month is 30 daily sweeps and the re-runs at the sample's means; the
/// Organization's is that times its accounts, priced on Config's tiers pooled across consolidated billing.
/// </summary>
/// <remarks>
/// The binary runs as <c>invoke --event</c> with the account's credentials: the same rule handler, reporter and
/// parameters the central function runs in each member after assuming its role (the Organization end-to-end tests
/// check ReportChangesOnly per member through the central function itself), without the Lambda runtime around it.
/// </remarks>
internal static class OrganizationCostBenchmark
{
    public static async Task<IReadOnlyList<SampleWrites>> RunAsync(OrganizationCostSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Binary)) throw new FileNotFoundException($"no binary at {settings.Binary}: publish it first (run.sh does)", settings.Binary);
        if (!File.Exists(Tool.GnuTime)) throw new FileNotFoundException($"{Tool.GnuTime} is missing: apt-get install -y time");
        return
        [
            await SampleAsync(settings, reportChangesOnly: false, log, cancellationToken),
            await SampleAsync(settings, reportChangesOnly: true, log, cancellationToken),
        ];
    }

    private static async Task<SampleWrites> SampleAsync(OrganizationCostSettings settings, bool reportChangesOnly, TextWriter log, CancellationToken cancellationToken)
    {
        var strategy = reportChangesOnly ? $"ReportChangesOnly, RefreshDays {settings.RefreshDays}" : "default (an evaluation per user per run)";
        var parameters = new JsonObject();
        if (reportChangesOnly)
        {
            parameters[RuleParameters.ReportChangesOnlyKey] = "true";
            parameters[RuleParameters.RefreshDaysKey] = settings.RefreshDays.ToString(CultureInfo.InvariantCulture);
        }
        var layout = new AccountLayout(PopulationKind.Realistic, settings.Users, TimeSpan.Zero, TimeSpan.Zero);
        var (changed, daily, reRun, stale) = (0, 0, 0, 0);
        var userIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < settings.SampleAccounts; i++)
        {
            await using var account = await BenchAccount.StartRealTimeAsync(layout, cancellationToken, applyChanges: false, randomSeed: 1000 + i);
            userIds.UnionWith(account.Server.DefaultAccount.Users.Select(u => u.UserId));
            var config = account.Server.DefaultAccount.Config(BenchAccount.Region);
            config.PutCustomLambdaRule(CostBenchmark.RuleName);
            await CostBenchmark.SweepAsync(settings.Binary, account, config, parameters, cancellationToken);

            config.AgeResults(CostBenchmark.RuleName, TimeSpan.FromDays(1));
            changed += (await account.ChangeUsersAsync(cancellationToken, settings.ChangesIn(i))).Count;
            daily += (await CostBenchmark.SweepAsync(settings.Binary, account, config, parameters, cancellationToken)).Written;

            changed += (await account.ChangeUsersAsync(cancellationToken, 1)).Count;
            reRun += (await CostBenchmark.SweepAsync(settings.Binary, account, config, parameters, cancellationToken)).Written;

            var truth = Truth.Verdicts(account.Server.DefaultAccount.Users, RuleParameters.Default, account.Clock.GetUtcNow());
            var idByName = account.Server.DefaultAccount.Users.ToDictionary(u => u.UserName, u => u.UserId, StringComparer.OrdinalIgnoreCase);
            var held = config.Results(CostBenchmark.RuleName).ToDictionary(r => r.ResourceId, r => r.ComplianceType, StringComparer.Ordinal);
            stale += truth.Count(t => !held.TryGetValue(idByName[t.Key], out var stored) || stored != t.Value?.ToWire());
        }
        if (userIds.Count != settings.SampleAccounts * settings.Users)
            throw new InvalidOperationException($"the sample's accounts share user IDs ({userIds.Count} distinct of {settings.SampleAccounts * settings.Users}): their refresh days would not be independent");
        var writes = new SampleWrites(strategy, settings.SampleAccounts, settings.Users, changed, daily, reRun, stale);
        log.WriteLine($"org-cost {strategy}: {settings.SampleAccounts} accounts × {settings.Users} users, {changed} changed: "
            + $"daily sweeps wrote {daily} ({writes.DailyPerAccount:0.00} an account), re-runs {reRun} ({writes.ReRunPerAccount:0.00}), {stale} stale");
        return writes;
    }
}

/// <summary>Config's rule-evaluation price, tiered on a month's evaluations across an Organization's consolidated bill.</summary>
internal static class ConfigPricing
{
    /// <summary>$0.001 each for the first 100,000 a month, $0.0008 for the next 400,000, then <paramref name="thirdTier"/> (as last published $0.0005, [UNCERTAIN]).</summary>
    public static decimal Monthly(long evaluations, decimal thirdTier = 0.0005m)
    {
        var first = Math.Min(evaluations, 100_000);
        var second = Math.Clamp(evaluations - 100_000, 0, 400_000);
        var rest = Math.Max(evaluations - 500_000, 0);
        return first * 0.001m + second * 0.0008m + rest * thirdTier;
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using AwsDouble.Config;
using AwsDouble.Protocol;
using MfaConfigRule.Benchmarks.Memory;
using MfaConfigRule.Benchmarks.Scenario;
using MfaConfigRule.Compliance;
using MfaConfigRule.TestSupport;

namespace MfaConfigRule.Benchmarks.Cost;

internal sealed record CostSettings(string Binary, int Users, int RefreshDays);

/// <summary>One steady-state sweep of the published binary: what it cost and whether Config then held IAM's truth.</summary>
internal sealed record SweepCost(
    int Users,
    string Strategy,
    double WallSeconds,
    int IamCalls,
    int CloudTrailCalls,
    int ConfigCalls,
    int EvaluationsWritten,
    double PeakMemoryMb,
    int Stale,
    int ChangedUsers)
{
    public JsonObject ToJson() => new()
    {
        ["users"] = Users,
        ["strategy"] = Strategy,
        ["wallSeconds"] = Math.Round(WallSeconds, 3),
        ["iamCalls"] = IamCalls,
        ["cloudTrailCalls"] = CloudTrailCalls,
        ["configCalls"] = ConfigCalls,
        ["evaluationsWritten"] = EvaluationsWritten,
        ["peakMemoryMb"] = Math.Round(PeakMemoryMb, 1),
        ["stale"] = Stale,
        ["changedUsers"] = ChangedUsers,
    };
}

/// <summary>
/// Evaluations written by a steady-state daily sweep, with ReportChangesOnly and without (the per-user approach: one
/// evaluation per user per run), each on its own fresh account of the same population, in the same run:
/// a first sweep (Config holds nothing), then Config's results are aged one day (yesterday's run), about 1% of users are
/// changed through the IAM API, and the measured sweep runs. The AOT binary runs as <c>invoke --event</c> under GNU time;
/// the double counts its requests and the evaluations Config stored.
/// </summary>
internal static class CostBenchmark
{
    internal const string RuleName = "mfa-enabled-for-iam-console-users";

    public static async Task<(SweepCost Measured, SweepCost Baseline)> RunAsync(CostSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Binary)) throw new FileNotFoundException($"no binary at {settings.Binary}: publish it first (run.sh does)", settings.Binary);
        if (!File.Exists(Tool.GnuTime)) throw new FileNotFoundException($"{Tool.GnuTime} is missing: apt-get install -y time");
        var measured = await MeasureAsync(settings, reportChangesOnly: true, log, cancellationToken);
        var baseline = await MeasureAsync(settings, reportChangesOnly: false, log, cancellationToken);
        return (measured, baseline);
    }

    private static async Task<SweepCost> MeasureAsync(CostSettings settings, bool reportChangesOnly, TextWriter log, CancellationToken cancellationToken)
    {
        var strategy = reportChangesOnly
            ? $"rule, ReportChangesOnly=true RefreshDays={settings.RefreshDays}"
            : "rule default (an evaluation per user per run)";
        var layout = new AccountLayout(PopulationKind.Realistic, settings.Users, TimeSpan.Zero, TimeSpan.Zero);
        await using var account = await BenchAccount.StartRealTimeAsync(layout, cancellationToken, applyChanges: false);
        var config = account.Server.DefaultAccount.Config(BenchAccount.Region);
        config.PutCustomLambdaRule(RuleName);
        var parameters = new JsonObject();
        if (reportChangesOnly)
        {
            parameters[RuleParameters.ReportChangesOnlyKey] = "true";
            parameters[RuleParameters.RefreshDaysKey] = settings.RefreshDays.ToString(CultureInfo.InvariantCulture);
        }

        var first = await SweepAsync(settings.Binary, account, config, parameters, cancellationToken);
        log.WriteLine($"cost {strategy}, {settings.Users} users: first sweep wrote {first.Written} evaluations");

        config.AgeResults(RuleName, TimeSpan.FromDays(1));
        var changes = await account.ChangeUsersAsync(cancellationToken);
        var steady = await SweepAsync(settings.Binary, account, config, parameters, cancellationToken);

        var truth = Truth.Verdicts(account.Server.DefaultAccount.Users, RuleParameters.Default, account.Clock.GetUtcNow());
        var idByName = account.Server.DefaultAccount.Users.ToDictionary(u => u.UserName, u => u.UserId, StringComparer.OrdinalIgnoreCase);
        var held = config.Results(RuleName).ToDictionary(r => r.ResourceId, r => r.ComplianceType, StringComparer.Ordinal);
        var stale = truth.Count(t => !held.TryGetValue(idByName[t.Key], out var stored) || stored != t.Value?.ToWire());

        var cost = new SweepCost(settings.Users, strategy, steady.Seconds,
            steady.Requests.GetValueOrDefault(AwsServiceNames.Iam), steady.Requests.GetValueOrDefault(AwsServiceNames.CloudTrail),
            steady.Requests.GetValueOrDefault(AwsServiceNames.Config), steady.Written, steady.PeakKb / 1024.0, stale, changes.Count);
        log.WriteLine($"cost {strategy}, {settings.Users} users, {changes.Count} changed: steady sweep wrote {cost.EvaluationsWritten}, "
            + $"{cost.IamCalls} IAM + {cost.CloudTrailCalls} CloudTrail + {cost.ConfigCalls} Config calls, {cost.WallSeconds:0.00} s, {cost.PeakMemoryMb:0.0} MB, {stale} stale");
        return cost;
    }

    /// <summary>One scheduled sweep of the account by the AOT binary (<c>invoke --event</c> under GNU time): evaluations Config stored, requests by service, wall time, peak RSS.</summary>
    internal static async Task<(int Written, Dictionary<string, int> Requests, double Seconds, long PeakKb)> SweepAsync(
        string binary, BenchAccount account, ConfigRegion config, JsonObject parameters, CancellationToken cancellationToken)
    {
        var eventFile = Path.Combine(Path.GetTempPath(), $"mfa-cost-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(eventFile, ScheduledEvent(account, config.IssueResultToken(RuleName), parameters), cancellationToken);
        try
        {
            var writtenBefore = config.EvaluationsWritten(RuleName);
            account.Server.State.Requests.Clear();
            var measured = await BinaryBenchmark.RunOnceAsync(binary, ["invoke", "--event", eventFile, "--output", "json"], account.ProcessEnvironment(), "the scheduled sweep", cancellationToken);
            var (peakKb, seconds) = (measured.PeakKb, measured.Seconds);
            var requests = new[] { AwsServiceNames.Iam, AwsServiceNames.CloudTrail, AwsServiceNames.Config }
                .ToDictionary(s => s, s => account.Server.State.Requests.Of(s), StringComparer.Ordinal);
            return (config.EvaluationsWritten(RuleName) - writtenBefore, requests, seconds, peakKb);
        }
        finally
        {
            File.Delete(eventFile);
        }
    }

    /// <summary>A ScheduledNotification as Config sends it (samples/events/scheduled.json), for this account, now.</summary>
    private static string ScheduledEvent(BenchAccount account, string resultToken, JsonObject parameters)
    {
        var accountId = account.Server.DefaultAccount.AccountId;
        var invoking = new JsonObject
        {
            ["awsAccountId"] = accountId,
            ["notificationCreationTime"] = account.Clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["messageType"] = "ScheduledNotification",
            ["recordVersion"] = "1.0",
        };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["invokingEvent"] = invoking.ToJsonString(),
            ["ruleParameters"] = parameters.ToJsonString(),
            ["resultToken"] = resultToken,
            ["eventLeftScope"] = false,
            ["executionRoleArn"] = $"arn:aws:iam::{accountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
            ["configRuleArn"] = $"arn:aws:config:{BenchAccount.Region}:{accountId}:config-rule/config-rule-cost01",
            ["configRuleName"] = RuleName,
            ["configRuleId"] = "config-rule-cost01",
            ["accountId"] = accountId,
            ["evaluationMode"] = "DETECTIVE",
        }.ToJsonString();
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using AwsDouble;
using AwsDouble.Faults;
using AwsDouble.Hosting;
using AwsDouble.Iam;
using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using MfaConfigRule.Contract;
using MfaConfigRule.Hosting;
using MfaConfigRule.Organization;
using MfaConfigRule.Trigger;

namespace MfaConfigRule.Benchmarks.Trigger;

internal sealed record TriggerSettings(int Burst, int Instances, int LatencyMs, int Repeats);

internal sealed record TriggerRun(double BStartSeconds, int BurstStarts, int FirstPassRecords, int Resent, double FirstPassSeconds, int Requests, string RequestsByOperation);

/// <summary>
/// The Organization's central trigger under a burst: member A's <see cref="TriggerSettings.Burst"/> IAM events with
/// member B's one event among them, handed in batches of ten to <see cref="TriggerSettings.Instances"/> function
/// instances side by side (the event source mapping's MaximumConcurrency), each with its own memory of starts, every
/// request to the double delayed by <see cref="TriggerSettings.LatencyMs"/>. In process (the same MemberTrigger the
/// binary runs, against the double), so the double's clock can be advanced past Config's one-start-a-minute limit and
/// the delays of re-sent messages. Measured: how long after the burst was first delivered B's start reached Config, and
/// how many starts A's burst cost.
/// </summary>
internal static class OrganizationTriggerBenchmark
{
    private const string Region = "eu-west-1";
    private const string RuleName = "mfa-enabled-for-iam-console-users";
    private const string RoleName = "MfaRuleMember";
    private const int BatchSize = 10;

    public static async Task<IReadOnlyList<TriggerRun>> RunAsync(TriggerSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        var runs = new List<TriggerRun>();
        for (var repeat = 0; repeat < settings.Repeats; repeat++)
        {
            runs.Add(await RunOnceAsync(settings, cancellationToken));
            var r = runs[^1];
            log.WriteLine($"trigger run {repeat + 1}/{settings.Repeats}: B started {r.BStartSeconds:0.00} s after delivery; A's burst: {r.BurstStarts} starts, {r.Requests} requests");
        }
        return runs;
    }

    private static async Task<TriggerRun> RunOnceAsync(TriggerSettings settings, CancellationToken cancellationToken)
    {
        await using var server = await AwsDoubleServer.StartAsync(new AwsDoubleOptions
        {
            EnableControlEndpoint = false,
            Clock = DoubleClock.FollowingRealTime(),
            CloudTrailLag = TimeSpan.Zero,
        }, cancellationToken);
        var hub = server.DefaultAccount;
        var organization = server.State.CreateOrganization(hub);
        var trust = $$$"""{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{hub.AccountId}}}:root"},"Action":"sts:AssumeRole"}]}""";
        var (a, b) = (server.State.AddAccount("222222222222"), server.State.AddAccount("333333333333"));
        foreach (var member in new[] { a, b })
        {
            organization.Join(member);
            member.AddRole(RoleName, trust);
            member.Config(Region).PutCustomLambdaRule(RuleName);
            member.SeedUsers([new UserSeed("alice")]);
        }
        var queue = hub.Sqs(Region).CreateQueue("mfa-rule-trigger");
        using var latency = server.Faults.Inject(null, null, Fault.Latency(TimeSpan.FromMilliseconds(settings.LatencyMs)), FaultSchedule.UntilCleared());

        var environment = new FixedEnvironment(server.BaseUrl.ToString().TrimEnd('/'));
        var template = new AwsClientOptions { Region = Region, Environment = environment, TimeProvider = TimeProvider.System };
        using var hubClients = AwsClients.Create(template with { Credentials = new BasicAWSCredentials(hub.RootCredentials.AccessKeyId, hub.RootCredentials.SecretAccessKey) });
        var instances = Enumerable.Range(0, settings.Instances).Select(_ =>
        {
            var members = new MemberClientFactory(hubClients, new MemberRole(RoleName, null), template);
            return (Members: members, Trigger: new MemberTrigger(members, new AllowedAccounts(new HashSet<string>(["222222222222", "333333333333"], StringComparer.Ordinal)),
                SqsClient.Over(hubClients), new MemberTriggerSettings(RuleName, Region, queue.UrlUnder(server.BaseUrl), new TriggerOptions()), server.Clock));
        }).ToList();

        var now = server.Clock.GetUtcNow();
        var bodies = Enumerable.Range(0, settings.Burst).Select(i => Event(a.AccountId, $"burst-{i}", now.AddSeconds(-1))).ToList();
        bodies.Insert(settings.Burst * 3 / 4, Event(b.AccountId, "b-1", now.AddSeconds(-1)));
        var records = new ConcurrentQueue<QueueRecord>(bodies.Select(body => new QueueRecord(Guid.NewGuid().ToString(), body)));
        var deliveredAt = server.Clock.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        await DrainAsync(instances.Select(i => i.Trigger).ToList(), records, cancellationToken);
        var firstPass = stopwatch.Elapsed.TotalSeconds;
        var bStart = b.Config(Region).Starts().Single().At - deliveredAt;

        // Config accepts the next start a minute after the first: the re-sent records come back then.
        var resent = 0;
        while (queue.Waiting.Count > 0)
        {
            server.Clock.Advance(TimeSpan.FromSeconds(61));
            var visible = queue.TakeVisible(server.Clock.GetUtcNow(), int.MaxValue);
            resent += visible.Count;
            await DrainAsync(instances.Select(i => i.Trigger).ToList(), new ConcurrentQueue<QueueRecord>(visible.Select(m => new QueueRecord(m.MessageId, m.Body))), cancellationToken);
        }
        foreach (var instance in instances) instance.Members.Dispose();
        var byOperation = server.State.Requests.Snapshot().Where(p => !p.Key.StartsWith("organizations:", StringComparison.Ordinal))
            .Select(p => $"{p.Key} {p.Value}");
        return new TriggerRun(bStart.TotalSeconds, a.Config(Region).Starts().Count, bodies.Count, resent, firstPass, latency.TimesFired, string.Join(", ", byOperation));
    }

    /// <summary>Each instance takes batches of ten until none are left, as Lambda's pollers hand them out.</summary>
    private static Task DrainAsync(IReadOnlyList<MemberTrigger> instances, ConcurrentQueue<QueueRecord> records, CancellationToken cancellationToken) =>
        Task.WhenAll(instances.Select(async trigger =>
        {
            while (true)
            {
                var batch = new List<QueueRecord>(BatchSize);
                while (batch.Count < BatchSize && records.TryDequeue(out var record)) batch.Add(record);
                if (batch.Count == 0) return;
                var outcomes = await trigger.HandleBatchAsync(batch, cancellationToken);
                if (outcomes.FirstOrDefault(o => o.Failed) is { } failed) throw new InvalidOperationException($"a record failed: {failed.Action}");
            }
        }));

    private static string Event(string accountId, string eventId, DateTimeOffset at) => new JsonObject
    {
        ["version"] = "0",
        ["detail-type"] = "AWS API Call via CloudTrail",
        ["source"] = "aws.iam",
        ["account"] = accountId,
        ["region"] = "us-east-1",
        ["detail"] = new JsonObject
        {
            ["eventTime"] = at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["eventSource"] = "iam.amazonaws.com",
            ["eventName"] = "TagUser",
            ["eventID"] = eventId,
            ["requestParameters"] = new JsonObject { ["userName"] = "alice" },
        },
    }.ToJsonString();

    private sealed class FixedEnvironment(string endpoint) : IEnvironmentVariables
    {
        public string? Get(string name) => name == AwsEndpoints.EndpointUrlVariable ? endpoint : null;

        public void Set(string name, string? value) => throw new NotSupportedException();
    }
}

internal static class OrganizationTriggerReport
{
    public static void Write(Markdown md, TriggerSettings settings, IReadOnlyList<TriggerRun> runs)
    {
        md.Heading($"Organization trigger: member A bursts {settings.Burst} IAM events, member B has one among them; {settings.Instances} instances, {settings.LatencyMs} ms per request");
        md.Table(["run", "B: delivery to StartConfigRulesEvaluation (s)", "A: starts for the burst", "first pass (s)", "records re-sent", "requests", "by operation"],
            runs.Select((r, i) => (IReadOnlyList<string>)[
                (i + 1).ToString(CultureInfo.InvariantCulture), Markdown.Number(r.BStartSeconds, "0.00"), Markdown.Count(r.BurstStarts),
                Markdown.Number(r.FirstPassSeconds, "0.00"), Markdown.Count(r.Resent), Markdown.Count(r.Requests), r.RequestsByOperation]));
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AwsDouble;
using AwsDouble.CloudTrail;
using AwsDouble.Iam;
using AwsDouble.Organizations;
using AwsDouble.Population;
using AwsDouble.Sqs;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// The central <c>trigger</c> of an Organization deployment, as the real binary runs it in Lambda behind an SQS event
/// source mapping: each member forwards its IAM events to the hub's bus, the bus's rule puts them on the hub's queue,
/// and Lambda's poller hands the function batches of them. The test plays the poller: it builds the SQS event batches
/// (records whose body is the EventBridge event), and delivers what the function puts back on the queue once the
/// double's clock has passed the message's delay.
/// </summary>
public sealed class OrganizationTriggerTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string MemberRoleName = "MfaRuleMember";
    private const string HubRoleName = "MfaRuleHubTrigger";
    private const string ExternalId = "mfa-config-rule";
    private const int BatchSize = 10;

    private DoubleQueue? _queue;

    private DoubleOrganization Organization => Aws.State.Organization ?? Aws.State.CreateOrganization(Account);

    private DoubleQueue Queue => _queue ??= Account.Sqs(Region).CreateQueue("mfa-rule-trigger");

    private (DoubleAccount Account, IReadOnlyList<SeededUser> Users) AddMember(string accountId, int users, int seed, bool withRole = true)
    {
        var member = Aws.State.AddAccount(accountId);
        Organization.Join(member);
        if (withRole)
        {
            member.AddRole(MemberRoleName, $$$"""
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{Account.AccountId}}}:role/{{{HubRoleName}}}"},
                  "Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"{{{ExternalId}}}","aws:PrincipalOrgID":"{{{Organization.Id}}}"} } }]}
                """);
        }
        member.Config(Region).PutCustomLambdaRule(RuleName);
        var population = Populations.SamplesStyleMembers(users, Now, seed);
        var snapshots = member.SeedUsers(population.Select(m => m.Seed));
        return (member, population.Zip(snapshots, (m, s) => new SeededUser(s.UserName, s.UserId, m.Case)).ToList());
    }

    private Task<LambdaFunction> StartCentralTriggerAsync()
    {
        Account.AddRole(HubRoleName);
        var session = Account.StartRoleSession(HubRoleName, "mfa-config-rule-trigger", TimeSpan.FromHours(1));
        return StartFunctionAsync("trigger", new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = session.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = session.SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = session.SessionToken!,
            ["CONFIG_RULE_NAME"] = RuleName,
            ["MFA_RULE_MEMBER_ROLE_NAME"] = MemberRoleName,
            ["MFA_RULE_MEMBER_ROLE_EXTERNAL_ID"] = ExternalId,
            ["MFA_RULE_TRIGGER_QUEUE_URL"] = Queue.UrlUnder(Aws.BaseUrl),
        });
    }

    /// <summary>The member's IAM call as the hub's bus receives it: EventBridge stamps the member's account on it.</summary>
    private static string Forwarded(CloudTrailEventRecord record, string accountId, Action<JsonObject>? edit = null)
    {
        var envelope = JsonNode.Parse(edit is null ? IamEvents.For(record) : IamEvents.Edited(record, edit))!.AsObject();
        envelope["account"] = accountId;
        return envelope.ToJsonString();
    }

    /// <summary>A record as Lambda's SQS poller hands it over.</summary>
    private JsonObject Record(string messageId, string body, DateTimeOffset sentAt) => new()
    {
        ["messageId"] = messageId,
        ["receiptHandle"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(messageId)),
        ["body"] = body,
        ["attributes"] = new JsonObject
        {
            ["ApproximateReceiveCount"] = "1",
            ["SentTimestamp"] = sentAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            ["SenderId"] = "AIDAEVENTBRIDGE",
            ["ApproximateFirstReceiveTimestamp"] = Now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        },
        ["messageAttributes"] = new JsonObject(),
        ["md5OfBody"] = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body))),
        ["eventSource"] = "aws:sqs",
        ["eventSourceARN"] = Queue.Arn,
        ["awsRegion"] = Region,
    };

    private static string Batch(IEnumerable<JsonObject> records) => new JsonObject { ["Records"] = new JsonArray([.. records]) }.ToJsonString();

    /// <summary>Delivers the events EventBridge put on the queue, in batches of ten; the message IDs of each failed record.</summary>
    private async Task<List<string>> DeliverAsync(LambdaFunction function, IReadOnlyList<string> bodies)
    {
        var failed = new List<string>();
        foreach (var chunk in bodies.Select(b => Record(Guid.NewGuid().ToString(), b, Now)).Chunk(BatchSize))
            failed.AddRange(await InvokeBatchAsync(function, chunk));
        return failed;
    }

    private static async Task<IEnumerable<string>> InvokeBatchAsync(LambdaFunction function, IEnumerable<JsonObject> records)
    {
        var outcome = await function.InvokeAsync(Batch(records));
        Assert.True(outcome.Succeeded, outcome.ToString());
        return outcome.Json["batchItemFailures"]!.AsArray().Select(f => f!["itemIdentifier"]!.GetValue<string>());
    }

    /// <summary>Lambda's poller for what the function put back: each message once its delay has passed on the double's clock.</summary>
    private async Task<int> DeliverResentAsync(LambdaFunction function, TimeSpan timeout)
    {
        var delivered = 0;
        using var limit = new CancellationTokenSource(timeout);
        while (Queue.Waiting.Count > 0)
        {
            var visible = Queue.TakeVisible(Now, BatchSize);
            if (visible.Count == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), limit.Token);
                continue;
            }
            Assert.Empty(await InvokeBatchAsync(function, visible.Select(m => Record(m.MessageId, m.Body, m.SentAt))));
            delivered += visible.Count;
        }
        return delivered;
    }

    private JsonObject RecordLine(LambdaFunction function, string account, string? action = null) =>
        function.LogLines.Last(l => l["account"]?.GetValue<string>() == account && l["action"] is not null
            && (action is null || l["action"]!.GetValue<string>().StartsWith(action, StringComparison.Ordinal)));

    [Fact]
    public async Task CentralTrigger_BurstInOneMember_DoesNotDelayAnotherMembersStartAndEndsInTwoStarts()
    {
        var (a, aUsers) = AddMember("222222222222", 20, seed: 2);
        var (b, bUsers) = AddMember("333333333333", 20, seed: 3);
        var (c, _) = AddMember("444444444444", 5, seed: 4);
        var function = await StartCentralTriggerAsync();
        var changed = First(aUsers, PopulationCase.PasswordWithVirtualMfa);
        using (var inA = new AwsActions(Aws, Region, a))
            await inA.DeactivateMfaDeviceAsync(changed.UserName, a.FindUser(changed.UserName)!.MfaDevices.Single(d => d.Kind == MfaDeviceKind.Virtual).SerialNumber);
        var aRecord = a.CloudTrailEvents[^1];
        using (var inB = new AwsActions(Aws, Region, b))
            await inB.CreateLoginProfileAsync(First(bUsers, PopulationCase.NoPassword).UserName);
        var bRecord = b.CloudTrailEvents[^1];
        // 200 IAM calls in A within the same seconds (a script tagging users, say), and B's one call among them.
        var bodies = Enumerable.Range(0, 200)
            .Select(i => Forwarded(aRecord, a.AccountId, d => d["eventID"] = $"burst-{i:000}-{Guid.NewGuid()}"))
            .ToList();
        bodies.Insert(150, Forwarded(bRecord, b.AccountId));
        var deliveredAt = Now;

        var failed = await DeliverAsync(function, bodies);

        Assert.Empty(failed);
        var bStart = Assert.Single(b.Config(Region).Starts());
        var bDelay = bStart.At - deliveredAt;
        Output.WriteLine($"B's StartConfigRulesEvaluation {bDelay.TotalMilliseconds:0} ms after the first batch of A's burst was delivered");
        Assert.True(bDelay < TimeSpan.FromSeconds(30), $"B started {bDelay} after delivery: behind A's burst");
        Assert.Equal("started a re-evaluation", RecordLine(function, b.AccountId)["action"]!.GetValue<string>());
        Assert.Single(a.Config(Region).Starts());
        // Config refuses a second start within the minute: the rest of A's burst is back on the queue, not asked for.
        Assert.Equal(199, Queue.Waiting.Count);
        Assert.All(Queue.Waiting, m => Assert.InRange((m.VisibleAt - m.SentAt).TotalSeconds, 1, 61));

        var resent = await DeliverResentAsync(function, TimeSpan.FromMinutes(3));

        Assert.Equal(199, resent);
        // The burst ends in two starts: the first, and one a minute later that covers every change before it.
        Assert.Equal(2, a.Config(Region).Starts().Count);
        Assert.Single(b.Config(Region).Starts());
        Assert.Empty(c.Config(Region).Starts());
        Assert.StartsWith("covered by the re-evaluation this function started at", RecordLine(function, a.AccountId)["action"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(Queue.Waiting);
        Assert.Empty(Account.Config(Region).Starts());
    }

    [Fact]
    public async Task CentralTrigger_EventOfAnAccountOutsideTheOrganization_IsRefusedWithNothingCalledInAnyAccount()
    {
        var (member, _) = AddMember("222222222222", 5, seed: 2);
        var outsider = Aws.State.AddAccount("999999999999");
        outsider.Config(Region).PutCustomLambdaRule(RuleName);
        outsider.AddRole(MemberRoleName, $$$"""
            {"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{Account.AccountId}}}:role/{{{HubRoleName}}}"},"Action":"sts:AssumeRole"}]}
            """);
        outsider.SeedUsers([new AwsDouble.Iam.UserSeed("mallory")]);
        using (var inOutsider = new AwsActions(Aws, Region, outsider))
            await inOutsider.TagUserAsync("mallory", "team", "ops");
        var function = await StartCentralTriggerAsync();
        var before = Aws.State.Requests.Snapshot();

        var failed = await DeliverAsync(function, [Forwarded(outsider.CloudTrailEvents[^1], outsider.AccountId)]);

        Assert.Empty(failed);
        var line = RecordLine(function, outsider.AccountId);
        Assert.Equal("ERROR", line["level"]!.GetValue<string>());
        Assert.Contains("refused: account 999999999999 is not one of the Organization's active accounts", line["action"]!.GetValue<string>(), StringComparison.Ordinal);
        var after = Aws.State.Requests.Snapshot();
        foreach (var service in new[] { "sts:", "config:", "iam:", "cloudtrail:", "sqs:" })
        {
            Assert.Equal(before.Where(p => p.Key.StartsWith(service, StringComparison.Ordinal)).Sum(p => p.Value),
                after.Where(p => p.Key.StartsWith(service, StringComparison.Ordinal)).Sum(p => p.Value));
        }
        Assert.Empty(outsider.Config(Region).Starts());
        Assert.Empty(member.Config(Region).Starts());
        Assert.Empty(Queue.Sent);
    }

    [Fact]
    public async Task CentralTrigger_MemberWithoutTheRole_FailsOnlyItsRecordsAndTheOthersStart()
    {
        var (first, firstUsers) = AddMember("222222222222", 5, seed: 2);
        var (missing, missingUsers) = AddMember("333333333333", 5, seed: 3, withRole: false);
        var (last, lastUsers) = AddMember("444444444444", 5, seed: 4);
        var function = await StartCentralTriggerAsync();
        var bodies = new List<string>();
        foreach (var (member, users) in new[] { (first, firstUsers), (missing, missingUsers), (last, lastUsers) })
        {
            using var actions = new AwsActions(Aws, Region, member);
            await actions.TagUserAsync(users[0].UserName, "team", "ops");
            bodies.Add(Forwarded(member.CloudTrailEvents[^1], member.AccountId));
        }
        var records = bodies.Select(b => Record(Guid.NewGuid().ToString(), b, Now)).ToList();

        var failed = (await InvokeBatchAsync(function, records)).ToList();

        Assert.Equal([records[1]["messageId"]!.GetValue<string>()], failed);
        Assert.Single(first.Config(Region).Starts());
        Assert.Single(last.Config(Region).Starts());
        Assert.Empty(missing.Config(Region).Starts());
        var line = RecordLine(function, missing.AccountId);
        Assert.Equal("ERROR", line["level"]!.GetValue<string>());
        Assert.Contains($"cannot assume arn:aws:iam::{missing.AccountId}:role/{MemberRoleName}", line["action"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("AccessDenied", line["action"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CentralTrigger_PasswordDeletedNotYetInTheMembersCloudTrail_IsResentWithADelayThenStarted()
    {
        var (member, users) = AddMember("222222222222", 10, seed: 2);
        var (other, otherUsers) = AddMember("333333333333", 10, seed: 3);
        var function = await StartCentralTriggerAsync();
        using (var actions = new AwsActions(Aws, Region, member))
            await actions.DeleteLoginProfileAsync(First(users, PopulationCase.PasswordWithVirtualMfa).UserName);
        var deleted = member.CloudTrailEvents[^1];
        Assert.Equal("DeleteLoginProfile", deleted.EventName);
        using (var actions = new AwsActions(Aws, Region, other))
            await actions.TagUserAsync(otherUsers[0].UserName, "team", "ops");

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var failed = await DeliverAsync(function, [Forwarded(deleted, member.AccountId), Forwarded(other.CloudTrailEvents[^1], other.AccountId)]);
        stopwatch.Stop();

        Assert.Empty(failed);
        // Not slept on: the invocation returned at once, with the event back on the queue for the next CloudTrail look.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"the batch took {stopwatch.Elapsed}");
        Assert.Empty(member.Config(Region).Starts());
        Assert.Single(other.Config(Region).Starts());
        var resent = Assert.Single(Queue.Waiting);
        Assert.Equal(30, (int)Math.Round((resent.VisibleAt - resent.SentAt).TotalSeconds));
        Assert.Contains("\"mfaRuleTrigger\"", resent.Body, StringComparison.Ordinal);
        Assert.StartsWith("back on the queue for 30 s", RecordLine(function, member.AccountId)["action"]!.GetValue<string>(), StringComparison.Ordinal);

        // Still not in CloudTrail half a minute on: back again. Then CloudTrail shows it, and the next delivery starts.
        Aws.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await DeliverResentAsyncOnce(function));
        Assert.Empty(member.Config(Region).Starts());
        Aws.Clock.Advance(member.CloudTrailLag);
        Assert.Equal(1, await DeliverResentAsyncOnce(function));

        Assert.Single(member.Config(Region).Starts());
        Assert.True(member.Config(Region).Starts()[0].At >= deleted.EventTime + member.CloudTrailLag);
        Assert.Equal("started a re-evaluation", RecordLine(function, member.AccountId)["action"]!.GetValue<string>());
        Assert.Empty(Queue.Waiting);
    }

    /// <summary>Delivers the messages visible now, in one batch; how many there were.</summary>
    private async Task<int> DeliverResentAsyncOnce(LambdaFunction function)
    {
        var visible = Queue.TakeVisible(Now, BatchSize);
        if (visible.Count > 0) Assert.Empty(await InvokeBatchAsync(function, visible.Select(m => Record(m.MessageId, m.Body, m.SentAt))));
        return visible.Count;
    }
}

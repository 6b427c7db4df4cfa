using System.Text.Json.Nodes;
using AwsDouble;
using AwsDouble.Config;
using AwsDouble.Iam;
using AwsDouble.Population;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// Every verdict path of the real binary under the AWS behaviours its documentation leaves open (the double's
/// <see cref="AwsBehaviours"/> switches), in pairwise combinations: every value of every switch meets every path and
/// every value of every other switch. One assertion everywhere: once the path has settled, Config holds for every user
/// exactly IAM's truth, and nothing is COMPLIANT that is not. Before it settles, the one documented benign case (a
/// console password deleted after the credential report, while CloudTrail has not yet delivered the deletion, stays
/// COMPLIANT) is asserted exactly where a sweep can meet it. ReportChangesOnly where Config drops the results a periodic
/// run does not restate is the other documented benign case: every NON_COMPLIANT verdict is written on every sweep, so
/// only unchanged COMPLIANT and NOT_APPLICABLE users may show no result between sweeps, and exactly those do. The scenario: yesterday's sweep held, then an MFA device
/// deactivated (COMPLIANT → NON_COMPLIANT), a console password deleted (COMPLIANT → NOT_APPLICABLE) and one created
/// without MFA (NOT_APPLICABLE → NON_COMPLIANT). On the Organization's trigger path an evaluation Config invoked before
/// the changes records its results only after the trigger has seen them, so under <c>invoked-time=recorded</c> a trigger
/// that took <c>ConfigRuleInvokedTime</c> alone as the time of the reads would stop on those stale results.
/// </summary>
public sealed class BehaviourMatrixTests(ITestOutputHelper output) : EndToEndTest(output), IDisposable
{
    private const string MemberRoleName = "MfaRuleMember";
    private const string HubRoleName = "MfaRuleHubEvaluate";
    private const string HubTriggerRoleName = "MfaRuleHubTrigger";
    private const string ExternalId = "mfa-config-rule";
    private const int PopulationSize = 20;

    /// <summary>
    /// A deadline for invocations that may wait for a credential report that never completes: the sweep's wait is fitted
    /// to it (ReportWaitDecision), so a row costs seconds, not the 60 s the wait would be without one.
    /// </summary>
    private static readonly TimeSpan ShortDeadline = TimeSpan.FromSeconds(15);

    private AwsActions? _memberActions;

    public void Dispose() => _memberActions?.Dispose();

    /// <summary>The paths and switches; each switch's first value is the double's behaviour before the switches existed.</summary>
    internal static readonly Factor[] Factors =
    [
        new("path", ["Sweep", "Change", "Trigger", "ReportChangesOnly", "SecurityHub", "OrganizationCentral", "OrganizationTrigger"]),
        new("ordering", ["newest-wins", "last-write-wins"]),
        new("on-demand", ["scheduled", "change-per-user", "both"]),
        new("cloudtrail-delay-seconds", ["300", "0", "900"]),
        new("unrestated", ["kept", "dropped"]),
        new("root-password", ["not_supported", "false", "true"]),
        new("report-never-completes", ["false", "true"]),
        new("invoked-time", ["invocation", "recorded"]),
    ];

    /// <summary>The pairwise rows, one argument per factor so the test's name names every switch and its value.</summary>
    public static IEnumerable<object[]> Matrix() =>
        Pairwise.Rows(Factors).Select(row => Factors.Select(f => (object)row[f.Name]).ToArray());

    private sealed record Target(DoubleAccount Account, AwsActions Actions, ConfigRegion Config, IReadOnlyList<SeededUser> Users, LambdaFunction Evaluate,
        Func<string, string> Addressed, Func<Task<LambdaFunction>>? Restart = null);

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Path_UnderAwsBehaviours_SettlesOnIamsTruth(string path, string ordering, string onDemand, string cloudTrailDelaySeconds,
        string unrestated, string rootPassword, string reportNeverCompletes, string invokedTime)
    {
        string[] values = [ordering, onDemand, cloudTrailDelaySeconds, unrestated, rootPassword, reportNeverCompletes, invokedTime];
        var behaviours = Factors.Skip(1).Zip(values).Aggregate(AwsBehaviours.Today, (b, p) => b.With(p.First.Name, p.Second));
        Aws.State.Behaviours = behaviours;
        Output.WriteLine($"{path}: {behaviours}");
        var policy = path == "ReportChangesOnly" ? RulePolicy.WithExemptions with { ReportChangesOnly = true, RefreshDays = 7 } : RulePolicy.WithExemptions;
        var target = path.StartsWith("Organization", StringComparison.Ordinal) ? await MemberTargetAsync() : await OwnTargetAsync(path == "SecurityHub");
        TimeSpan? deadline = behaviours.CredentialReportNeverCompletes ? ShortDeadline : null;
        var expected = policy.ExpectedById(target.Users);

        // Yesterday's sweep.
        await SweepAsync(target, policy, deadline, expected, "yesterday's sweep");
        target.Config.AgeResults(RuleName, TimeSpan.FromDays(1));

        // On the Organization's trigger path, an evaluation someone started is still running: Config invoked the rule before
        // today's changes, and that run's results reach Config only after the trigger has seen the change.
        var stale = path == "OrganizationTrigger" ? await StartStaleRunAsync(target, behaviours) : null;

        // Today's changes: none creates a configuration item.
        var alice = First(target.Users, PopulationCase.PasswordWithHardwareMfa);
        await target.Actions.DeactivateMfaDeviceAsync(alice.UserName, target.Account.FindUser(alice.UserName)!.MfaDevices.Single(d => d.Kind == MfaDeviceKind.Hardware).SerialNumber);
        expected[alice.UserId] = Verdict.NonCompliant;
        var bob = First(target.Users, PopulationCase.PasswordWithVirtualMfa);
        await target.Actions.DeleteLoginProfileAsync(bob.UserName);
        expected[bob.UserId] = Verdict.NotApplicable;
        var carol = First(target.Users, PopulationCase.NoPassword);
        await target.Actions.CreateLoginProfileAsync(carol.UserName);
        expected[carol.UserId] = Verdict.NonCompliant;

        switch (path)
        {
            case "Sweep" or "SecurityHub" or "OrganizationCentral" or "ReportChangesOnly":
            {
                // Before CloudTrail delivers the deletion, a sweep that trusted the report's password keeps bob COMPLIANT.
                var benign = !behaviours.CredentialReportNeverCompletes && behaviours.CloudTrailDelay > TimeSpan.Zero;
                var early = new Dictionary<string, string>(expected, StringComparer.Ordinal) { [bob.UserId] = benign ? Verdict.Compliant : Verdict.NotApplicable };
                await SweepAsync(target, policy, deadline, early, "a sweep right after the changes");
                Aws.Clock.Advance(behaviours.CloudTrailDelay);
                // The double's clock jumped ahead of the function's own: a member session the process still holds as valid
                // may have expired for the double, which a real deployment's agreeing clocks would not see. A fresh process.
                if (target.Restart is { } restart) target = target with { Evaluate = await restart() };
                await SweepAsync(target, policy, deadline, expected, "a sweep once CloudTrail delivered");
                if (path == "ReportChangesOnly") await SweepAsync(target, policy, deadline, expected, "a sweep with nothing changed");
                if (path == "SecurityHub") AssertFindingsFollowConfig(target, expected);
                break;
            }
            case "Change":
            {
                // Config replays each changed user's last configuration item, captured long ago, notified now.
                foreach (var user in new[] { alice, bob, carol })
                {
                    var item = target.Account.ConfigurationHistory(user.UserId)[^1] with { CaptureTime = Now.AddDays(-60) };
                    var outcome = await target.Evaluate.InvokeAsync(target.Addressed(ConfigEvents.Change(item, RuleName, target.Config.IssueResultToken(RuleName), policy.ParametersJson(), Now)));
                    Assert.True(outcome.Succeeded, outcome.ToString());
                }
                VerdictAssert.Exactly(expected, VerdictAssert.Of(target.Config.Results(RuleName)), Names(target.Account));
                break;
            }
            case "Trigger" or "OrganizationTrigger":
                await TriggerAsync(target, policy, deadline, behaviours, stale);
                VerdictAssert.Exactly(expected, VerdictAssert.Of(target.Config.Results(RuleName)), Names(target.Account));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(path), path, "a path the matrix does not drive");
        }
    }

    /// <summary>
    /// A rule run Config invoked before today's changes (someone pressed "Re-evaluate"), which read IAM then and whose
    /// results Config records only once <see cref="StaleRun.RecordAsync"/> is called: its token is issued now, its verdicts
    /// are what Config holds now (yesterday's, which are IAM's truth before the changes), its ordering timestamp is now
    /// (the invoking notification's creation time). Config refuses a start while it runs. Under
    /// <see cref="InvokedTimeMeaning.ResultRecordedTime"/> the results' ConfigRuleInvokedTime is when they are recorded:
    /// after the change became visible, although nothing in them has seen it.
    /// </summary>
    private async Task<StaleRun> StartStaleRunAsync(Target target, AwsBehaviours behaviours)
    {
        target.Config.EvaluationDuration = TimeSpan.FromMinutes(5) + behaviours.CloudTrailDelay;
        var (started, body) = await target.Actions.StartConfigRulesEvaluationAsync(RuleName);
        Assert.True(started, body);
        var token = target.Config.IssueResultToken(RuleName, periodic: behaviours.OnDemand != OnDemandDelivery.ChangePerUser);
        var notified = Now;
        var read = target.Config.Results(RuleName).Select(r => (r.ResourceType, r.ResourceId, r.ComplianceType, notified)).ToList();
        return new StaleRun(() => target.Actions.PutEvaluationsAsync(token, read));
    }

    private sealed record StaleRun(Func<Task> RecordAsync);

    /// <summary>
    /// The trigger (the account's own, or the Organization's central one behind its queue) gets the MFA deactivation once
    /// CloudTrail has delivered every change and starts a re-evaluation; the test plays Config: it invokes the rule with
    /// what <see cref="AwsBehaviours.OnDemand"/> says Config delivers. With a <paramref name="stale"/> run (the central path),
    /// Config refuses the trigger's first start; the stale run's results arrive; the event comes back from the queue a
    /// minute later, when that evaluation has ended, and the trigger must start a re-evaluation rather than take the stale
    /// results as covering the change.
    /// </summary>
    private async Task TriggerAsync(Target target, RulePolicy policy, TimeSpan? deadline, AwsBehaviours behaviours, StaleRun? stale)
    {
        Aws.Clock.Advance(behaviours.CloudTrailDelay);
        if (target.Restart is { } restart) target = target with { Evaluate = await restart() };
        var change = target.Account.CloudTrailEvents.Last(e => e.EventName == "DeactivateMFADevice");
        var reRuns = new List<Task<InvocationOutcome>>();
        var gate = new Lock();
        target.Config.EvaluationStarted += (_, start) =>
        {
            lock (gate)
            {
                if (start.DeliversScheduled)
                {
                    var token = target.Config.IssueResultToken(RuleName, periodic: true);
                    reRuns.Add(target.Evaluate.Enqueue(target.Addressed(ConfigEvents.Scheduled(RuleName, token, policy.ParametersJson(), start.At)), deadline).Outcome);
                }
                foreach (var item in start.ReplayedItems)
                    reRuns.Add(target.Evaluate.Enqueue(target.Addressed(ConfigEvents.Change(item, RuleName, target.Config.IssueResultToken(RuleName), policy.ParametersJson(), start.At)), deadline).Outcome);
            }
        };

        if (stale is not null) await CentralTriggerAsync(target, change, stale);
        else
        {
            var trigger = await StartFunctionAsync("trigger", new Dictionary<string, string> { ["CONFIG_RULE_NAME"] = RuleName });
            var outcome = await trigger.InvokeAsync(IamEvents.For(change));
            Assert.True(outcome.Succeeded, outcome.ToString());
            Assert.Equal("started a re-evaluation", outcome.Json["action"]!.GetValue<string>());
        }

        // The trigger's start, and on the central path the start of the stale run before it.
        Assert.Equal(stale is null ? 1 : 2, target.Config.Starts().Count);
        Task<InvocationOutcome>[] runs;
        lock (gate) runs = [.. reRuns];
        var expectedRuns = (behaviours.OnDemand == OnDemandDelivery.ChangePerUser ? 0 : 1) + (behaviours.OnDemand == OnDemandDelivery.ScheduledNotification ? 0 : target.Users.Count);
        Assert.Equal(expectedRuns, runs.Length);
        foreach (var run in await Task.WhenAll(runs)) Assert.True(run.Succeeded, run.ToString());
    }

    /// <summary>
    /// The central trigger, as Lambda's SQS poller hands it the member's event forwarded to the hub's queue: Config refuses
    /// its start (the stale run's evaluation is running), so it puts the event back on the queue; the stale run's results
    /// arrive; a minute later that evaluation has ended and the event comes back, to a new execution environment.
    /// </summary>
    private async Task CentralTriggerAsync(Target target, AwsDouble.CloudTrail.CloudTrailEventRecord change, StaleRun stale)
    {
        var queue = Account.Sqs(Region).CreateQueue("mfa-rule-trigger");
        Account.AddRole(HubTriggerRoleName);
        var forwarded = JsonNode.Parse(IamEvents.For(change))!.AsObject();
        forwarded["account"] = target.Account.AccountId;

        var first = await DeliverAsync(await StartCentralTriggerAsync(queue), queue, Guid.NewGuid().ToString(), forwarded.ToJsonString());
        Assert.Single(target.Config.Starts());
        var back = Assert.Single(queue.Waiting);

        await stale.RecordAsync();
        // The order this path exists for: read before the change (alice still COMPLIANT), recorded once CloudTrail showed it.
        var changed = JsonNode.Parse(change.CloudTrailEventJson)!["requestParameters"]!["userName"]!.GetValue<string>();
        var staleResult = target.Config.Results(RuleName).Single(r => r.ResourceId == target.Account.FindUser(changed)!.UserId);
        Assert.Equal(Verdict.Compliant, staleResult.ComplianceType);
        Assert.True(staleResult.ResultRecordedTime >= change.EventTime + Aws.State.Behaviours.CloudTrailDelay, $"{staleResult}");
        target.Config.EvaluationDuration = TimeSpan.Zero;
        Aws.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(queue.TakeVisible(DateTimeOffset.MaxValue));
        await DeliverAsync(await StartCentralTriggerAsync(queue), queue, back.MessageId, back.Body);
        Assert.Empty(queue.Waiting);
        Output.WriteLine($"first pass: {first}");
    }

    private Task<LambdaFunction> StartCentralTriggerAsync(AwsDouble.Sqs.DoubleQueue queue)
    {
        var session = Account.StartRoleSession(HubTriggerRoleName, "mfa-config-rule-trigger", TimeSpan.FromHours(1));
        return StartFunctionAsync("trigger", new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = session.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = session.SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = session.SessionToken!,
            ["CONFIG_RULE_NAME"] = RuleName,
            ["MFA_RULE_MEMBER_ROLE_NAME"] = MemberRoleName,
            ["MFA_RULE_MEMBER_ROLE_EXTERNAL_ID"] = ExternalId,
            ["MFA_RULE_TRIGGER_QUEUE_URL"] = queue.UrlUnder(Aws.BaseUrl),
        });
    }

    /// <summary>One SQS record to the central trigger; it must neither fail it nor throw.</summary>
    private async Task<InvocationOutcome> DeliverAsync(LambdaFunction trigger, AwsDouble.Sqs.DoubleQueue queue, string messageId, string body)
    {
        var record = new JsonObject
        {
            ["messageId"] = messageId,
            ["receiptHandle"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(messageId)),
            ["body"] = body,
            ["attributes"] = new JsonObject
            {
                ["ApproximateReceiveCount"] = "1",
                ["SentTimestamp"] = Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["SenderId"] = "AIDAEVENTBRIDGE",
                ["ApproximateFirstReceiveTimestamp"] = Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            ["messageAttributes"] = new JsonObject(),
            ["md5OfBody"] = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(body))),
            ["eventSource"] = "aws:sqs",
            ["eventSourceARN"] = queue.Arn,
            ["awsRegion"] = Region,
        };

        var outcome = await trigger.InvokeAsync(new JsonObject { ["Records"] = new JsonArray(record) }.ToJsonString());

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Empty(outcome.Json["batchItemFailures"]!.AsArray());
        return outcome;
    }

    /// <summary>
    /// One scheduled sweep; then Config holds <paramref name="expected"/> exactly. With ReportChangesOnly every NON_COMPLIANT
    /// user was written by this sweep, and where Config drops what a periodic run does not restate, the users it holds no
    /// result for are exactly those whose COMPLIANT or NOT_APPLICABLE result it held unchanged and not due for a refresh
    /// (every other user is held, with its verdict: never a false COMPLIANT, never a hidden NON_COMPLIANT).
    /// </summary>
    private async Task SweepAsync(Target target, RulePolicy policy, TimeSpan? deadline, IReadOnlyDictionary<string, string> expected, string what)
    {
        var heldBefore = target.Config.Results(RuleName).ToDictionary(r => r.ResourceId, StringComparer.Ordinal);
        var callsBefore = target.Config.Calls().Count;
        var ruleNow = TimeProvider.System.GetUtcNow();
        var token = target.Config.IssueResultToken(RuleName, periodic: true);
        var outcome = await target.Evaluate.InvokeAsync(target.Addressed(ConfigEvents.Scheduled(RuleName, token, policy.ParametersJson(), Now)), deadline);

        Assert.True(outcome.Succeeded, $"{what}: {outcome}");
        var held = VerdictAssert.Of(target.Config.Results(RuleName)).ToList();
        if (!policy.ReportChangesOnly)
        {
            VerdictAssert.Exactly(expected, held, Names(target.Account));
            return;
        }
        var written = target.Config.Calls().Skip(callsBefore).Where(c => !c.TestMode).SelectMany(c => c.Evaluations).Select(e => e.ComplianceResourceId).ToHashSet(StringComparer.Ordinal);
        var nonCompliant = expected.Where(p => p.Value == Verdict.NonCompliant).Select(p => p.Key).ToList();
        Assert.True(nonCompliant.All(written.Contains), $"{what}: NON_COMPLIANT users not restated: {string.Join(", ", nonCompliant.Where(id => !written.Contains(id)))}");
        var absent = Aws.State.Behaviours.Unrestated == UnrestatedResults.Dropped
            ? expected.Where(p => p.Value != Verdict.NonCompliant && heldBefore.TryGetValue(p.Key, out var before) && before.ComplianceType == p.Value
                && !RefreshDue(p.Key, ruleNow - before.ResultRecordedTime, ruleNow, policy.RefreshDays!.Value)).Select(p => p.Key).ToHashSet(StringComparer.Ordinal)
            : [];
        Output.WriteLine($"{what}: {written.Count} written, {absent.Count} unchanged COMPLIANT/NOT_APPLICABLE users left without a result");
        VerdictAssert.Exactly(expected.Where(p => !absent.Contains(p.Key)).ToDictionary(StringComparer.Ordinal), held, Names(target.Account));
    }

    /// <summary>
    /// Whether ReportChangesOnly states an unchanged result again (the rule's ChangedResults, restated): the result is at
    /// least <paramref name="refreshDays"/> old, or at least 20 hours old on the user's refresh day (FNV-1a of its ID).
    /// </summary>
    private static bool RefreshDue(string userId, TimeSpan age, DateTimeOffset now, int refreshDays)
    {
        if (age >= TimeSpan.FromDays(refreshDays)) return true;
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(userId)) hash = (hash ^ b) * 16777619u;
        return age >= TimeSpan.FromHours(20) && hash % (uint)refreshDays == now.ToUnixTimeSeconds() / 86400 % refreshDays;
    }

    /// <summary>Every user's Security Hub finding says what Config holds: FAILED only for NON_COMPLIANT, PASSED only for COMPLIANT.</summary>
    private void AssertFindingsFollowConfig(Target target, IReadOnlyDictionary<string, string> expected)
    {
        var findings = target.Account.SecurityHub(Region).Findings.ToDictionary(f => f.UserId!, StringComparer.Ordinal);
        foreach (var (userId, verdict) in expected)
        {
            var finding = findings[userId];
            var wanted = verdict switch
            {
                Verdict.NonCompliant => ("FAILED", "ACTIVE"),
                Verdict.Compliant => ("PASSED", "ACTIVE"),
                _ => ("NOT_AVAILABLE", "ARCHIVED"),
            };
            Assert.True((finding.ComplianceStatus, finding.RecordState) == wanted, $"{userId} ({verdict}): {finding.ComplianceStatus}/{finding.RecordState}");
        }
    }

    private async Task<Target> OwnTargetAsync(bool securityHub)
    {
        var users = SeedPopulation(PopulationSize);
        var evaluate = await StartFunctionAsync(extra: securityHub ? new Dictionary<string, string> { ["SECURITY_HUB_FINDINGS"] = "direct" } : null);
        return new Target(Account, Actions, Config, users, evaluate, e => e);
    }

    /// <summary>A member of the Organization, evaluated by the central function through the member role (as OrganizationTests set it up).</summary>
    private async Task<Target> MemberTargetAsync()
    {
        var organization = Aws.State.Organization ?? Aws.State.CreateOrganization(Account);
        var member = Aws.State.AddAccount("222222222222");
        organization.Join(member);
        member.AddRole(MemberRoleName, $$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::{{{Account.AccountId}}}:role/{{{HubRoleName}}}","arn:aws:iam::{{{Account.AccountId}}}:role/{{{HubTriggerRoleName}}}"]},
              "Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"{{{ExternalId}}}","aws:PrincipalOrgID":"{{{organization.Id}}}"} } }]}
            """);
        var config = member.Config(Region);
        config.PutCustomLambdaRule(RuleName);
        var population = Populations.SamplesStyleMembers(PopulationSize, Now);
        var users = population.Zip(member.SeedUsers(population.Select(m => m.Seed)), (m, s) => new SeededUser(s.UserName, s.UserId, m.Case)).ToList();
        Account.AddRole(HubRoleName);
        Task<LambdaFunction> StartCentralAsync()
        {
            var session = Account.StartRoleSession(HubRoleName, "mfa-config-rule-evaluate", TimeSpan.FromHours(1));
            return StartFunctionAsync("evaluate", new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = session.AccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = session.SecretAccessKey,
                ["AWS_SESSION_TOKEN"] = session.SessionToken!,
                ["MFA_RULE_MEMBER_ROLE_NAME"] = MemberRoleName,
                ["MFA_RULE_MEMBER_ROLE_EXTERNAL_ID"] = ExternalId,
            });
        }
        var evaluate = await StartCentralAsync();
        var ruleArn = config.FindRule(RuleName)!.ConfigRuleArn;
        string Addressed(string eventJson)
        {
            var envelope = JsonNode.Parse(eventJson)!.AsObject();
            envelope["accountId"] = member.AccountId;
            envelope["configRuleArn"] = ruleArn;
            envelope["executionRoleArn"] = $"arn:aws:iam::{member.AccountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig";
            return envelope.ToJsonString();
        }
        _memberActions = new AwsActions(Aws, Region, member);
        return new Target(member, _memberActions, config, users, evaluate, Addressed, StartCentralAsync);
    }

    private static IReadOnlyDictionary<string, string> Names(DoubleAccount account) => account.Users.ToDictionary(u => u.UserId, u => u.UserName, StringComparer.Ordinal);
}

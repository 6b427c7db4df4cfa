using System.Text.Json.Nodes;
using AwsDouble;
using AwsDouble.Faults;
using AwsDouble.Iam;
using AwsDouble.Lambda;
using AwsDouble.Organizations;
using AwsDouble.Protocol;
using MfaConfigRule.Contract;
using MfaConfigRule.EndToEnd.Tests.Support;
using MfaConfigRule.Infra.Constructs.Remediation;
using MfaConfigRule.TestSupport;

namespace MfaConfigRule.EndToEnd.Tests.Remediation;

/// <summary>
/// Remediation across an Organization, as the real binary runs it: one central <c>remediate</c> function in the hub (the
/// management account), registered in the hub's Lambda in the double with the invoker role as its only invoker, the
/// invoker role with the trust the admin stack writes (the Organization, and the Automation role's fixed name), and in
/// every member its Automation role, the runbook as the CDK app writes it, run step by step with its execution registered
/// in that member's SSM and its first step's script run with the member's Automation session against the double, and a
/// remediation role trusting only the central function's role. The function acts in the account a payload names only
/// once that account's own SSM shows the automation asking for it.
/// </summary>
public sealed class OrganizationRemediationTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string RemediationRoleName = "MfaConfigRule-Remediation";
    private const string HubRoleName = "MfaRuleHubRemediate";
    private const string ExternalId = "mfa-config-rule";
    private const string DocumentName = "MfaConfigRule-Remediation";
    private const string PolicyPath = "/mfa-config-rule/";
    private const string PolicyName = "MfaConfigRule-EnforceMfa";
    private const string Parameters = """{"ExemptUserNames":"break-glass","GracePeriodHours":"0"}""";
    private const string CentralFunctionName = "MfaConfigRuleOrganization-Remediate";
    private const string AutomationRoleName = RemediationDocument.MemberAutomationRoleName;
    private const string InvokerRoleName = RemediationDocument.CentralInvokerRoleName;

    private string InvokerRoleArn => $"arn:aws:iam::{Account.AccountId}:role/{InvokerRoleName}";

    private DoubleOrganization Organization => Aws.State.Organization ?? Aws.State.CreateOrganization(Account);

    /// <summary>What the member template (or, for the hub, the admin stack) puts in an account: the enforcement policy and the remediation role.</summary>
    private string Prepare(DoubleAccount account, bool withRole = true)
    {
        if (withRole)
        {
            account.AddRole(RemediationRoleName, $$$"""
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{Account.AccountId}}}:role/{{{HubRoleName}}}"},
                  "Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"{{{ExternalId}}}","aws:PrincipalOrgID":"{{{Organization.Id}}}"} } }]}
                """);
        }
        return account.CreateManagedPolicy(PolicyName, """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":"iam:ChangePassword","Resource":"*"}]}""", PolicyPath).Arn;
    }

    /// <summary>A member as the StackSet leaves it: in the Organization, with its remediation pieces and its Automation role.</summary>
    private DoubleAccount AddMember(string accountId, bool withRole = true, bool inOrganization = true)
    {
        var member = Aws.State.AddAccount(accountId);
        if (inOrganization) Organization.Join(member);
        Prepare(member, withRole);
        member.AddRole(AutomationRoleName);
        return member;
    }

    /// <summary>The same user name in every account, a console password and no MFA: NON_COMPLIANT everywhere.</summary>
    private IamUserSnapshot SeedAlice(DoubleAccount account, Func<UserSeed, UserSeed>? seed = null)
    {
        var alice = new UserSeed("alice") { LoginProfile = new LoginProfileSeed(Now.AddDays(-30)) };
        return account.SeedUsers([seed is null ? alice : seed(alice)])[0];
    }

    private Task<LambdaFunction> StartCentralFunctionAsync()
    {
        var hubPolicy = Prepare(Account);
        Account.AddRole(HubRoleName);
        var session = Account.StartRoleSession(HubRoleName, "mfa-config-rule-remediate", TimeSpan.FromHours(1));
        return StartFunctionAsync("remediate", new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = session.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = session.SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = session.SessionToken!,
            ["REMEDIATION_ACTION"] = "EnforceMfa",
            ["RULE_PARAMETERS"] = Parameters,
            ["ENFORCEMENT_POLICY_ARN"] = hubPolicy,
            ["MFA_RULE_MEMBER_REMEDIATION_ROLE_NAME"] = RemediationRoleName,
            ["MFA_RULE_MEMBER_ROLE_EXTERNAL_ID"] = ExternalId,
            ["MFA_RULE_REMEDIATION_DOCUMENT_NAME"] = DocumentName,
        });
    }

    /// <summary>
    /// What the admin stack adds around the central function: the invoker role, trusted exactly as
    /// <c>OrganizationRemediation</c> writes it, and the function in the hub's Lambda with only that role allowed to invoke
    /// it (its identity policy; the function has no resource-based statement). Returns the function's ARN.
    /// </summary>
    private string Deploy(LambdaFunction central)
    {
        Account.AddRole(InvokerRoleName, $$$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole",
              "Condition":{"StringEquals":{"aws:PrincipalOrgID":"{{{{Organization.Id}}}}"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/{{{{AutomationRoleName}}}}"}}}]}
            """);
        return Account.Lambda(Region).AddFunction(CentralFunctionName, async (payload, _) =>
        {
            var outcome = await central.InvokeAsync(payload);
            return new LambdaInvokeResult(outcome.Body, outcome.Succeeded ? null : "Unhandled");
        }, [InvokerRoleArn]);
    }

    /// <summary>
    /// The member's runbook, as the CDK app writes it, run in <paramref name="member"/> as Config's remediation would start
    /// it: as the member's Automation role, whose session the first step's script gets.
    /// </summary>
    private Task<AutomationExecution> RunInAsync(DoubleAccount member, string functionArn, string userId)
    {
        var runbook = RunbookInterpreter.Parse(RemediationDocument.OrganizationContent(functionArn, InvokerRoleArn, RemediationAction.EnforceMfa, RuleName));
        var host = new AutomationHost(member.Ssm(Region), DocumentName)
        {
            AutomationSession = member.StartRoleSession(AutomationRoleName, "automation", TimeSpan.FromHours(1)),
            Endpoint = Aws.BaseUrl,
        };
        return new RunbookInterpreter(runbook, new Dictionary<string, LambdaFunction>(StringComparer.Ordinal), host).RunAsync(new Dictionary<string, JsonNode?>
        {
            ["IAMResourceId"] = userId,
            ["AutomationAssumeRole"] = $"arn:aws:iam::{member.AccountId}:role/{AutomationRoleName}",
        });
    }

    private static string PolicyArnIn(DoubleAccount account) => $"arn:aws:iam::{account.AccountId}:policy{PolicyPath}{PolicyName}";

    private static IReadOnlyList<string> AttachedToAlice(DoubleAccount account) => account.FindUser("alice")!.AttachedPolicyArns;

    /// <summary>The function's answer: the first step's Payload, the object its script returns.</summary>
    private static JsonObject ResultOf(AutomationExecution execution) => execution.Outputs["Remediate.Payload"]!.AsObject();

    [Boto3Fact]
    public async Task Remediation_NonCompliantUserInMemberB_ChangesBsIamOnly()
    {
        var (b, c, d) = (AddMember("222222222222"), AddMember("333333333333"), AddMember("444444444444"));
        var aliceInB = SeedAlice(b);
        foreach (var other in new[] { Account, c, d }) SeedAlice(other);
        var central = Deploy(await StartCentralFunctionAsync());

        var execution = await RunInAsync(b, central, aliceInB.UserId);

        Assert.True(execution.Succeeded, execution.FailureMessage);
        Assert.Equal("Remediated", execution.Outputs["AssertResult.Outcome"]!.GetValue<string>());
        Assert.Equal("222222222222", ResultOf(execution)["user"]!["account"]!.GetValue<string>());
        Assert.Equal([PolicyArnIn(b)], AttachedToAlice(b));
        Assert.All(new[] { Account, c, d }, other => Assert.Empty(AttachedToAlice(other)));
        Assert.Equal("Success", b.Ssm(Region).Find(execution.ExecutionId!)!.Status);
    }

    [Fact]
    public async Task Remediation_PayloadNamingAccountCWithBsExecutionId_IsRefusedAndNothingChangesInC()
    {
        var (b, c, _) = (AddMember("222222222222"), AddMember("333333333333"), AddMember("444444444444"));
        var aliceInB = SeedAlice(b);
        var aliceInC = SeedAlice(c);
        var central = await StartCentralFunctionAsync();
        // B's own automation, running, for B's alice: its ID is all B has to offer.
        var inB = b.Ssm(Region).StartAutomationExecution(DocumentName, new Dictionary<string, IReadOnlyList<string>> { ["IAMResourceId"] = [aliceInB.UserId] });
        string Forged(string userId, string executionId) => new JsonObject
        {
            ["IAMResourceId"] = userId, ["Action"] = "EnforceMfa", ["DryRun"] = "false", ["AccountId"] = c.AccountId, ["AutomationExecutionId"] = executionId,
        }.ToJsonString();
        // C's own automation for another user, and one of C's that has already ended.
        var otherInC = c.Ssm(Region).StartAutomationExecution(DocumentName, new Dictionary<string, IReadOnlyList<string>> { ["IAMResourceId"] = ["AIDAOTHERUSER00000000"] });
        var endedInC = c.Ssm(Region).StartAutomationExecution(DocumentName, new Dictionary<string, IReadOnlyList<string>> { ["IAMResourceId"] = [aliceInC.UserId] });
        c.Ssm(Region).Finish(endedInC.AutomationExecutionId, "Success");

        var (requestId, outcome) = central.Enqueue(Forged(aliceInC.UserId, inB.AutomationExecutionId));
        var withBsId = (await outcome).Json;
        var forAnotherUser = (await central.InvokeAsync(Forged(aliceInC.UserId, otherInC.AutomationExecutionId))).Json;
        var ended = (await central.InvokeAsync(Forged(aliceInC.UserId, endedInC.AutomationExecutionId))).Json;

        Assert.Equal(("Refused", false, false), (withBsId["outcome"]!.GetValue<string>(), withBsId["ok"]!.GetValue<bool>(), withBsId["changed"]!.GetValue<bool>()));
        Assert.Contains($"account 333333333333 has no automation execution {inB.AutomationExecutionId}", withBsId["why"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("was started for IAMResourceId 'AIDAOTHERUSER00000000'", forAnotherUser["why"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("is Success, not InProgress", ended["why"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(new[] { forAnotherUser, ended }, r => Assert.Equal("Refused", r["outcome"]!.GetValue<string>()));
        Assert.Empty(AttachedToAlice(c));
        Assert.Empty(AttachedToAlice(b));
        var line = Assert.Single(central.LogLinesOf(requestId), l => l["message"]!.GetValue<string>().StartsWith("remediation refused", StringComparison.Ordinal));
        Assert.Equal(("ERROR", "333333333333", inB.AutomationExecutionId), (line["level"]!.GetValue<string>(), line["account"]!.GetValue<string>(), line["automationExecutionId"]!.GetValue<string>()));
        // Counted as a refused event, with no per-account dimension: a claimed account cannot add metrics.
        var metrics = EmbeddedMetricFormat.Extract(line);
        Assert.Equal(1, Assert.Single(metrics, m => m.Name == RuleMetrics.RefusedEvents.Name).Value);
        Assert.Equal(0, Assert.Single(metrics, m => m.Name == RuleMetrics.UsersRemediated.Name).Value);
        Assert.All(metrics, m => Assert.Empty(m.Dimensions));
    }

    [Fact]
    public async Task Remediation_WhoseAutomationStoppedWaitingBeforeTheWrite_ChangesNothing()
    {
        var b = AddMember("222222222222");
        var aliceInB = SeedAlice(b);
        var central = await StartCentralFunctionAsync();
        var running = b.Ssm(Region).StartAutomationExecution(DocumentName, new Dictionary<string, IReadOnlyList<string>> { ["IAMResourceId"] = [aliceInB.UserId] });
        var request = new JsonObject
        {
            ["IAMResourceId"] = aliceInB.UserId, ["Action"] = "EnforceMfa", ["DryRun"] = "false", ["AccountId"] = b.AccountId, ["AutomationExecutionId"] = running.AutomationExecutionId,
        }.ToJsonString();

        // The first check passes (the automation runs); while the function then reads B's users, the runbook's script
        // gives up and the automation fails, as it does when the wait outlasts the script's read timeout.
        using var slowRead = Aws.Faults.Inject(AwsServiceNames.Iam, "ListUsers", Fault.Latency(TimeSpan.FromSeconds(3)), FaultSchedule.NextCalls(1));
        var (_, outcome) = central.Enqueue(request);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (slowRead.TimesFired == 0 && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(20);
        Assert.Equal(1, slowRead.TimesFired);
        b.Ssm(Region).Finish(running.AutomationExecutionId, "Failed");
        var result = (await outcome).Json;

        Assert.Equal(("CannotConfirm", false, false), (result["outcome"]!.GetValue<string>(), result["ok"]!.GetValue<bool>(), result["changed"]!.GetValue<bool>()));
        Assert.Contains($"The asking automation stopped waiting before the change: execution {running.AutomationExecutionId} in account 222222222222 is Failed, not InProgress",
            result["why"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith("; nothing was changed.", result["why"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(AttachedToAlice(b));
    }

    [Boto3Fact]
    public async Task Remediation_MemberWithoutTheRemediationRole_FailsAloneWhileTheOthersAreRemediated()
    {
        var (b, missing, d) = (AddMember("222222222222"), AddMember("333333333333", withRole: false), AddMember("444444444444"));
        var users = new[] { b, missing, d }.ToDictionary(m => m.AccountId, m => SeedAlice(m).UserId, StringComparer.Ordinal);
        var central = Deploy(await StartCentralFunctionAsync());

        var inB = await RunInAsync(b, central, users[b.AccountId]);
        var inMissing = await RunInAsync(missing, central, users[missing.AccountId]);
        var inD = await RunInAsync(d, central, users[d.AccountId]);

        Assert.True(inB.Succeeded, inB.FailureMessage);
        Assert.True(inD.Succeeded, inD.FailureMessage);
        Assert.False(inMissing.Succeeded);
        Assert.StartsWith($"Step AssertResult failed: CannotConfirm: Cannot assume arn:aws:iam::333333333333:role/{RemediationRoleName} in account 333333333333: AccessDenied",
            inMissing.FailureMessage, StringComparison.Ordinal);
        Assert.Equal([PolicyArnIn(b)], AttachedToAlice(b));
        Assert.Equal([PolicyArnIn(d)], AttachedToAlice(d));
        Assert.Empty(AttachedToAlice(missing));
    }

    [Fact]
    public async Task Lift_AcrossMembers_DetachesWhereMfaIsOnAndNamesTheAccountItCouldNotReach()
    {
        var (b, c, missing) = (AddMember("222222222222"), AddMember("333333333333"), AddMember("444444444444", withRole: false));
        var withMfa = new MfaDeviceSeed(MfaDeviceKind.Virtual, Now.AddDays(-1));
        SeedAlice(b, s => s with { AttachedPolicyArns = [PolicyArnIn(b)], MfaDevices = [withMfa] });
        SeedAlice(c, s => s with { AttachedPolicyArns = [PolicyArnIn(c)] });
        c.SeedUsers([new UserSeed("bob") { LoginProfile = new LoginProfileSeed(Now.AddDays(-30)), AttachedPolicyArns = [PolicyArnIn(c)], MfaDevices = [withMfa] }]);
        SeedAlice(missing, s => s with { AttachedPolicyArns = [PolicyArnIn(missing)], MfaDevices = [withMfa] });
        var central = await StartCentralFunctionAsync();

        var (requestId, outcome) = central.Enqueue("""{"source":"aws.events","detail-type":"Scheduled Event","detail":{}}""");
        var lift = await outcome;

        Assert.Equal("LiftIncomplete", lift.ErrorType);
        Assert.Contains("lifted in 3 of 4 accounts; not swept: 444444444444 (cannot assume", lift.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(AttachedToAlice(b));
        Assert.Equal([PolicyArnIn(c)], AttachedToAlice(c));
        Assert.Empty(c.FindUser("bob")!.AttachedPolicyArns);
        Assert.Equal([PolicyArnIn(missing)], AttachedToAlice(missing));
        var summary = Assert.Single(central.LogLinesOf(requestId), l => l["message"]!.GetValue<string>().StartsWith("lift sweep incomplete", StringComparison.Ordinal));
        Assert.Equal(["444444444444"], summary["failedAccounts"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(2, summary["counts"]!["Lifted"]!.GetValue<int>());
        var metrics = EmbeddedMetricFormat.Extract(summary);
        Assert.Equal(1, Assert.Single(metrics, m => m.Name == RuleMetrics.IncompleteLifts.Name).Value);
        Assert.Equal(2, Assert.Single(metrics, m => m.Name == RuleMetrics.UsersLifted.Name).Value);
    }

    /// <summary>
    /// The path itself: the member's script assumes the invoker role (STS in the double judges the trust as the admin stack
    /// writes it) and invokes the function as that role (the double's Lambda admits only it), once.
    /// </summary>
    [Boto3Fact]
    public async Task Remediation_MembersRunbook_AssumesTheInvokerRoleAndInvokesTheCentralFunctionOnce()
    {
        var b = AddMember("222222222222");
        var aliceInB = SeedAlice(b);
        var central = Deploy(await StartCentralFunctionAsync());
        var before = Aws.State.Requests.Snapshot();

        var execution = await RunInAsync(b, central, aliceInB.UserId);

        Assert.True(execution.Succeeded, execution.FailureMessage);
        var after = Aws.State.Requests.Snapshot();
        int Delta(string call) => after.GetValueOrDefault(call) - before.GetValueOrDefault(call);
        // One AssumeRole by the script (the invoker role), one by the central function (B's remediation role).
        Assert.Equal((2, 1), (Delta("sts:AssumeRole"), Delta("lambda:Invoke")));
        Assert.Equal(1, Account.Lambda(Region).Invocations(CentralFunctionName));
        Assert.Equal("222222222222", ResultOf(execution)["user"]!["account"]!.GetValue<string>());
        Assert.Equal([PolicyArnIn(b)], AttachedToAlice(b));
    }

    /// <summary>A role of the Automation role's name in an account outside the Organization is refused at AssumeRole: the function never runs.</summary>
    [Boto3Fact]
    public async Task Remediation_AutomationRoleOfAnAccountOutsideTheOrganization_IsRefusedAtAssumeRoleAndNothingChanges()
    {
        var outsider = AddMember("999999999999", inOrganization: false);
        var alice = SeedAlice(outsider);
        var central = Deploy(await StartCentralFunctionAsync());

        var execution = await RunInAsync(outsider, central, alice.UserId);

        Assert.False(execution.Succeeded);
        Assert.StartsWith($"Step Remediate failed: AccessDenied: this automation's role may not assume the invoker role {InvokerRoleArn}. " +
            $"That role trusts only a role named {AutomationRoleName} (aws:PrincipalArn) in an account of the Organization", execution.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("check that this account is in that Organization", execution.FailureMessage, StringComparison.Ordinal);
        Assert.Equal(0, Account.Lambda(Region).Invocations(CentralFunctionName));
        Assert.Empty(AttachedToAlice(outsider));
        Assert.Equal("Failed", outsider.Ssm(Region).Find(execution.ExecutionId!)!.Status);
    }

    /// <summary>Calling the function directly, as anyone but the invoker role, is AccessDenied: a member's Automation role, and another role of the hub.</summary>
    [Boto3Fact]
    public async Task CentralFunction_CalledDirectlyByAPrincipalOtherThanTheInvokerRole_IsAccessDenied()
    {
        var b = AddMember("222222222222");
        var central = Deploy(await StartCentralFunctionAsync());
        Account.AddRole("HubReader");
        var callers = new[]
        {
            b.StartRoleSession(AutomationRoleName, "automation", TimeSpan.FromHours(1)),
            Account.StartRoleSession("HubReader", "reader", TimeSpan.FromHours(1)),
        };
        const string Script = """
            import json, sys
            import boto3
            from botocore.exceptions import ClientError
            try:
                boto3.client("lambda").invoke(FunctionName=sys.argv[1], InvocationType="RequestResponse", Payload=b"{}")
                print(json.dumps({"code": None}))
            except ClientError as error:
                print(json.dumps({"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}))
            """;

        foreach (var caller in callers)
        {
            var run = await Tool.RunAsync("python3", ["-c", Script, central], TimeSpan.FromMinutes(1),
                Boto3.Environment(Aws.BaseUrl, Region, caller.AccessKeyId, caller.SecretAccessKey, caller.SessionToken));
            Assert.True(run.ExitCode == 0, run.ToString());
            var answer = JsonNode.Parse(run.Stdout)!;
            Assert.Equal("AccessDeniedException", answer["code"]?.GetValue<string>());
            Assert.StartsWith($"User: {caller.Arn} is not authorized to perform: lambda:InvokeFunction on resource: {central}", answer["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        Assert.Equal(0, Account.Lambda(Region).Invocations(CentralFunctionName));
    }
}

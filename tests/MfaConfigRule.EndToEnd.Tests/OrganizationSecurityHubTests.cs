using AwsDouble;
using AwsDouble.Faults;
using AwsDouble.Iam;
using AwsDouble.Population;
using AwsDouble.SecurityHub;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// The central function with the rule's options as one account has them: with <c>SECURITY_HUB_FINDINGS=direct</c> each
/// member's findings go into that member's own Security Hub (its account ID, its default product), signed with the member
/// role's session, and a member whose Security Hub is off, throttles or refuses findings still gets every Config verdict;
/// ReportChangesOnly and the other rule parameters act per member exactly as in one account.
/// </summary>
public sealed partial class OrganizationTests
{
    private static readonly Dictionary<string, string> DirectFindings = new(StringComparer.Ordinal) { ["SECURITY_HUB_FINDINGS"] = "direct" };

    private static SecurityHubRegion HubOf(DoubleAccount account) => account.SecurityHub(Region);

    /// <summary>The member's hub holds one finding per user it has, each about that member and on that member's default product.</summary>
    private static void AssertFindingsOfItsOwn(DoubleAccount member)
    {
        var findings = HubOf(member).Findings;
        Assert.Equal(member.Users.Select(u => u.UserId).Order(StringComparer.Ordinal), findings.Select(f => f.UserId!).Order(StringComparer.Ordinal));
        var product = $"arn:aws:securityhub:{Region}:{member.AccountId}:product/{member.AccountId}/default";
        Assert.All(findings, f =>
        {
            Assert.Equal(member.AccountId, f.Finding["AwsAccountId"]!.GetValue<string>());
            Assert.Equal(product, f.ProductArn);
            Assert.StartsWith($"mfa-config-rule/{member.AccountId}/iam-user/", f.Id, StringComparison.Ordinal);
            Assert.StartsWith($"arn:aws:iam::{member.AccountId}:user/", f.ResourceId, StringComparison.Ordinal);
        });
        var verdicts = member.Config(Region).Results(RuleName).ToDictionary(r => r.ResourceId, r => r.ComplianceType, StringComparer.Ordinal);
        Assert.All(findings, f => Assert.Equal(f.ComplianceStatus switch
        {
            "FAILED" => Verdict.NonCompliant,
            "PASSED" => Verdict.Compliant,
            _ => Verdict.NotApplicable,
        }, verdicts[f.UserId!]));
    }

    [Fact]
    public async Task CentralFunction_DirectFindings_EachMembersFindingsLandInItsOwnHubAndNoneInTheHubAccounts()
    {
        var policy = RulePolicy.WithExemptions;
        var members = new[] { AddMember("222222222222", 30, seed: 2), AddMember("333333333333", 45, seed: 3), AddMember("444444444444", 120, seed: 4) };
        var function = await StartCentralFunctionAsync(DirectFindings);

        foreach (var (member, users) in members)
        {
            var (requestId, outcome) = function.Enqueue(MemberEvent(member, policy));
            var result = await outcome;

            Assert.True(result.Succeeded, result.ToString());
            VerdictAssert.Exactly(policy.ExpectedById(users), Stored(member), Names(member));
            AssertFindingsOfItsOwn(member);
            var summary = SummaryLine(function, requestId);
            Assert.Equal("INFO", summary["level"]!.GetValue<string>());
            Assert.Equal(users.Count, summary["securityHub"]!["imported"]!.GetValue<int>());
            Assert.Equal((users.Count + 99) / 100, summary["apiCalls"]!["securityhub:BatchImportFindings"]!.GetValue<int>());
        }
        Assert.Empty(HubOf(Account).Imports);
        Assert.Empty(HubOf(Account).Findings);
        var bob = First(members[2].Users, PopulationCase.PasswordWithoutMfa);
        var finding = HubOf(members[2].Account).Findings.Single(f => f.UserId == bob.UserId);
        Assert.Equal(("FAILED", "HIGH", $"IAM user {bob.UserName} can sign in to the console without MFA"), (finding.ComplianceStatus, finding.SeverityLabel, finding.Title));
    }

    [Fact]
    public async Task CentralFunction_DirectFindings_ManagementAccountsOwnRuleExportsIntoItsOwnHubThroughItsMemberRole()
    {
        var policy = RulePolicy.WithExemptions;
        var users = Populate(Account, 35, seed: 1, withRole: true);
        var (member, memberUsers) = AddMember("222222222222", 20, seed: 2);
        var function = await StartCentralFunctionAsync(DirectFindings);

        var own = await function.InvokeAsync(MemberEvent(Account, policy));
        var other = await function.InvokeAsync(MemberEvent(member, policy));

        Assert.True(own.Succeeded, own.ToString());
        Assert.True(other.Succeeded, other.ToString());
        VerdictAssert.Exactly(policy.ExpectedById(users), Stored(Account), Names(Account));
        AssertFindingsOfItsOwn(Account);
        AssertFindingsOfItsOwn(member);
        Assert.Equal(memberUsers.Count, HubOf(member).Findings.Count);
    }

    [Fact]
    public async Task CentralFunction_BadSecurityHubSetting_ReportsAnInitializationErrorNamingIt()
    {
        var function = await StartCentralFunctionAsync(new Dictionary<string, string> { ["SECURITY_HUB_FINDINGS"] = "on" });

        var error = await function.RuntimeApi.InitializationError.WaitAsync(LambdaFunction.OutcomeWait);

        Assert.Equal("Runtime.InvalidConfiguration", error.ErrorType);
        Assert.Contains("SECURITY_HUB_FINDINGS='on' is not 'direct' or 'off'", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CentralFunction_MemberHubsDisabledThrottlingOrRefusing_EveryConfigVerdictStandsAndEachLineWarns()
    {
        var policy = RulePolicy.WithExemptions;
        var (healthy, healthyUsers) = AddMember("222222222222", 25, seed: 2);
        var (disabled, disabledUsers) = AddMember("333333333333", 25, seed: 3);
        var (throttling, throttlingUsers) = AddMember("444444444444", 25, seed: 4);
        var (refusing, refusingUsers) = AddMember("555555555555", 25, seed: 5);
        HubOf(disabled).Enabled = false;
        // Every call refuses the last 5 findings as invalid: another attempt would not fix them.
        HubOf(refusing).FailFindings(calls: 10, perCall: 5, errorCode: "InvalidInput");
        var function = await StartCentralFunctionAsync(DirectFindings);

        var (healthyId, healthyRun) = function.Enqueue(MemberEvent(healthy, policy));
        var healthyOutcome = await healthyRun;
        var (disabledId, disabledRun) = function.Enqueue(MemberEvent(disabled, policy));
        var disabledOutcome = await disabledRun;
        string throttlingId;
        InvocationOutcome throttlingOutcome;
        using (Aws.Faults.Inject("securityhub", "BatchImportFindings", Fault.Throttling(), FaultSchedule.UntilCleared()))
        {
            (throttlingId, var throttlingRun) = function.Enqueue(MemberEvent(throttling, policy));
            throttlingOutcome = await throttlingRun;
        }
        var (refusingId, refusingRun) = function.Enqueue(MemberEvent(refusing, policy));
        var refusingOutcome = await refusingRun;

        foreach (var (member, users, outcome) in new[]
        {
            (healthy, healthyUsers, healthyOutcome), (disabled, disabledUsers, disabledOutcome),
            (throttling, throttlingUsers, throttlingOutcome), (refusing, refusingUsers, refusingOutcome),
        })
        {
            Assert.True(outcome.Succeeded, $"{member.AccountId}: {outcome}");
            VerdictAssert.Exactly(policy.ExpectedById(users), Stored(member), Names(member));
        }
        AssertFindingsOfItsOwn(healthy);
        Assert.Equal("INFO", SummaryLine(function, healthyId)["level"]!.GetValue<string>());

        var disabledLine = SummaryLine(function, disabledId);
        Assert.Equal("WARN", disabledLine["level"]!.GetValue<string>());
        Assert.Contains($"Security Hub is not enabled in account {disabled.AccountId}, Region {Region}", disabledLine["securityHubWarning"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(HubOf(disabled).Findings);

        var throttlingLine = SummaryLine(function, throttlingId);
        Assert.Equal("WARN", throttlingLine["level"]!.GetValue<string>());
        Assert.Contains("TooManyRequestsException", throttlingLine["securityHubWarning"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(25, throttlingLine["securityHub"]!["failed"]!.GetValue<int>());
        Assert.Empty(HubOf(throttling).Findings);

        var refusingLine = SummaryLine(function, refusingId);
        Assert.Equal("WARN", refusingLine["level"]!.GetValue<string>());
        Assert.Contains("5 finding(s) refused by Security Hub BatchImportFindings", refusingLine["securityHubWarning"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal((20, 5), (refusingLine["securityHub"]!["imported"]!.GetValue<int>(), refusingLine["securityHub"]!["failed"]!.GetValue<int>()));
        Assert.Equal(20, HubOf(refusing).Findings.Count);
        Assert.Empty(HubOf(Account).Findings);
    }

    [Fact]
    public async Task CentralFunction_ReportChangesOnly_EachMemberWritesOnlyItsOwnChanges()
    {
        var policy = RulePolicy.WithExemptions with { ReportChangesOnly = true, RefreshDays = 7 };
        var members = new[] { AddMember("222222222222", 40, seed: 2), AddMember("333333333333", 40, seed: 3), AddMember("444444444444", 40, seed: 4) };
        var expected = members.Select(m => policy.ExpectedById(m.Users)).ToArray();
        var function = await StartCentralFunctionAsync(DirectFindings);

        // A first sweep: Config holds nothing in any member, so every user is written.
        for (var i = 0; i < members.Length; i++) await MemberSweepAsync(function, members[i].Account, policy, expected[i], writes: 40);

        // One change in the first member, two in the second, none in the third.
        var (first, firstUsers) = members[0];
        using (var actions = new AwsActions(Aws, Region, first))
        {
            var hardware = First(firstUsers, PopulationCase.PasswordWithHardwareMfa);
            await actions.DeactivateMfaDeviceAsync(hardware.UserName, first.FindUser(hardware.UserName)!.MfaDevices.Single(d => d.Kind == MfaDeviceKind.Hardware).SerialNumber);
            expected[0][hardware.UserId] = Verdict.NonCompliant;
        }
        var (second, secondUsers) = members[1];
        using (var actions = new AwsActions(Aws, Region, second))
        {
            var withoutMfa = First(secondUsers, PopulationCase.PasswordWithoutMfa);
            await actions.EnableHardwareMfaDeviceAsync(withoutMfa.UserName, "GAHT-ORG-0001");
            expected[1][withoutMfa.UserId] = Verdict.Compliant;
            await actions.CreateUserAsync("new-joiner");
            expected[1][second.FindUser("new-joiner")!.UserId] = Verdict.NotApplicable;
        }

        // The changes that did not make a user NON_COMPLIANT, plus every NON_COMPLIANT user (stated again on every sweep).
        var writes = new[] { 0, 2, 0 }.Select((changes, i) => changes + expected[i].Count(p => p.Value == Verdict.NonCompliant)).ToArray();
        for (var i = 0; i < members.Length; i++)
        {
            var summary = await MemberSweepAsync(function, members[i].Account, policy, expected[i], writes[i]);
            // Config's writes follow the changes; every user's finding is still brought up to date in the member's hub.
            Assert.Equal(members[i].Account.Users.Count, summary["securityHub"]!["imported"]!.GetValue<int>());
            AssertFindingsOfItsOwn(members[i].Account);
        }
        Assert.Empty(Config.Results(RuleName));
    }

    /// <summary>One scheduled sweep of <paramref name="member"/> by the central function: Config there holds exactly <paramref name="expected"/>, and exactly <paramref name="writes"/> evaluations were written.</summary>
    private async Task<System.Text.Json.Nodes.JsonObject> MemberSweepAsync(LambdaFunction function, DoubleAccount member, RulePolicy policy, Dictionary<string, string> expected, int writes)
    {
        var config = member.Config(Region);
        var before = config.EvaluationsWritten(RuleName);
        var (requestId, pending) = function.Enqueue(MemberEvent(member, policy));
        var outcome = await pending;

        Assert.True(outcome.Succeeded, $"{member.AccountId}: {outcome}");
        VerdictAssert.Exactly(expected, Stored(member), Names(member));
        var summary = SummaryLine(function, requestId);
        Assert.True(writes == config.EvaluationsWritten(RuleName) - before,
            $"{member.AccountId}: {config.EvaluationsWritten(RuleName) - before} evaluations written, expected {writes}");
        Assert.Equal(writes, summary["written"]!.GetValue<int>());
        Assert.Equal(member.AccountId, summary["account"]!.GetValue<string>());
        return summary;
    }

    [Fact]
    public async Task CentralFunction_EachMembersRuleParameters_DecideItsVerdictsAsInOneAccount()
    {
        var strict = RulePolicy.WithExemptions with { FidoOnly = true, NoPasswordCompliant = true };
        var (first, firstUsers) = AddMember("222222222222", 40, seed: 2);
        var (second, secondUsers) = AddMember("333333333333", 40, seed: 3);
        var function = await StartCentralFunctionAsync();

        var strictOutcome = await function.InvokeAsync(MemberEvent(first, strict));
        var defaultOutcome = await function.InvokeAsync(MemberEvent(second, RulePolicy.Defaults));
        var (badId, badRun) = function.Enqueue(MemberEvent(second, RulePolicy.Defaults with { ReportChangesOnly = true, RefreshDays = 0 }));
        var bad = await badRun;

        Assert.True(strictOutcome.Succeeded, strictOutcome.ToString());
        Assert.True(defaultOutcome.Succeeded, defaultOutcome.ToString());
        VerdictAssert.Exactly(strict.ExpectedById(firstUsers), Stored(first), Names(first));
        VerdictAssert.Exactly(RulePolicy.Defaults.ExpectedById(secondUsers), Stored(second), Names(second));
        // A bad parameter is the same error in a member as in one account, and nothing more is written there.
        Assert.Equal("InvalidParameterValueException", bad.ErrorType);
        Assert.Contains("RefreshDays", bad.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(secondUsers.Count, second.Config(Region).EvaluationsWritten(RuleName));
        Assert.Contains(function.LogLinesOf(badId), l => l["message"]!.GetValue<string>().StartsWith("the rule parameters are invalid", StringComparison.Ordinal));
    }
}

using System.Text.Json.Nodes;
using AwsDouble;
using AwsDouble.Organizations;
using AwsDouble.Population;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// The central <c>evaluate</c> function of an Organization deployment, as the real binary runs it in Lambda: a hub (the
/// management account) and members, each with its own IAM and Config. The function signs with its own role's session,
/// assumes each member's role (trusting only that role, in the Organization, with the external ID) and reports into
/// that member's Config; it refuses events that are not one member's own.
/// </summary>
public sealed partial class OrganizationTests(ITestOutputHelper output) : EndToEndTest(output)
{
    private const string MemberRoleName = "MfaRuleMember";
    private const string HubRoleName = "MfaRuleHubEvaluate";
    private const string ExternalId = "mfa-config-rule";

    private DoubleOrganization Organization => Aws.State.Organization ?? Aws.State.CreateOrganization(Account);

    /// <summary>A member account of the Organization with users, the rule, and (unless told otherwise) the member role.</summary>
    private (DoubleAccount Account, IReadOnlyList<SeededUser> Users) AddMember(string accountId, int users, int seed, bool withRole = true)
    {
        var member = Aws.State.AddAccount(accountId);
        Organization.Join(member);
        return (member, Populate(member, users, seed, withRole));
    }

    private IReadOnlyList<SeededUser> Populate(DoubleAccount member, int users, int seed, bool withRole)
    {
        if (withRole)
        {
            member.AddRole(MemberRoleName, $$$"""
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{Account.AccountId}}}:role/{{{HubRoleName}}}"},
                  "Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"{{{ExternalId}}}","aws:PrincipalOrgID":"{{{Organization.Id}}}"} } }]}
                """);
        }
        member.Config(Region).PutCustomLambdaRule(RuleName);
        var members = Populations.SamplesStyleMembers(users, Now, seed);
        var snapshots = member.SeedUsers(members.Select(m => m.Seed));
        return members.Zip(snapshots, (m, s) => new SeededUser(s.UserName, s.UserId, m.Case)).ToList();
    }

    /// <summary>The central function: its role's session as Lambda hands it over, the Organization settings, and <paramref name="extra"/>.</summary>
    private Task<LambdaFunction> StartCentralFunctionAsync(IReadOnlyDictionary<string, string>? extra = null)
    {
        Account.AddRole(HubRoleName);
        var session = Account.StartRoleSession(HubRoleName, "mfa-config-rule-evaluate", TimeSpan.FromHours(1));
        var environment = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = session.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = session.SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = session.SessionToken!,
            ["MFA_RULE_MEMBER_ROLE_NAME"] = MemberRoleName,
            ["MFA_RULE_MEMBER_ROLE_EXTERNAL_ID"] = ExternalId,
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string>()) environment[name] = value;
        return StartFunctionAsync("evaluate", environment);
    }

    /// <summary>The scheduled event the member's Config sends: its account, its rule's ARN, its Config role.</summary>
    private string MemberEvent(DoubleAccount member, RulePolicy policy, string? ruleArnAccount = null)
    {
        var config = member.Config(Region);
        var envelope = JsonNode.Parse(ConfigEvents.Scheduled(RuleName, config.IssueResultToken(RuleName), policy.ParametersJson(), Now))!.AsObject();
        var ruleArn = config.FindRule(RuleName)!.ConfigRuleArn;
        envelope["accountId"] = member.AccountId;
        envelope["configRuleArn"] = ruleArnAccount is null ? ruleArn : ruleArn.Replace(member.AccountId, ruleArnAccount, StringComparison.Ordinal);
        envelope["executionRoleArn"] = $"arn:aws:iam::{member.AccountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig";
        return envelope.ToJsonString();
    }

    private static IEnumerable<(string, string, string, string?)> Stored(DoubleAccount account) => VerdictAssert.Of(account.Config(Region).Results(RuleName));

    private static IReadOnlyDictionary<string, string> Names(DoubleAccount account) => account.Users.ToDictionary(u => u.UserId, u => u.UserName, StringComparer.Ordinal);

    [Fact]
    public async Task CentralFunction_ThreeMembers_EachMembersVerdictsLandInThatMembersConfig()
    {
        var policy = RulePolicy.WithExemptions;
        var members = new[] { AddMember("222222222222", 30, seed: 2), AddMember("333333333333", 45, seed: 3), AddMember("444444444444", 60, seed: 4) };
        var function = await StartCentralFunctionAsync();

        foreach (var (member, users) in members)
        {
            var (requestId, outcome) = function.Enqueue(MemberEvent(member, policy));
            var result = await outcome;

            Assert.True(result.Succeeded, result.ToString());
            VerdictAssert.Exactly(policy.ExpectedById(users), Stored(member), Names(member));
            Assert.Equal(member.AccountId, SummaryLine(function, requestId)["account"]!.GetValue<string>());
        }
        Assert.Empty(Config.Results(RuleName));
        Assert.All(members, m => Assert.DoesNotContain(m.Account.Config(Region).Calls(), c => c.TestMode));
    }

    [Fact]
    public async Task CentralFunction_EventOfAnAccountOutsideTheOrganization_IsRefusedAndNothingIsWritten()
    {
        var (member, _) = AddMember("222222222222", 10, seed: 2);
        var outsider = Aws.State.AddAccount("999999999999");
        Populate(outsider, 10, seed: 9, withRole: true);
        var function = await StartCentralFunctionAsync();

        var (requestId, outcome) = function.Enqueue(MemberEvent(outsider, RulePolicy.Defaults));
        var refused = await outcome;

        Assert.False(refused.Succeeded);
        Assert.Equal("EventRefused", refused.ErrorType);
        Assert.Contains("account 999999999999 is not one of the Organization's active accounts", refused.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(outsider.Config(Region).Calls());
        var line = Assert.Single(function.LogLinesOf(requestId), l => l["message"]!.GetValue<string>().StartsWith("event refused", StringComparison.Ordinal));
        Assert.Equal("ERROR", line["level"]!.GetValue<string>());
        Assert.Equal("999999999999", line["account"]!.GetValue<string>());
        Assert.Empty(member.Config(Region).Calls());
    }

    [Fact]
    public async Task CentralFunction_EventWhoseRuleBelongsToAnotherMember_IsRefusedAndNeitherIsWritten()
    {
        var (first, _) = AddMember("222222222222", 10, seed: 2);
        var (second, _) = AddMember("333333333333", 10, seed: 3);
        var function = await StartCentralFunctionAsync();

        var refused = await function.InvokeAsync(MemberEvent(first, RulePolicy.Defaults, ruleArnAccount: second.AccountId));

        Assert.Equal("EventRefused", refused.ErrorType);
        Assert.Contains("belongs to account 333333333333, not to the event's accountId 222222222222", refused.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(first.Config(Region).Calls());
        Assert.Empty(second.Config(Region).Calls());
    }

    [Fact]
    public async Task CentralFunction_MemberWithoutTheRole_GetsNoVerdictsAndAClearErrorWhileTheOthersComplete()
    {
        var policy = RulePolicy.Defaults;
        var (first, firstUsers) = AddMember("222222222222", 20, seed: 2);
        var (missing, _) = AddMember("333333333333", 20, seed: 3, withRole: false);
        var (last, lastUsers) = AddMember("444444444444", 20, seed: 4);
        var function = await StartCentralFunctionAsync();

        var firstOutcome = await function.InvokeAsync(MemberEvent(first, policy));
        var missingOutcome = await function.InvokeAsync(MemberEvent(missing, policy));
        var lastOutcome = await function.InvokeAsync(MemberEvent(last, policy));

        Assert.True(firstOutcome.Succeeded, firstOutcome.ToString());
        Assert.True(lastOutcome.Succeeded, lastOutcome.ToString());
        VerdictAssert.Exactly(policy.ExpectedById(firstUsers), Stored(first), Names(first));
        VerdictAssert.Exactly(policy.ExpectedById(lastUsers), Stored(last), Names(last));
        Assert.Equal("MemberRoleUnavailable", missingOutcome.ErrorType);
        Assert.Contains($"cannot assume arn:aws:iam::{missing.AccountId}:role/{MemberRoleName}", missingOutcome.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", missingOutcome.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(missing.Config(Region).Calls());
        Assert.Empty(missing.Config(Region).Results(RuleName));
    }

    /// <summary>The admin stack in a delegated administrator: the hub is a member, the management account another.</summary>
    private DoubleAccount MakeHubADelegatedAdministrator()
    {
        var management = Aws.State.AddAccount("111111111111");
        var organization = Aws.State.CreateOrganization(management);
        organization.Join(Account);
        organization.RegisterDelegatedAdministrator(Account.AccountId);
        return management;
    }

    [Fact]
    public async Task CentralFunction_InADelegatedAdministrator_EvaluatesTheMembersAndTheManagementAccount()
    {
        var policy = RulePolicy.WithExemptions;
        var management = MakeHubADelegatedAdministrator();
        // What the ManagementAccountCommand output deploys there: the member template's rule and role.
        var managementUsers = Populate(management, 15, seed: 1, withRole: true);
        var (member, memberUsers) = AddMember("222222222222", 20, seed: 2);
        var function = await StartCentralFunctionAsync();

        var managementOutcome = await function.InvokeAsync(MemberEvent(management, policy));
        var memberOutcome = await function.InvokeAsync(MemberEvent(member, policy));

        Assert.True(managementOutcome.Succeeded, managementOutcome.ToString());
        Assert.True(memberOutcome.Succeeded, memberOutcome.ToString());
        VerdictAssert.Exactly(policy.ExpectedById(managementUsers), Stored(management), Names(management));
        VerdictAssert.Exactly(policy.ExpectedById(memberUsers), Stored(member), Names(member));
    }

    /// <summary>The member role's aws:PrincipalOrgID condition at work: a hub that left the Organization is refused by STS.</summary>
    [Fact]
    public async Task CentralFunction_AfterItsAccountLeftTheOrganization_MemberRolesRefuseItsRole()
    {
        var policy = RulePolicy.Defaults;
        MakeHubADelegatedAdministrator();
        var (first, firstUsers) = AddMember("222222222222", 10, seed: 2);
        var (second, _) = AddMember("333333333333", 10, seed: 3);
        var function = await StartCentralFunctionAsync();
        var before = await function.InvokeAsync(MemberEvent(first, policy));

        // The function still holds the Organization's accounts (kept 15 minutes); only STS can tell it is outside now.
        Organization.Leave(Account.AccountId);
        var after = await function.InvokeAsync(MemberEvent(second, policy));

        Assert.True(before.Succeeded, before.ToString());
        VerdictAssert.Exactly(policy.ExpectedById(firstUsers), Stored(first), Names(first));
        Assert.Equal("MemberRoleUnavailable", after.ErrorType);
        Assert.Contains($"cannot assume arn:aws:iam::{second.AccountId}:role/{MemberRoleName}", after.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", after.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(second.Config(Region).Calls());
    }

    private const string AuditorRoleName = "MfaAuditor";

    /// <summary>A role for a person's audit: the hub account's own principals (here its root key) may assume it.</summary>
    private void AddAuditorRole(DoubleAccount account) => account.AddRole(AuditorRoleName, $$$"""
        {"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{{Account.AccountId}}}:root"},"Action":"sts:AssumeRole"}]}
        """);

    private Task<ToolRun> CliAsync(params string[] arguments) =>
        Tool.RunAsync(Binary.FileName, Binary.Arguments(arguments), TimeSpan.FromMinutes(3), AwsEnvironment());

    [Fact]
    public async Task Cli_EvaluateOrganization_OneReportWithAnAccountColumnAndTheUnreachableAccountNamed()
    {
        var policy = RulePolicy.WithExemptions;
        var hubUsers = Populate(Account, 12, seed: 1, withRole: false);
        AddAuditorRole(Account);
        var (first, firstUsers) = AddMember("222222222222", 25, seed: 2, withRole: false);
        AddAuditorRole(first);
        var (unreachable, _) = AddMember("333333333333", 10, seed: 3, withRole: false);
        var (last, lastUsers) = AddMember("444444444444", 30, seed: 4, withRole: false);
        AddAuditorRole(last);

        var run = await CliAsync("evaluate", "--assume-role", AuditorRoleName, "--organization", "--output", "json", "--parameters", policy.ParametersJson()!);

        Assert.True(run.ExitCode == 2, run.ToString());
        var rows = JsonNode.Parse(run.Stdout)!.AsArray().Select(r => r!.AsObject()).ToList();
        foreach (var (account, users) in new[] { (Account, hubUsers), (first, firstUsers), (last, lastUsers) })
        {
            var ids = account.Users.ToDictionary(u => u.UserName, u => u.UserId, StringComparer.Ordinal);
            var verdicts = rows.Where(r => r["account"]!.GetValue<string>() == account.AccountId)
                .ToDictionary(r => ids[r["user"]!.GetValue<string>()], r => r["compliance"]!.GetValue<string>(), StringComparer.Ordinal);
            Assert.Equal(policy.ExpectedById(users).OrderBy(p => p.Key, StringComparer.Ordinal), verdicts.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
        var missing = Assert.Single(rows, r => r["account"]!.GetValue<string>() == unreachable.AccountId);
        Assert.Equal(("(whole account)", "INSUFFICIENT_DATA"), (missing["user"]!.GetValue<string>(), missing["compliance"]!.GetValue<string>()));
        Assert.Contains($"cannot assume arn:aws:iam::{unreachable.AccountId}:role/{AuditorRoleName}: AccessDenied", missing["annotation"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("audited 4/4 accounts", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("NON_COMPLIANT", rows[0]["compliance"]!.GetValue<string>());
        Assert.All(new[] { Account, first, unreachable, last }, a => Assert.Empty(a.Config(Region).Calls()));
    }

    [Fact]
    public async Task Cli_EvaluateAccountsAsCsv_HasTheAccountColumnAndFindingsExitOne()
    {
        var (first, _) = AddMember("222222222222", 15, seed: 2, withRole: false);
        AddAuditorRole(first);
        var (second, _) = AddMember("333333333333", 15, seed: 3, withRole: false);
        AddAuditorRole(second);

        var run = await CliAsync("evaluate", "--assume-role", AuditorRoleName, "--accounts", "333333333333,222222222222", "--output", "csv");
        var badAccount = await CliAsync("evaluate", "--assume-role", AuditorRoleName, "--accounts", "22222222222x");

        Assert.True(run.ExitCode == 1, run.ToString());
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("account,user,arn,compliance,annotation", lines[0].Trim());
        Assert.Equal(31, lines.Length);
        Assert.Equal(["222222222222", "333333333333"], lines.Skip(1).Select(l => l[..12]).Distinct().Order());
        Assert.Equal(2, badAccount.ExitCode);
        Assert.Contains("--accounts: '22222222222x' is not a 12-digit AWS account ID", badAccount.Stderr, StringComparison.Ordinal);
    }
}

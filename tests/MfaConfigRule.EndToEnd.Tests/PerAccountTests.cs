using System.Text.Json.Nodes;
using AwsDouble;
using AwsDouble.Organizations;
using AwsDouble.Population;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>
/// The per-account mode (the account template, as a StackSet, CfCT, LZA or under a conformance pack), as the real binary
/// runs it in Lambda: a hub (the management account, holding only the aggregator) and three members, each running its
/// own <c>evaluate</c> function with its own role's session. Each function reads only its own account's IAM and writes
/// only into its own account's Config; no role is assumed anywhere; and the hub's <c>report --aggregator</c> shows every
/// member from the aggregator alone.
/// </summary>
public sealed class PerAccountTests(ITestOutputHelper output) : EndToEndTest(output)
{
    /// <summary>The fixed name the account template gives the function (what a conformance pack's rule names).</summary>
    private const string FunctionName = "mfa-config-rule-evaluate";
    private const string FunctionRole = "mfa-config-rule-evaluate-role";

    private DoubleOrganization Organization => Aws.State.Organization ?? Aws.State.CreateOrganization(Account);

    private (DoubleAccount Account, IReadOnlyList<SeededUser> Users) AddMember(string accountId, int users, int seed)
    {
        var member = Aws.State.AddAccount(accountId);
        Organization.Join(member, $"member-{seed}");
        member.Config(Region).PutCustomLambdaRule(RuleName);
        var population = Populations.SamplesStyleMembers(users, Now, seed);
        var snapshots = member.SeedUsers(population.Select(m => m.Seed));
        return (member, population.Zip(snapshots, (m, s) => new SeededUser(s.UserName, s.UserId, m.Case)).ToList());
    }

    /// <summary>
    /// The member's own function: its role's session in that account, as Lambda hands it over, and the environment the
    /// account template sets (Security Hub's direct export off, no member role: nothing to assume).
    /// </summary>
    private Task<LambdaFunction> StartOwnFunctionAsync(DoubleAccount member)
    {
        member.AddRole(FunctionRole);
        var session = member.StartRoleSession(FunctionRole, FunctionName, TimeSpan.FromHours(1));
        return StartFunctionAsync("evaluate", new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = session.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = session.SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = session.SessionToken!,
            // rule/Contract/SecurityHubSettings.cs: the template's default, the direct export off.
            ["SECURITY_HUB_FINDINGS"] = "off",
            ["SECURITY_HUB_FAILED_SEVERITY"] = "HIGH",
        });
    }

    /// <summary>The scheduled event the member's own Config sends to the function in that account.</summary>
    private string OwnEvent(DoubleAccount member, RulePolicy policy)
    {
        var config = member.Config(Region);
        var envelope = JsonNode.Parse(ConfigEvents.Scheduled(RuleName, config.IssueResultToken(RuleName), policy.ParametersJson(), Now))!.AsObject();
        envelope["accountId"] = member.AccountId;
        envelope["configRuleArn"] = config.FindRule(RuleName)!.ConfigRuleArn;
        envelope["executionRoleArn"] = $"arn:aws:iam::{member.AccountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig";
        return envelope.ToJsonString();
    }

    [Fact]
    public async Task ThreeMembers_EachOwnFunctionWritesOnlyItsOwnConfig_NoRoleAssumed_AndTheHubsReportShowsThemAll()
    {
        var policy = RulePolicy.WithExemptions;
        _ = Organization;
        var members = new[] { AddMember("222222222222", 14, seed: 2), AddMember("333333333333", 17, seed: 3), AddMember("444444444444", 20, seed: 4) };
        var functions = await Task.WhenAll(members.Select(m => StartOwnFunctionAsync(m.Account)));

        var outcomes = await Task.WhenAll(members.Select((m, i) => functions[i].InvokeAsync(OwnEvent(m.Account, policy))));

        foreach (var ((member, users), outcome) in members.Zip(outcomes))
        {
            Assert.True(outcome.Succeeded, $"{member.AccountId}: {outcome}");
            var names = member.Users.ToDictionary(u => u.UserId, u => u.UserName, StringComparer.Ordinal);
            VerdictAssert.Exactly(policy.ExpectedById(users), VerdictAssert.Of(member.Config(Region).Results(RuleName)), names);
            // Every evaluation this account's Config received names one of its own users: no other account wrote here.
            var own = member.Users.Select(u => u.UserId).ToHashSet(StringComparer.Ordinal);
            var calls = member.Config(Region).Calls();
            Assert.NotEmpty(calls);
            Assert.All(calls.SelectMany(c => c.Evaluations), e => Assert.Contains(e.ComplianceResourceId, own));
        }
        Assert.Empty(Config.Calls());
        Assert.Empty(Config.Results(RuleName));
        var requests = Aws.State.Requests.Snapshot();
        Assert.DoesNotContain(requests.Keys, k => k.StartsWith("sts:AssumeRole", StringComparison.Ordinal));
        Assert.True(requests.GetValueOrDefault("config:PutEvaluations") >= members.Length, string.Join(", ", requests));

        // The hub: the Organization's aggregator, and the report read from it alone (no IAM of any member, no role).
        Account.AddConfigurationAggregator(Region, "org");
        var before = Aws.State.Requests.Snapshot();
        var report = await Tool.RunAsync(Binary.FileName, Binary.Arguments(["report", "--aggregator", "org", "--rule-name", RuleName, "-o", "json"]), TimeSpan.FromMinutes(3), AwsEnvironment());

        // The hub itself has no rule, so no results: exit 2, and it is named as such.
        Assert.True(report.ExitCode == 2, report.ToString());
        var document = JsonNode.Parse(report.Stdout)!;
        var accounts = document["accounts"]!.AsArray().ToDictionary(a => a!["accountId"]!.GetValue<string>(), a => a!["state"]!.GetValue<string>(), StringComparer.Ordinal);
        Assert.Equal(
            new Dictionary<string, string> { [Account.AccountId] = "NO_RESULTS", ["222222222222"] = "REPORTED", ["333333333333"] = "REPORTED", ["444444444444"] = "REPORTED" }.OrderBy(p => p.Key, StringComparer.Ordinal),
            accounts.OrderBy(p => p.Key, StringComparer.Ordinal));
        var rows = document["users"]!.AsArray()
            .ToDictionary(u => (u!["accountId"]!.GetValue<string>(), u["user"]!.GetValue<string>()), u => u!["verdict"]!.GetValue<string>());
        // The aggregator does not carry NOT_APPLICABLE (as AWS documents): those users show as NO_RESULT.
        var expected = members
            .SelectMany(m => m.Users.Select(u => ((m.Account.AccountId, u.UserName), policy.VerdictFor(u.Case))))
            .ToDictionary(e => e.Item1, e => e.Item2 == Verdict.NotApplicable ? "NO_RESULT" : e.Item2);
        Assert.Equal(expected.OrderBy(e => e.Key), rows.OrderBy(r => r.Key));
        var after = Aws.State.Requests.Snapshot();
        Assert.Equal(before.GetValueOrDefault("iam:GetCredentialReport"), after.GetValueOrDefault("iam:GetCredentialReport"));
        Assert.DoesNotContain(after.Keys, k => k.StartsWith("sts:AssumeRole", StringComparison.Ordinal));
    }
}

using System.Text.Json.Nodes;
using AwsDouble.Config;
using AwsDouble.Iam;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>
/// The real AWS CLI v2 reads the double's Config aggregator: a hub (the default account) over two members, the
/// commands of research-20 §3 — paging merged by the CLI, the aggregator's own errors, timestamps with fractions.
/// </summary>
public sealed class AggregatorCliTests : DoubleTest
{
    private const string Rule = "mfa-enabled-for-iam-console-users";
    private const string Region = "us-east-1";
    private const string MemberA = "111111111111";
    private const string MemberB = "222222222222";

    private AwsCli Cli() => new(Server.BaseUrl, Account.RootCredentials.AccessKeyId, Account.RootCredentials.SecretAccessKey, Region);

    /// <summary>Member A: <paramref name="users"/> users, every third NON_COMPLIANT, every fifth NOT_APPLICABLE; member B: the rule, no results.</summary>
    private ConfigAggregator Organization(int users)
    {
        var a = Server.State.AddAccount(MemberA);
        var b = Server.State.AddAccount(MemberB);
        var seeded = a.SeedUsers(Enumerable.Range(0, users).Select(i => new UserSeed($"user-{i:D3}")));
        a.Config(Region).PutCustomLambdaRule(Rule);
        b.Config(Region).PutCustomLambdaRule(Rule);
        var recorded = DoubleClock.DefaultStart.AddMilliseconds(-250);
        a.Config(Region).SeedResults(Rule, seeded.Select((u, i) => new StoredEvaluation(Rule, "AWS::IAM::User", u.UserId,
            i % 5 == 0 ? "NOT_APPLICABLE" : i % 3 == 0 ? "NON_COMPLIANT" : "COMPLIANT", i % 3 == 0 ? "no MFA device" : null, recorded, recorded, recorded)));
        return Account.AddConfigurationAggregator(Region, "org", [MemberA, MemberB]);
    }

    [AwsCliFact]
    public async Task Details_InPagesOfSeven_AreMergedByTheCliWithFractionalTimes()
    {
        Organization(250);

        var details = await JsonAsync(Cli(), "configservice", "get-aggregate-compliance-details-by-config-rule",
            "--configuration-aggregator-name", "org", "--config-rule-name", Rule, "--account-id", MemberA, "--aws-region", Region, "--page-size", "7");

        var results = details["AggregateEvaluationResults"]!.AsArray();
        // NOT_APPLICABLE is not carried (the API reference: only COMPLIANT and NON_COMPLIANT): 250 less every fifth.
        Assert.Equal(200, results.Count);
        Assert.Equal(200, results.Select(r => r!["EvaluationResultIdentifier"]!["EvaluationResultQualifier"]!["ResourceId"]!.GetValue<string>()).Distinct().Count());
        Assert.DoesNotContain(results, r => r!["ComplianceType"]!.GetValue<string>() == "NOT_APPLICABLE");
        Assert.Equal(MemberA, results[0]!["AccountId"]!.GetValue<string>());
        Assert.Equal("2026-01-15T08:59:59.750000+00:00", results[0]!["ResultRecordedTime"]!.GetValue<string>());
    }

    [AwsCliFact]
    public async Task Details_MaxItemsThenStartingToken_ContinueWhereTheFirstStopped()
    {
        Organization(12);
        var cli = Cli();
        string[] command = ["configservice", "get-aggregate-compliance-details-by-config-rule", "--configuration-aggregator-name", "org",
            "--config-rule-name", Rule, "--account-id", MemberA, "--aws-region", Region];

        var first = await JsonAsync(cli, [.. command, "--max-items", "5"]);
        var rest = await JsonAsync(cli, [.. command, "--starting-token", first["NextToken"]!.GetValue<string>()]);

        Assert.Equal(5, first["AggregateEvaluationResults"]!.AsArray().Count);
        Assert.Equal(4, rest["AggregateEvaluationResults"]!.AsArray().Count);
    }

    [AwsCliFact]
    public async Task Summary_ListsTheAccountWithResults_AndLeavesOutTheOneWithout()
    {
        var aggregator = Organization(10);
        var cli = Cli();

        var summary = await JsonAsync(cli, "configservice", "describe-aggregate-compliance-by-config-rules",
            "--configuration-aggregator-name", "org", "--filters", $"ConfigRuleName={Rule}");
        Server.State.Behaviours = AwsBehaviours.Today with { AggregatorNotApplicable = AggregatorNotApplicable.Carried };
        var withNotApplicable = await JsonAsync(cli, "configservice", "get-aggregate-compliance-details-by-config-rule",
            "--configuration-aggregator-name", "org", "--config-rule-name", Rule, "--account-id", MemberA, "--aws-region", Region);

        var rows = summary["AggregateComplianceByConfigRules"]!.AsArray();
        var row = Assert.Single(rows);
        Assert.Equal(MemberA, row!["AccountId"]!.GetValue<string>());
        Assert.Equal("NON_COMPLIANT", row["Compliance"]!["ComplianceType"]!.GetValue<string>());
        Assert.Equal(3, row["Compliance"]!["ComplianceContributorCount"]!["CappedCount"]!.GetValue<int>());
        Assert.Equal(10, withNotApplicable["AggregateEvaluationResults"]!.AsArray().Count);
    }

    [AwsCliFact]
    public async Task DiscoveredUsers_ComeWithNamesInTheCliTextColumns()
    {
        Organization(3);

        var run = await Cli().RunAsync("configservice", "list-aggregate-discovered-resources", "--configuration-aggregator-name", "org",
            "--resource-type", "AWS::IAM::User", "--filters", $"AccountId={MemberA}", "--page-size", "2", "--output", "text");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Matches($"^RESOURCEIDENTIFIERS\tAIDA[A-Z0-9]+\tuser-00[0-2]\tAWS::IAM::User\t{MemberA}\tglobal$", l));
    }

    [AwsCliFact]
    public async Task AggregatorErrors_ReachTheCliByTheirCodes()
    {
        Organization(3);
        var cli = Cli();

        var unknown = await cli.RunAsync("configservice", "describe-aggregate-compliance-by-config-rules", "--configuration-aggregator-name", "nope");
        var limit = await cli.RunAsync("configservice", "list-aggregate-discovered-resources", "--configuration-aggregator-name", "org",
            "--resource-type", "AWS::IAM::User", "--limit", "101");
        var token = await cli.RunAsync("configservice", "get-aggregate-compliance-details-by-config-rule", "--configuration-aggregator-name", "org",
            "--config-rule-name", Rule, "--account-id", MemberA, "--aws-region", Region, "--next-token", "garbage");
        var account = await cli.RunAsync("configservice", "get-aggregate-compliance-details-by-config-rule", "--configuration-aggregator-name", "org",
            "--config-rule-name", Rule, "--account-id", "12345", "--aws-region", Region);

        Assert.Equal(254, unknown.ExitCode);
        Assert.Contains("(NoSuchConfigurationAggregatorException)", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("(InvalidLimitException)", limit.Stderr, StringComparison.Ordinal);
        Assert.Contains("(InvalidNextTokenException)", token.Stderr, StringComparison.Ordinal);
        Assert.Contains("(ValidationException)", account.Stderr, StringComparison.Ordinal);
    }

    private static async Task<JsonObject> JsonAsync(AwsCli cli, params string[] arguments)
    {
        var run = await cli.RunAsync(arguments);
        Assert.True(run.ExitCode == 0, $"aws {string.Join(' ', arguments)}: {run}");
        return (JsonObject)JsonNode.Parse(run.Stdout)!;
    }
}

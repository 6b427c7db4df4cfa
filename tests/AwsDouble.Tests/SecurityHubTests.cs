using System.Text.Json.Nodes;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>
/// Security Hub's REST-JSON API as the real AWS CLI v2 drives it (<c>batch-import-findings</c>, <c>get-findings</c>):
/// ASFF's required attributes and limits, batch limits, updates by newer UpdatedAt, the workflow, and a disabled hub.
/// </summary>
public sealed class SecurityHubTests : DoubleTest
{
    private const string Region = "eu-west-1";

    private AwsCli Cli() => new(Server.BaseUrl, Account.RootCredentials.AccessKeyId, Account.RootCredentials.SecretAccessKey, Region);

    private string ProductArn => $"arn:aws:securityhub:{Region}:{Account.AccountId}:product/{Account.AccountId}/default";

    private JsonObject Finding(string id, string updatedAt = "2026-01-15T09:00:00.000Z", string status = "FAILED", string recordState = "ACTIVE") => new()
    {
        ["SchemaVersion"] = "2018-10-08",
        ["Id"] = id,
        ["ProductArn"] = ProductArn,
        ["GeneratorId"] = "mfa-config-rule/test",
        ["AwsAccountId"] = Account.AccountId,
        ["CreatedAt"] = "2026-01-15T08:00:00.000Z",
        ["UpdatedAt"] = updatedAt,
        ["Title"] = $"IAM user {id} can sign in to the console without MFA",
        ["Description"] = "Console password with no MFA device.",
        ["Resources"] = new JsonArray(new JsonObject { ["Type"] = "AwsIamUser", ["Id"] = $"arn:aws:iam::{Account.AccountId}:user/{id}" }),
        ["Compliance"] = new JsonObject { ["Status"] = status },
        ["RecordState"] = recordState,
        ["FindingProviderFields"] = new JsonObject
        {
            ["Severity"] = new JsonObject { ["Label"] = "HIGH" },
            ["Types"] = new JsonArray("Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"),
        },
    };

    private async Task<JsonObject> ImportAsync(params JsonObject[] findings)
    {
        var file = Path.Combine(Path.GetTempPath(), $"findings-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(file, new JsonArray(findings.Select(f => (JsonNode)f.DeepClone()).ToArray()).ToJsonString());
            return await JsonAsync("securityhub", "batch-import-findings", "--findings", $"file://{file}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<JsonObject> JsonAsync(params string[] arguments)
    {
        var run = await Cli().RunAsync(arguments);
        Assert.True(run.ExitCode == 0, $"aws {string.Join(' ', arguments)}: {run}");
        return (JsonObject)JsonNode.Parse(run.Stdout)!;
    }

    [AwsCliFact]
    public async Task ImportThenGetFindings_TheFindingComesBackWithWhatSecurityHubAdds()
    {
        var imported = await ImportAsync(Finding("alice"), Finding("bob", status: "PASSED"));
        var found = await JsonAsync("securityhub", "get-findings", "--filters",
            """{"ComplianceStatus":[{"Value":"FAILED","Comparison":"EQUALS"}]}""");

        Assert.Equal(2, imported["SuccessCount"]!.GetValue<int>());
        Assert.Equal(0, imported["FailedCount"]!.GetValue<int>());
        var finding = Assert.Single(found["Findings"]!.AsArray())!;
        Assert.Equal("alice", finding["Id"]!.GetValue<string>());
        Assert.Equal(Region, finding["Region"]!.GetValue<string>());
        Assert.Equal("NEW", finding["Workflow"]!["Status"]!.GetValue<string>());
        Assert.Equal("HIGH", finding["Severity"]!["Label"]!.GetValue<string>());
        Assert.Equal(70, finding["Severity"]!["Normalized"]!.GetValue<int>());
    }

    [AwsCliFact]
    public async Task FindingsBreakingAsff_AreRefusedOneByOne_TheValidOnesInTheSameBatchAreStored()
    {
        var longTitle = Finding("long-title");
        longTitle["Title"] = new string('t', 257);
        var longDescription = Finding("long-description");
        longDescription["Description"] = new string('d', 1025);
        var longRecommendation = Finding("long-recommendation");
        longRecommendation["Remediation"] = new JsonObject { ["Recommendation"] = new JsonObject { ["Text"] = new string('r', 513), ["Url"] = "https://example.com" } };
        var noTypes = Finding("no-types");
        ((JsonObject)noTypes["FindingProviderFields"]!).Remove("Types");
        var noSeverity = Finding("no-severity");
        noSeverity.Remove("FindingProviderFields");
        var badSchema = Finding("bad-schema");
        badSchema["SchemaVersion"] = "2019-01-01";
        var badTime = Finding("bad-time", updatedAt: "15/01/2026 09:00");

        var result = await ImportAsync(Finding("valid"), longTitle, longDescription, longRecommendation, noTypes, noSeverity, badSchema, badTime);

        Assert.Equal(1, result["SuccessCount"]!.GetValue<int>());
        var failed = result["FailedFindings"]!.AsArray().ToDictionary(f => f!["Id"]!.GetValue<string>(), f => f!["ErrorMessage"]!.GetValue<string>());
        Assert.Equal(7, failed.Count);
        Assert.All(result["FailedFindings"]!.AsArray(), f => Assert.Equal("InvalidInput", f!["ErrorCode"]!.GetValue<string>()));
        Assert.Contains("Title should NOT be longer than 256", failed["long-title"], StringComparison.Ordinal);
        Assert.Contains("Description should NOT be longer than 1024", failed["long-description"], StringComparison.Ordinal);
        Assert.Contains("Recommendation.Text should NOT be longer than 512", failed["long-recommendation"], StringComparison.Ordinal);
        Assert.Contains("required property 'Types'", failed["no-types"], StringComparison.Ordinal);
        Assert.Contains("FindingProviderFields", failed["no-severity"], StringComparison.Ordinal);
        Assert.Contains("SchemaVersion", failed["bad-schema"], StringComparison.Ordinal);
        Assert.Contains("UpdatedAt", failed["bad-time"], StringComparison.Ordinal);
        Assert.Equal(["valid"], Account.SecurityHub(Region).Findings.Select(f => f.Id));
    }

    [AwsCliFact]
    public async Task MoreThanOneHundredFindings_IsInvalidInputExceptionForTheWholeCall()
    {
        var run = await ImportRawAsync(Enumerable.Range(0, 101).Select(i => Finding($"user-{i}")).ToArray());

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("InvalidInputException", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Account.SecurityHub(Region).Findings);
    }

    [AwsCliFact]
    public async Task Update_OnlyANewerUpdatedAtReplacesTheFinding()
    {
        await ImportAsync(Finding("alice", updatedAt: "2026-01-15T09:00:00.000Z"));

        var stale = await ImportAsync(Finding("alice", updatedAt: "2026-01-15T08:59:59.000Z", status: "PASSED"));
        var afterStale = Account.SecurityHub(Region).Findings.Single();
        var newer = await ImportAsync(Finding("alice", updatedAt: "2026-01-15T10:00:00.000Z", status: "PASSED"));
        var afterNewer = Account.SecurityHub(Region).Findings.Single();

        Assert.Equal(1, stale["SuccessCount"]!.GetValue<int>());
        Assert.Equal("FAILED", afterStale.ComplianceStatus);
        Assert.Equal(1, afterStale.Versions);
        Assert.Equal(1, newer["SuccessCount"]!.GetValue<int>());
        Assert.Equal("PASSED", afterNewer.ComplianceStatus);
        Assert.Equal(2, afterNewer.Versions);
    }

    [AwsCliFact]
    public async Task ResolvedFinding_FailingAgain_GoesBackToNew_ArchivedStaysResolved()
    {
        await ImportAsync(Finding("alice", updatedAt: "2026-01-15T09:00:00.000Z", status: "PASSED"), Finding("bob", updatedAt: "2026-01-15T09:00:00.000Z"));
        var hub = Account.SecurityHub(Region);
        hub.SetWorkflowStatus("alice", "RESOLVED");
        hub.SetWorkflowStatus("bob", "RESOLVED");

        await ImportAsync(
            Finding("alice", updatedAt: "2026-01-15T10:00:00.000Z", status: "FAILED"),
            Finding("bob", updatedAt: "2026-01-15T10:00:00.000Z", status: "NOT_AVAILABLE", recordState: "ARCHIVED"));

        var byId = hub.Findings.ToDictionary(f => f.Id);
        Assert.Equal("NEW", byId["alice"].WorkflowStatus);
        Assert.Equal("RESOLVED", byId["bob"].WorkflowStatus);
        Assert.Equal("ARCHIVED", byId["bob"].RecordState);
    }

    [AwsCliFact]
    public async Task FindingOfAnotherAccount_IsRefusedWithInvalidAccess()
    {
        var foreign = Finding("mallory");
        foreign["AwsAccountId"] = "210987654321";

        var result = await ImportAsync(foreign);

        var failure = Assert.Single(result["FailedFindings"]!.AsArray())!;
        Assert.Equal("InvalidAccess", failure["ErrorCode"]!.GetValue<string>());
    }

    [AwsCliFact]
    public async Task SecurityHubNotEnabled_IsInvalidAccessExceptionToTheCli()
    {
        Account.SecurityHub(Region).Enabled = false;

        var run = await ImportRawAsync(Finding("alice"));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("(InvalidAccessException)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("not subscribed to AWS Security Hub", run.Stderr, StringComparison.Ordinal);
    }

    [AwsCliFact]
    public async Task GetFindings_SmallPages_AreFollowedThroughEveryToken()
    {
        await ImportAsync(Enumerable.Range(0, 7).Select(i => Finding($"user-{i}")).ToArray());

        var found = await JsonAsync("securityhub", "get-findings", "--page-size", "3");

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"user-{i}"), found["Findings"]!.AsArray().Select(f => f!["Id"]!.GetValue<string>()));
    }

    private async Task<ToolRun> ImportRawAsync(params JsonObject[] findings)
    {
        var file = Path.Combine(Path.GetTempPath(), $"findings-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(file, new JsonArray(findings.Select(f => (JsonNode)f.DeepClone()).ToArray()).ToJsonString());
            return await Cli().RunAsync("securityhub", "batch-import-findings", "--findings", $"file://{file}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}

using System.Text.Json;
using MfaConfigRule.Compliance;
using MfaConfigRule.Contract;
using MfaConfigRule.SecurityHub;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.SecurityHub;

public sealed class FindingBuilderTests
{
    private static readonly FindingScope Scope = new(AccountId, "eu-west-1", RuleName);

    private static AsffFinding Build(ComplianceType compliance, IamUser? user, string annotation = "Console password (set 2026-10-30) with no MFA device.",
        SeverityLabel failed = SeverityLabel.High, DateTimeOffset? now = null, string? userId = null, bool vanished = false) =>
        FindingBuilder.Build(
            new FindingSubject(Evaluation.ForUser(userId ?? user!.UserId, compliance, annotation, Now) with { UserVanished = vanished }, user),
            Scope, failed, now ?? Now);

    [Fact]
    public void Build_NonCompliantUser_IsAnActiveFailedHighFindingNamingTheUserWithTheFix()
    {
        var alice = User("alice", "/ops/");

        var finding = Build(ComplianceType.NonCompliant, alice);

        Assert.Equal("IAM user alice can sign in to the console without MFA", finding.Title);
        Assert.Equal("Console password (set 2026-10-30) with no MFA device.", finding.Description);
        Assert.Equal("FAILED", finding.Compliance.Status);
        Assert.Equal("ACTIVE", finding.RecordState);
        Assert.Equal("HIGH", finding.FindingProviderFields.Severity.Label);
        Assert.Equal("NON_COMPLIANT", finding.FindingProviderFields.Severity.Original);
        Assert.NotNull(finding.Remediation);
        Assert.Equal(FindingBuilder.RemediationUrl, finding.Remediation.Recommendation.Url);
        Assert.Contains("virtual MFA device", finding.Remediation.Recommendation.Text, StringComparison.Ordinal);
        Assert.True(finding.Remediation.Recommendation.Text.Length <= 512);
        var resource = Assert.Single(finding.Resources);
        Assert.Equal("AwsIamUser", resource.Type);
        Assert.Equal(alice.Arn, resource.Id);
        Assert.Equal("aws", resource.Partition);
        Assert.Equal(new AsffIamUserDetails { UserName = "alice", UserId = alice.UserId, Path = "/ops/", CreateDate = FindingBuilder.Rfc3339(alice.CreateDate!.Value) }, resource.Details!.AwsIamUser);
        Assert.Equal($"arn:aws:securityhub:eu-west-1:{AccountId}:product/{AccountId}/default", finding.ProductArn);
        Assert.Equal("2018-10-08", finding.SchemaVersion);
        Assert.Equal(["Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"], finding.FindingProviderFields.Types);
    }

    [Fact]
    public void Build_AnyVerdict_MapsTheCisItemsAndSecurityHubControl()
    {
        var finding = Build(ComplianceType.Compliant, User("alice"));

        Assert.Equal(
            ["CIS AWS Foundations Benchmark v1.2.0/1.2", "CIS AWS Foundations Benchmark v1.4.0/1.10", "CIS AWS Foundations Benchmark v3.0.0/1.10",
             "CIS AWS Foundations Benchmark v5.0.0/1.9", "AWS Security Hub control IAM.5"],
            finding.Compliance.RelatedRequirements);
    }

    [Fact]
    public void Build_CompliantUser_IsPassedInformationalAndActive()
    {
        var finding = Build(ComplianceType.Compliant, User("alice"), "Console password protected by virtual MFA (1 device).");

        Assert.Equal("PASSED", finding.Compliance.Status);
        Assert.Equal("ACTIVE", finding.RecordState);
        Assert.Equal("INFORMATIONAL", finding.FindingProviderFields.Severity.Label);
        Assert.Null(finding.Remediation);
        Assert.Equal("IAM user alice signs in to the console with MFA", finding.Title);
    }

    [Fact]
    public void Build_NotApplicableUser_IsNotAvailableAndArchived()
    {
        var finding = Build(ComplianceType.NotApplicable, User("erin"), "No console password: the control covers only users who can sign in to the console.");

        Assert.Equal("NOT_AVAILABLE", finding.Compliance.Status);
        Assert.Equal("ARCHIVED", finding.RecordState);
        Assert.Equal("INFORMATIONAL", finding.FindingProviderFields.Severity.Label);
        Assert.Contains("erin", finding.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_VanishedUser_IsArchivedUnderTheSameIdWithOnlyTheUserId()
    {
        var bob = User("bob");
        var before = Build(ComplianceType.NonCompliant, bob);

        var after = Build(ComplianceType.NotApplicable, null, UserGone.HeldResultAnnotation, userId: bob.UserId, now: Now.AddDays(1), vanished: true);

        Assert.Equal(before.Id, after.Id);
        Assert.Equal("ARCHIVED", after.RecordState);
        Assert.Equal($"IAM user {bob.UserId} no longer exists", after.Title);
        Assert.Equal(bob.UserId, Assert.Single(after.Resources).Details!.AwsIamUser.UserId);
        Assert.Equal("AwsIamUser", after.Resources[0].Type);
    }

    [Fact]
    public void Build_SameUserLaterRun_SameIdAndCreatedAtNewerUpdatedAt()
    {
        var alice = User("alice");

        var first = Build(ComplianceType.NonCompliant, alice, now: Now);
        var second = Build(ComplianceType.Compliant, alice, "Console password protected by FIDO MFA (1 device).", now: Now.AddHours(24));

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(FindingBuilder.FindingId(AccountId, alice.UserId), first.Id);
        Assert.Equal(first.CreatedAt, second.CreatedAt);
        Assert.True(string.CompareOrdinal(second.UpdatedAt, first.UpdatedAt) > 0);
        Assert.NotEqual(Build(ComplianceType.NonCompliant, User("alice2")).Id, first.Id);
    }

    [Theory]
    [InlineData("LOW")]
    [InlineData("MEDIUM")]
    [InlineData("CRITICAL")]
    public void Build_FailedSeverityParameter_SetsOnlyTheFailedFindingsLabel(string label)
    {
        var failed = SecurityHubSettings.ParseFailedSeverity(label, "test");
        Assert.Equal(label, Build(ComplianceType.NonCompliant, User("bob"), failed: failed).FindingProviderFields.Severity.Label);
        Assert.Equal("INFORMATIONAL", Build(ComplianceType.Compliant, User("alice"), failed: failed).FindingProviderFields.Severity.Label);
    }

    [Fact]
    public void Build_LongestUserName_TitleStaysWithinAsffLimits()
    {
        var longName = new string('n', 64);
        var finding = Build(ComplianceType.NonCompliant, User(longName), new string('a', 256));

        Assert.True(finding.Title.Length <= FindingBuilder.MaxTitleLength);
        Assert.True(finding.Description.Length <= FindingBuilder.MaxDescriptionLength);
    }

    [Fact]
    public void Build_EmptyAnnotation_DescriptionIsStillNonEmpty()
    {
        Assert.False(string.IsNullOrWhiteSpace(Build(ComplianceType.Compliant, User("alice"), string.Empty).Description));
    }

    [Fact]
    public void Build_GovCloudRegion_UsesThePartitionInEveryArn()
    {
        var finding = FindingBuilder.Build(new FindingSubject(Evaluation.ForUser("AIDAX", ComplianceType.NonCompliant, "x", Now), null),
            new FindingScope(AccountId, "us-gov-west-1", RuleName), SeverityLabel.High, Now);

        Assert.StartsWith("arn:aws-us-gov:securityhub:us-gov-west-1:", finding.ProductArn, StringComparison.Ordinal);
        Assert.Equal("aws-us-gov", finding.Resources[0].Partition);
        Assert.Null(finding.SourceUrl);
    }

    [Fact]
    public void Build_Serialized_CarriesTheRequiredAttributesAndRfc3339Times()
    {
        var json = JsonSerializer.Serialize(Build(ComplianceType.NonCompliant, User("alice")), AsffJsonContext.Default.AsffFinding);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        foreach (var name in new[] { "SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "CreatedAt", "UpdatedAt", "Title", "Description", "Resources", "FindingProviderFields" })
            Assert.True(root.TryGetProperty(name, out _), name);
        Assert.Equal("2026-11-29T12:00:00.000Z", root.GetProperty("UpdatedAt").GetString());
        Assert.False(root.TryGetProperty("Workflow", out _));
    }
}

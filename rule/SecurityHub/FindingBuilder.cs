using System.Globalization;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Contract;

namespace MfaConfigRule.SecurityHub;

/// <summary>Where and for which rule findings are written: one account's hub in one Region.</summary>
internal sealed record FindingScope(string AccountId, string Region, string ConfigRuleName)
{
    /// <summary>The AWS partition of <see cref="Region"/>, for ARNs.</summary>
    public string Partition => Region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : Region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : "aws";

    /// <summary>The account's own default product (a custom integration): the only product it may import findings for.</summary>
    public string ProductArn => $"arn:{Partition}:securityhub:{Region}:{AccountId}:product/{AccountId}/default";
}

/// <summary>
/// One verdict to turn into a finding, with the user it is about when the run knew them (null: only the user ID is
/// known). Whether the verdict is that the user no longer exists is the verdict's own <see cref="Evaluation.UserVanished"/>.
/// </summary>
internal sealed record FindingSubject(Evaluation Verdict, IamUser? User);

/// <summary>
/// Pure: a verdict, its user, the account and Region, the time and the failed-finding severity → one ASFF finding.
/// The finding's <see cref="AsffFinding.Id"/> depends only on the account and the user ID, so every run updates the
/// same finding (a newer <c>UpdatedAt</c>) instead of adding one.
/// </summary>
internal static class FindingBuilder
{
    public const string SchemaVersion = "2018-10-08";
    public const int MaxTitleLength = 256;
    public const int MaxDescriptionLength = 1024;
    public const int MaxRecommendationLength = 512;
    public const string ProductName = "MfaConfigRule";
    public const string FindingType = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark";

    /// <summary>AWS's page for assigning a virtual MFA device to an IAM user (the seed's remediation).</summary>
    public const string RemediationUrl = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html";

    /// <summary>The seed's console steps, in short (ASFF allows 512 characters).</summary>
    public const string RemediationText =
        "Enable MFA for this user: IAM console > Users > choose the user > Security credentials > Assigned MFA device > " +
        "Assign MFA device. Choose a virtual MFA device (or a security key), scan the QR code with an authenticator app " +
        "or enter the secret key, then type two consecutive MFA codes and choose Assign MFA. If the user does not need " +
        "the console, delete their console password instead.";

    /// <summary>The CIS AWS Foundations items this control is, and Security Hub's own control for it.</summary>
    public static readonly IReadOnlyList<string> RelatedRequirements =
    [
        "CIS AWS Foundations Benchmark v1.2.0/1.2",
        "CIS AWS Foundations Benchmark v1.4.0/1.10",
        "CIS AWS Foundations Benchmark v3.0.0/1.10",
        "CIS AWS Foundations Benchmark v5.0.0/1.9",
        "AWS Security Hub control IAM.5",
    ];

    /// <summary>The finding's Id: stable per account and user (Config's resource id), whatever the run.</summary>
    public static string FindingId(string accountId, string userId) => $"mfa-config-rule/{accountId}/iam-user/{userId}/console-mfa";

    public static AsffFinding Build(FindingSubject subject, FindingScope scope, SeverityLabel failedSeverity, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(scope);
        var verdict = subject.Verdict;
        var user = subject.User;
        var userId = verdict.ResourceId;
        var name = user?.UserName ?? userId;
        var vanished = verdict.UserVanished;

        var (status, recordState, severity) = verdict.Compliance switch
        {
            ComplianceType.NonCompliant => ("FAILED", "ACTIVE", failedSeverity),
            ComplianceType.Compliant => ("PASSED", "ACTIVE", SeverityLabel.Informational),
            // Security Hub's own rule for Config's NOT_APPLICABLE: NOT_AVAILABLE, and the finding archived.
            _ => ("NOT_AVAILABLE", "ARCHIVED", SeverityLabel.Informational),
        };
        var title = verdict.Compliance switch
        {
            ComplianceType.NonCompliant => $"IAM user {name} can sign in to the console without MFA",
            ComplianceType.Compliant => $"IAM user {name} signs in to the console with MFA",
            _ when vanished => $"IAM user {name} no longer exists",
            _ => $"IAM user {name}: the console MFA check does not apply",
        };
        var description = string.IsNullOrWhiteSpace(verdict.Annotation) ? title + "." : verdict.Annotation;
        var stamp = Rfc3339(now);

        return new AsffFinding
        {
            SchemaVersion = SchemaVersion,
            Id = FindingId(scope.AccountId, userId),
            ProductArn = scope.ProductArn,
            ProductName = ProductName,
            GeneratorId = $"mfa-config-rule/{scope.ConfigRuleName}",
            AwsAccountId = scope.AccountId,
            Types = [FindingType],
            // No state is kept between runs, so CreatedAt must not move: the user's creation is the earliest the issue can
            // exist and is the same every run. Without the user (deleted), the time of this run.
            CreatedAt = user?.CreateDate is { } created && created <= now ? Rfc3339(created) : stamp,
            UpdatedAt = stamp,
            LastObservedAt = stamp,
            Title = Cut(title, MaxTitleLength),
            Description = Cut(description, MaxDescriptionLength),
            Remediation = verdict.Compliance == ComplianceType.NonCompliant
                ? new AsffRemediation(new AsffRecommendation(Cut(RemediationText, MaxRecommendationLength), RemediationUrl))
                : null,
            SourceUrl = user is not null && scope.Partition == "aws"
                ? $"https://console.aws.amazon.com/iam/home#/users/details/{Uri.EscapeDataString(user.UserName)}?section=security_credentials"
                : null,
            ProductFields = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["mfaConfigRule/ConfigRuleName"] = scope.ConfigRuleName,
                ["mfaConfigRule/ComplianceType"] = verdict.Compliance.ToWire(),
                ["mfaConfigRule/SecurityHubControl"] = "IAM.5",
            },
            Resources =
            [
                new AsffResource
                {
                    Type = "AwsIamUser",
                    Id = user?.Arn ?? userId,
                    Partition = scope.Partition,
                    Region = scope.Region,
                    Details = new AsffResourceDetails(new AsffIamUserDetails
                    {
                        UserName = user?.UserName,
                        UserId = userId,
                        Path = user?.Path,
                        CreateDate = user?.CreateDate is { } date ? Rfc3339(date) : null,
                    }),
                },
            ],
            Compliance = new AsffCompliance(status, RelatedRequirements),
            RecordState = recordState,
            FindingProviderFields = new AsffFindingProviderFields(new AsffSeverity(SecurityHubSettings.Wire(severity), verdict.Compliance.ToWire()), [FindingType]),
        };
    }

    /// <summary>ASFF's timestamp form: RFC 3339 in UTC with milliseconds (<c>2026-11-29T16:07:33.091Z</c>).</summary>
    public static string Rfc3339(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Cut(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}

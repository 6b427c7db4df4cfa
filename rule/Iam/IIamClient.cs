using MfaConfigRule.Compliance;

namespace MfaConfigRule.Iam;

/// <summary>The IAM operations the rule calls (Query protocol, signed for us-east-1 in the aws partition).</summary>
internal interface IIamClient
{
    /// <summary>ListUsers, every page.</summary>
    Task<IReadOnlyList<IamUser>> ListUsersAsync(CancellationToken cancellationToken);

    /// <summary>GetUser; null when IAM answers NoSuchEntity.</summary>
    Task<IamUser?> GetUserAsync(string userName, CancellationToken cancellationToken);

    /// <summary>GetLoginProfile; null when IAM answers NoSuchEntity (no console password, or no such user).</summary>
    Task<LoginProfile?> GetLoginProfileAsync(string userName, CancellationToken cancellationToken);

    /// <summary>ListMFADevices for one user, every page.</summary>
    Task<IReadOnlyList<MfaDevice>> ListMfaDevicesAsync(string userName, CancellationToken cancellationToken);

    /// <summary>ListVirtualMFADevices with AssignmentStatus=Assigned, every page: one bulk call answers for every virtual device.</summary>
    Task<IReadOnlyList<VirtualMfaAssignment>> ListAssignedVirtualMfaDevicesAsync(CancellationToken cancellationToken);

    /// <summary>ListUserTags, every page.</summary>
    Task<IReadOnlyDictionary<string, string>> ListUserTagsAsync(string userName, CancellationToken cancellationToken);

    /// <summary>GenerateCredentialReport: STARTED, INPROGRESS or COMPLETE.</summary>
    Task<string> GenerateCredentialReportAsync(CancellationToken cancellationToken);

    /// <summary>GetCredentialReport: the decoded CSV and its generation time. Throws <see cref="Aws.AwsServiceException"/> with ReportInProgress, ReportNotPresent, ReportExpired.</summary>
    Task<CredentialReportDocument> GetCredentialReportAsync(CancellationToken cancellationToken);
}

/// <summary>A login profile: the user has a console password, created at <see cref="CreateDate"/>.</summary>
internal sealed record LoginProfile(string UserName, DateTimeOffset CreateDate, bool PasswordResetRequired);

/// <summary>A virtual MFA device assigned to a user, from ListVirtualMFADevices.</summary>
internal sealed record VirtualMfaAssignment(string SerialNumber, string UserName, string? UserId, DateTimeOffset? EnableDate);

/// <summary>The credential report as GetCredentialReport returns it (Content already Base64-decoded).</summary>
internal sealed record CredentialReportDocument(string Csv, DateTimeOffset GeneratedTime);

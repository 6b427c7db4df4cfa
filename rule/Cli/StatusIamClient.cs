using MfaConfigRule.Compliance;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Cli;

/// <summary>
/// The sweep's IAM client as the CLI hands it over: the same calls, and a status line when IAM makes the run wait
/// for the credential report, which a first run in an account (or after four hours) waits for in silence otherwise.
/// </summary>
internal sealed class StatusIamClient(IIamClient inner, CliStatus status) : IIamClient
{
    private const string ReportWait = "IAM to generate the credential report (seconds; longer in large accounts; --live-only skips the report)";

    public Task<IReadOnlyList<IamUser>> ListUsersAsync(CancellationToken cancellationToken) => inner.ListUsersAsync(cancellationToken);

    public Task<IamUser?> GetUserAsync(string userName, CancellationToken cancellationToken) => inner.GetUserAsync(userName, cancellationToken);

    public Task<LoginProfile?> GetLoginProfileAsync(string userName, CancellationToken cancellationToken) => inner.GetLoginProfileAsync(userName, cancellationToken);

    public Task<IReadOnlyList<MfaDevice>> ListMfaDevicesAsync(string userName, CancellationToken cancellationToken) => inner.ListMfaDevicesAsync(userName, cancellationToken);

    public Task<IReadOnlyList<VirtualMfaAssignment>> ListAssignedVirtualMfaDevicesAsync(CancellationToken cancellationToken) => inner.ListAssignedVirtualMfaDevicesAsync(cancellationToken);

    public Task<IReadOnlyDictionary<string, string>> ListUserTagsAsync(string userName, CancellationToken cancellationToken) => inner.ListUserTagsAsync(userName, cancellationToken);

    public async Task<string> GenerateCredentialReportAsync(CancellationToken cancellationToken)
    {
        var state = await inner.GenerateCredentialReportAsync(cancellationToken).ConfigureAwait(false);
        if (!string.Equals(state, "COMPLETE", StringComparison.OrdinalIgnoreCase)) status.Waiting(ReportWait);
        return state;
    }

    public async Task<CredentialReportDocument> GetCredentialReportAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await inner.GetCredentialReportAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Aws.AwsServiceException e) when (e.ErrorCode == "ReportInProgress")
        {
            status.Waiting(ReportWait);
            throw;
        }
    }
}

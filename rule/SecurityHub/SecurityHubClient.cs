using MfaConfigRule.Aws;

namespace MfaConfigRule.SecurityHub;

/// <summary>One finding Security Hub refused, with its error code (<c>InvalidInput</c>, <c>InvalidAccess</c>…).</summary>
internal sealed record FailedFinding(string Id, string ErrorCode, string ErrorMessage);

/// <summary>The Security Hub operation the rule calls (REST-JSON).</summary>
internal interface ISecurityHubClient
{
    /// <summary>
    /// BatchImportFindings with a body already serialized (<see cref="FindingBatches"/> measured it against the 6 MB
    /// limit); returns the FailedFindings Security Hub handed back.
    /// </summary>
    Task<IReadOnlyList<FailedFinding>> BatchImportFindingsAsync(byte[] requestBody, CancellationToken cancellationToken);
}

internal sealed class SecurityHubClient(RestJsonProtocolClient protocol) : ISecurityHubClient
{
    /// <summary>Signing name <c>securityhub</c>; <c>AWS_ENDPOINT_URL_SECURITYHUB</c> overrides its endpoint, as in the SDKs.</summary>
    public static AwsService Service { get; } = new("securityhub", "SECURITYHUB", "securityhub");

    public const string ImportPath = "/findings/import";

    /// <summary>Security Hub in the Region of <paramref name="aws"/>, on its transport: one account's credentials and call counter.</summary>
    public static SecurityHubClient Create(IAwsConnection aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        return new SecurityHubClient(new RestJsonProtocolClient(aws.Transport, Service, aws.Endpoints.Resolve(Service)));
    }

    public async Task<IReadOnlyList<FailedFinding>> BatchImportFindingsAsync(byte[] requestBody, CancellationToken cancellationToken)
    {
        const string operation = "BatchImportFindings";
        var response = await protocol.PostRawAsync(operation, ImportPath, requestBody, AsffJsonContext.Default.BatchImportFindingsResponse, cancellationToken)
            .ConfigureAwait(false);
        return (response.FailedFindings ?? [])
            .Select(f => new FailedFinding(
                f.Id ?? throw new AwsServiceException(Service.SigningName, operation, AwsTransport.MalformedResponseCode, 200, "a FailedFindings entry has no Id"),
                f.ErrorCode ?? "Unknown",
                f.ErrorMessage ?? string.Empty))
            .ToList();
    }
}

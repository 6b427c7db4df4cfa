using System.Globalization;
namespace MfaConfigRule.Aws;

/// <summary>Temporary credentials STS handed out for a role, and until when they are good.</summary>
internal sealed record RoleSession(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration, string AssumedRoleArn);

/// <summary>Who the caller's credentials belong to (GetCallerIdentity).</summary>
internal sealed record CallerIdentity(string Account, string Arn, string UserId);

/// <summary>STS over the Query protocol (version 2011-06-15), in the caller's own Region: AssumeRole and GetCallerIdentity.</summary>
internal sealed class StsClient
{
    public const string ApiVersion = "2011-06-15";

    /// <summary>AssumeRole's smallest session; a member sweep fits in it, and a short session limits what a leaked key can do.</summary>
    public const int DurationSeconds = 900;

    private readonly QueryProtocolClient _query;

    public StsClient(QueryProtocolClient query)
    {
        ArgumentNullException.ThrowIfNull(query);
        _query = query;
    }

    public static StsClient Over(IAwsConnection aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        return new StsClient(new QueryProtocolClient(aws.Transport, AwsService.Sts, aws.Endpoints.Resolve(AwsService.Sts), ApiVersion));
    }

    /// <param name="externalId">Sent when the member role's trust policy asks for one (<c>sts:ExternalId</c>).</param>
    public Task<RoleSession> AssumeRoleAsync(string roleArn, string sessionName, string? externalId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(roleArn);
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionName);
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("RoleArn", roleArn),
            new("RoleSessionName", sessionName),
            new("DurationSeconds", DurationSeconds.ToString(CultureInfo.InvariantCulture)),
        };
        if (!string.IsNullOrEmpty(externalId)) parameters.Add(new("ExternalId", externalId));
        return _query.InvokeAsync("AssumeRole", parameters, result =>
        {
            var credentials = result.Child("Credentials") ?? throw new FormatException("<AssumeRoleResult> lacks <Credentials>");
            return new RoleSession(
                credentials.RequiredText("AccessKeyId"),
                credentials.RequiredText("SecretAccessKey"),
                credentials.RequiredText("SessionToken"),
                credentials.ChildTime("Expiration") ?? throw new FormatException("<Credentials> lacks <Expiration>"),
                result.Child("AssumedRoleUser")?.ChildText("Arn") ?? roleArn);
        }, cancellationToken);
    }

    /// <summary>Needs no permission: STS answers it for any valid credentials.</summary>
    public Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken) =>
        _query.InvokeAsync("GetCallerIdentity", [], result => new CallerIdentity(
            result.RequiredText("Account"), result.RequiredText("Arn"), result.RequiredText("UserId")), cancellationToken);
}

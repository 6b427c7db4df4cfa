namespace MfaConfigRule.Aws;

/// <summary>
/// One transport (credentials, retries, call counter) and the endpoints it reaches: what a service client is built
/// over, so a client of any service needs only this folder, not the bundle a front door holds.
/// </summary>
internal interface IAwsConnection
{
    AwsTransport Transport { get; }
    AwsEndpoints Endpoints { get; }
}

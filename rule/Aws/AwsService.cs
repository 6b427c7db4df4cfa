namespace MfaConfigRule.Aws;

/// <summary>
/// An AWS service as this project addresses it: the SigV4 signing name, the id used in
/// <c>AWS_ENDPOINT_URL_&lt;ID&gt;</c> (the SDK's service id, upper case, spaces as underscores), and the host prefix.
/// </summary>
internal sealed record AwsService(string SigningName, string EndpointId, string HostPrefix)
{
    public static AwsService Iam { get; } = new("iam", "IAM", "iam");
    public static AwsService Sts { get; } = new("sts", "STS", "sts");
    public static AwsService Config { get; } = new("config", "CONFIG_SERVICE", "config");
    public static AwsService CloudTrail { get; } = new("cloudtrail", "CLOUDTRAIL", "cloudtrail");
    public static AwsService Organizations { get; } = new("organizations", "ORGANIZATIONS", "organizations");
    public static AwsService Ssm { get; } = new("ssm", "SSM", "ssm");
    public static AwsService Sqs { get; } = new("sqs", "SQS", "sqs");

    public override string ToString() => SigningName;
}

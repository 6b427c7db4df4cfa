using AwsDouble.Auth;

namespace AwsDouble.Protocol;

/// <summary>One authenticated call: who made it, to which service and Region, and when on the double's clock.</summary>
internal sealed record AwsCall(
    string Service,
    string Operation,
    Principal Caller,
    string Region,
    string RequestId,
    DateTimeOffset Now,
    string SourceIpAddress,
    string UserAgent);

/// <summary>The service names as they appear in the SigV4 credential scope.</summary>
public static class AwsServiceNames
{
    public const string Iam = "iam";
    public const string Sts = "sts";
    public const string Config = "config";
    public const string CloudTrail = "cloudtrail";
    public const string Organizations = "organizations";
    public const string Ssm = "ssm";
    public const string Sqs = "sqs";
    public const string Lambda = "lambda";
}

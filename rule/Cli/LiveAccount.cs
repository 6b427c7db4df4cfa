using MfaConfigRule.CloudTrail;
using MfaConfigRule.Config;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Cli;

/// <summary>The AWS clients the live mode needs, built by the front door from <see cref="AccountOptions"/>.</summary>
internal sealed record LiveAccount(IIamClient Iam, ICloudTrailClient CloudTrail, IConfigClient Config)
{
    /// <summary>The writes <c>enroll</c> makes (IAM device calls, STS GetCallerIdentity); null where nothing may write.</summary>
    public Enrollment.IEnrollmentClient? Enrollment { get; init; }
}

using AwsDouble.Iam;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Benchmarks.Scenario;

/// <summary>
/// What IAM holds right now, read straight from the double's state (no API, no report): the verdict each user is owed.
/// A strategy whose verdict differs from it is stale.
/// </summary>
internal static class Truth
{
    public static UserCredentialState StateOf(IamUserSnapshot user) => StateOf(user, withTags: true);

    /// <summary>Without tags: the state a strategy that never reads them could at best know.</summary>
    public static UserCredentialState StateOf(IamUserSnapshot user, bool withTags) => new(
        new IamUser(user.UserId, user.UserName, user.Arn, user.Path, user.CreateDate),
        user.LoginProfile is { } profile
            ? new PasswordEvidence(true, profile.CreateDate, EvidenceSource.Live)
            : PasswordEvidence.None(EvidenceSource.Live),
        MfaEvidence.Live([.. user.MfaDevices.Select(d => new MfaDevice(d.SerialNumber, d.EnableDate))]),
        withTags ? user.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal));

    public static IReadOnlyDictionary<string, ComplianceType?> Verdicts(IEnumerable<IamUserSnapshot> users, RuleParameters parameters, DateTimeOffset now, bool withTags = true) =>
        users.ToDictionary(u => u.UserName, u => Evaluator.Evaluate(StateOf(u, withTags), parameters, now).Compliance, StringComparer.OrdinalIgnoreCase);
}

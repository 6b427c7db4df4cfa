using MfaConfigRule.CloudTrail;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Iam;

/// <summary>
/// The rule's reads of IAM, as the dispatcher and the front doors use them: one user live (<see cref="LiveUserReader"/>)
/// and every user of the account (<see cref="UserSweep"/>), over one IAM and one CloudTrail client. Built once per
/// account from its clients; it holds no state of its own.
/// </summary>
internal sealed class UserAssessor(IIamClient iam, ICloudTrailClient cloudTrail, TimeProvider time, AssessorOptions options)
{
    private readonly LiveUserReader _live = new(iam, time);
    private readonly UserSweep _sweep = new(iam, cloudTrail, time, options);

    /// <inheritdoc cref="LiveUserReader.AssessAsync"/>
    public Task<Assessment> AssessLiveAsync(IamUser user, IReadOnlyDictionary<string, string>? tags, RuleParameters parameters, CancellationToken cancellationToken) =>
        _live.AssessAsync(user, tags, parameters, cancellationToken);

    /// <inheritdoc cref="LiveUserReader.ResolveAsync"/>
    public Task<IamUser?> ResolveAsync(IamUser user, CancellationToken cancellationToken) => _live.ResolveAsync(user, cancellationToken);

    /// <inheritdoc cref="LiveUserReader.ReadEverythingAsync"/>
    public Task<UserCredentialState?> ReadEverythingLiveAsync(IamUser user, CancellationToken cancellationToken) => _live.ReadEverythingAsync(user, cancellationToken);

    /// <inheritdoc cref="UserSweep.SweepAsync"/>
    public Task<SweepResult> SweepAsync(RuleParameters parameters, CancellationToken cancellationToken, IProgress<(int Done, int Total)>? progress = null, SweepDeadline? deadline = null) =>
        _sweep.SweepAsync(parameters, cancellationToken, progress, deadline);
}

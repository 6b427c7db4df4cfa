using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Iam;

/// <summary>
/// One user read live from IAM (login profile, MFA devices, tags when the verdict turns on them) and evaluated: the
/// change-triggered path, <c>explain</c>, remediation, and the sweep wherever the bulk evidence cannot settle a verdict.
/// IAM answers by name, so a user it has no entity for under that name is gone: <see cref="UserGone.Assessment"/>.
/// </summary>
internal sealed class LiveUserReader(IIamClient iam, TimeProvider time)
{
    /// <summary>One user, all live (change-triggered evaluations). Tags come from the configuration item when given.</summary>
    public async Task<Assessment> AssessAsync(IamUser user, IReadOnlyDictionary<string, string>? tags, RuleParameters parameters, CancellationToken cancellationToken) =>
        await AssessOrNullAsync(user, tags, parameters, cancellationToken).ConfigureAwait(false) ?? UserGone.Assessment(user);

    /// <summary>
    /// The user IAM holds under <paramref name="user"/>'s ID now: GetUser by name, and when that name is gone or names
    /// another user (renamed, or deleted and reused), the ID looked up in ListUsers. Null when no user has the ID.
    /// </summary>
    public async Task<IamUser?> ResolveAsync(IamUser user, CancellationToken cancellationToken)
    {
        var named = await iam.GetUserAsync(user.UserName, cancellationToken).ConfigureAwait(false);
        if (named is not null && string.Equals(named.UserId, user.UserId, StringComparison.Ordinal)) return named;
        var users = await iam.ListUsersAsync(cancellationToken).ConfigureAwait(false);
        return users.FirstOrDefault(u => string.Equals(u.UserId, user.UserId, StringComparison.Ordinal));
    }

    /// <summary>Everything about one user read live, tags included (for <c>explain</c>); null when the user no longer exists.</summary>
    public async Task<UserCredentialState?> ReadEverythingAsync(IamUser user, CancellationToken cancellationToken)
    {
        var state = await ReadAsync(user, null, cancellationToken).ConfigureAwait(false);
        if (state is null) return null;
        var tags = await ReadTagsAsync(user, cancellationToken).ConfigureAwait(false);
        return tags is null ? null : state with { Tags = tags };
    }

    /// <summary>All live; null when IAM has no such user under this name.</summary>
    public async Task<Assessment?> AssessOrNullAsync(IamUser user, IReadOnlyDictionary<string, string>? tags, RuleParameters parameters, CancellationToken cancellationToken)
    {
        var state = await ReadAsync(user, tags, cancellationToken).ConfigureAwait(false);
        return state is null ? null : await WithTagsIfNeededAsync(state, parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Evaluates, reading the tags first when the verdict turns on them; null when the user is gone by then.</summary>
    public async Task<Assessment?> WithTagsIfNeededAsync(UserCredentialState state, RuleParameters parameters, CancellationToken cancellationToken)
    {
        var assessment = Evaluator.Evaluate(state, parameters, time.GetUtcNow());
        if (!assessment.Missing.HasFlag(MissingEvidence.Tags)) return assessment;
        var read = await ReadTagsAsync(state.User, cancellationToken).ConfigureAwait(false);
        return read is null ? null : Evaluator.Evaluate(state with { Tags = read }, parameters, time.GetUtcNow());
    }

    /// <summary>The user's MFA devices; null when IAM has no such user under this name.</summary>
    public async Task<IReadOnlyList<MfaDevice>?> TryListMfaDevicesAsync(IamUser user, CancellationToken cancellationToken)
    {
        try
        {
            return await iam.ListMfaDevicesAsync(user.UserName, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == IamClient.NoSuchEntity)
        {
            return null;
        }
    }

    private async Task<UserCredentialState?> ReadAsync(IamUser user, IReadOnlyDictionary<string, string>? tags, CancellationToken cancellationToken)
    {
        try
        {
            var profileTask = iam.GetLoginProfileAsync(user.UserName, cancellationToken);
            var devicesTask = iam.ListMfaDevicesAsync(user.UserName, cancellationToken);
            // Both awaited together, so a failure of either is observed and neither runs on unwatched.
            await Task.WhenAll(profileTask, devicesTask).ConfigureAwait(false);
            var profile = await profileTask.ConfigureAwait(false);
            var devices = await devicesTask.ConfigureAwait(false);
            var password = profile is null
                ? PasswordEvidence.None(EvidenceSource.Live)
                : new PasswordEvidence(true, profile.CreateDate, EvidenceSource.Live);
            return new UserCredentialState(user, password, MfaEvidence.Live(devices), tags);
        }
        catch (AwsServiceException e) when (e.ErrorCode == IamClient.NoSuchEntity)
        {
            return null;
        }
    }

    private async Task<IReadOnlyDictionary<string, string>?> ReadTagsAsync(IamUser user, CancellationToken cancellationToken)
    {
        try
        {
            return await iam.ListUserTagsAsync(user.UserName, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == IamClient.NoSuchEntity)
        {
            return null;
        }
    }
}

using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Contract;
using MfaConfigRule.Iam;

namespace MfaConfigRule.Remediation;

/// <summary>
/// Remediates one user by ID: resolves the ID to the user (ListUsers), re-reads everything live, judges with the rule's
/// own <see cref="Evaluator"/> and the deployed parameters, lets <see cref="RemediationDecider"/> decide, then makes at
/// most one IAM change. Right before the change it confirms that the user name still belongs to the user ID, and right
/// after it confirms again, undoing its change if the name changed hands in between (IAM has no write conditioned on
/// a user ID, so this is the narrowest window IAM allows). Any error before the change means no change; every path
/// ends in a <see cref="RemediationResult"/>, never a half-done change.
/// </summary>
internal sealed class Remediator(IIamClient iam, IIamPolicyAttachments attachments, UserAssessor assessor, TimeProvider time, RemediationSettings settings)
{
    private const string LimitExceeded = "LimitExceeded";

    public Task<RemediationResult> RemediateAsync(RemediationRequest request, CancellationToken cancellationToken) =>
        RemediateAsync(request, lastCheck: null, cancellationToken);

    /// <param name="lastCheck">
    /// Asked once more right before the write, after the user's identity is confirmed: a reason to stop (then nothing is
    /// changed), or null to go on. In an Organization it re-reads the asking automation, so a remediation that outlived
    /// its automation's wait (the runbook stopped waiting and failed) changes nothing.
    /// </param>
    public async Task<RemediationResult> RemediateAsync(RemediationRequest request, Func<CancellationToken, Task<string?>>? lastCheck, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = request.UserId;
        if (request.Action != settings.Action)
            return Result(request, RemediationOutcome.ActionNotEnabled, null, null,
                $"This deployment enables {settings.Action.ToWire()}, not {request.Action.ToWire()}; nothing was changed. Redeploy with -c mfaRule:remediationAction={request.Action.ToWire()} to use it.");

        IamUser? user;
        try
        {
            user = (await iam.ListUsersAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(u => u.UserId == id);
        }
        catch (AwsServiceException e)
        {
            return Failed(request, null, e, "listing IAM users to find the user ID");
        }
        // An ID is never reused; a renamed user is found under its new name, and remediated under it.
        if (user is null)
            return Result(request, RemediationOutcome.UserNotFound, null, null, $"No IAM user has the ID {id} (deleted, or never existed); nothing was changed.");
        return await RemediateUserAsync(request, user, lastCheck, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The scheduled sweep that lifts remediation: every user the enforcement policy is attached to is re-read live, and
    /// the policy comes off each one who is no longer NON_COMPLIANT. A user who cannot be read keeps it.
    /// </summary>
    public async Task<IReadOnlyList<RemediationResult>> LiftAsync(bool dryRun, CancellationToken cancellationToken)
    {
        if (settings.EnforcementPolicyArn is not { } policyArn) return [];
        var holders = await attachments.ListUsersWithPolicyAsync(policyArn, cancellationToken).ConfigureAwait(false);
        var results = new List<RemediationResult>(holders.Count);
        foreach (var holder in holders)
        {
            var request = new RemediationRequest(holder.UserId, RemediationAction.EnforceMfa, dryRun);
            IamUser? user;
            try
            {
                user = await iam.GetUserAsync(holder.UserName, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException e)
            {
                results.Add(Failed(request, holder.UserName, e, "reading the user"));
                continue;
            }
            results.Add(user is null || user.UserId != holder.UserId
                ? Result(request, RemediationOutcome.UserChanged, holder.UserName, null, $"{holder.UserName} no longer has the ID {holder.UserId}; nothing was changed.")
                : await RemediateUserAsync(request, user, lastCheck: null, cancellationToken).ConfigureAwait(false));
        }
        return results;
    }

    private async Task<RemediationResult> RemediateUserAsync(RemediationRequest request, IamUser user, Func<CancellationToken, Task<string?>>? lastCheck, CancellationToken cancellationToken)
    {
        var name = user.UserName;
        UserCredentialState? state;
        bool? attached = null;
        try
        {
            state = await assessor.ReadEverythingLiveAsync(user, cancellationToken).ConfigureAwait(false);
            if (state is not null && settings.EnforcementPolicyArn is { } policyArn)
                attached = (await attachments.ListAttachedUserPolicyArnsAsync(name, cancellationToken).ConfigureAwait(false)).Contains(policyArn, StringComparer.Ordinal);
        }
        catch (AwsServiceException e) when (e.ErrorCode == IamClient.NoSuchEntity)
        {
            state = null;
        }
        catch (AwsServiceException e)
        {
            return Failed(request, name, e, "reading the user's login profile, MFA devices, tags and policies");
        }
        if (state is null)
            return Result(request, RemediationOutcome.UserNotFound, name, null, $"{name} ({user.UserId}) was deleted while it was being read; nothing was changed.");

        var assessment = Evaluator.Evaluate(state, settings.Parameters, time.GetUtcNow());
        var found = new RemediationFindings(
            assessment.Compliance?.ToWire() ?? "UNKNOWN", assessment.Annotation, state.Password.Enabled, state.Mfa.Devices.Count,
            attached, assessment.Exemption?.Reason, assessment.GraceEndsAt);
        var decision = RemediationDecider.Decide(assessment, settings.Action, attached ?? false);
        if (decision.Step == RemediationStep.None)
            return Result(request, decision.Outcome, name, found, decision.Why);
        if (request.DryRun)
            return Result(request, decision.Outcome, name, found, $"Dry run: {decision.Why} Nothing was changed.");

        // The reads above named the user; the write names it again. Both must be of this ID.
        var identity = await ConfirmIdentityAsync(request, user, found, cancellationToken).ConfigureAwait(false);
        if (identity is not null) return identity;
        if (lastCheck is not null && await lastCheck(cancellationToken).ConfigureAwait(false) is { } stop)
            return Result(request, RemediationOutcome.CannotConfirm, name, found, $"{stop}; nothing was changed.");

        return decision.Step == RemediationStep.Lift
            ? await DetachAsync(request, user, found, decision, cancellationToken).ConfigureAwait(false)
            : settings.Action == RemediationAction.EnforceMfa
                ? await AttachAsync(request, user, found, decision, cancellationToken).ConfigureAwait(false)
                : await DeleteLoginProfileAsync(request, user, found, decision, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RemediationResult> AttachAsync(RemediationRequest request, IamUser user, RemediationFindings found, RemediationDecision decision, CancellationToken cancellationToken)
    {
        var policyArn = settings.EnforcementPolicyArn!;
        var name = user.UserName;
        try
        {
            await attachments.AttachUserPolicyAsync(name, policyArn, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == LimitExceeded)
        {
            return Result(request, RemediationOutcome.PolicyQuotaReached, name, found,
                $"{name} already has as many managed policies as IAM allows a user (default quota 10): {e.ServiceMessage} Nothing was changed. " +
                "Detach a policy the user does not need, raise the 'Managed policies per user' quota, or use DisableConsoleAccess.") with { ErrorCode = e.ErrorCode };
        }
        catch (AwsServiceException e) when (e.ErrorCode == IamClient.NoSuchEntity)
        {
            return Result(request, RemediationOutcome.UserNotFound, name, found,
                $"AttachUserPolicy answered NoSuchEntity: {e.ServiceMessage} (the user was deleted, or the enforcement policy {policyArn} is missing); nothing was changed.") with { ErrorCode = e.ErrorCode };
        }
        catch (AwsServiceException e)
        {
            return Failed(request, name, e, "attaching the enforcement policy") with { Found = found };
        }

        var did = new List<string> { $"AttachUserPolicy {name} {policyArn}" };
        var after = await RecheckAfterWriteAsync(request, user, found, did, () => attachments.DetachUserPolicyAsync(name, policyArn, cancellationToken), cancellationToken).ConfigureAwait(false);
        return after ?? Result(request, decision.Outcome, name, found, decision.Why) with
        {
            Did = did,
            Undo = $"aws iam detach-user-policy --user-name {name} --policy-arn {policyArn}",
        };
    }

    private async Task<RemediationResult> DetachAsync(RemediationRequest request, IamUser user, RemediationFindings found, RemediationDecision decision, CancellationToken cancellationToken)
    {
        var policyArn = settings.EnforcementPolicyArn!;
        var name = user.UserName;
        try
        {
            await attachments.DetachUserPolicyAsync(name, policyArn, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == IamClient.NoSuchEntity)
        {
            return Result(request, RemediationOutcome.NotNeeded, name, found, $"{found.Verdict}: the enforcement policy was already detached (by hand?); nothing was changed.");
        }
        catch (AwsServiceException e)
        {
            return Failed(request, name, e, "detaching the enforcement policy") with { Found = found };
        }
        return Result(request, decision.Outcome, name, found, decision.Why) with { Did = [$"DetachUserPolicy {name} {policyArn}"] };
    }

    private async Task<RemediationResult> DeleteLoginProfileAsync(RemediationRequest request, IamUser user, RemediationFindings found, RemediationDecision decision, CancellationToken cancellationToken)
    {
        var name = user.UserName;
        LoginProfile? profile;
        try
        {
            profile = await iam.GetLoginProfileAsync(name, cancellationToken).ConfigureAwait(false);
            if (profile is null)
                return Result(request, RemediationOutcome.NotNeeded, name, found, $"{name} has no console password any more; nothing was changed.");
            await attachments.DeleteLoginProfileAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == IamClient.NoSuchEntity)
        {
            return Result(request, RemediationOutcome.NotNeeded, name, found, $"{name} has no console password any more ({e.ServiceMessage}); nothing was changed.");
        }
        catch (AwsServiceException e)
        {
            return Failed(request, name, e, "removing the console password") with { Found = found };
        }
        // A deleted login profile cannot be put back as it was (IAM keeps no password), so there is no undo to run if the
        // name changed hands; the check after the write then reports it.
        var did = new List<string> { $"DeleteLoginProfile {name}" };
        var after = await RecheckAfterWriteAsync(request, user, found, did, null, cancellationToken).ConfigureAwait(false);
        var result = after ?? Result(request, decision.Outcome, name, found, decision.Why) with { Did = did };
        return result with
        {
            Removed = new RemovedLoginProfile(profile.CreateDate, profile.PasswordResetRequired),
            Undo = $"aws iam create-login-profile --user-name {name} --password-reset-required --password <a temporary password>",
        };
    }

    private async Task<RemediationResult?> ConfirmIdentityAsync(RemediationRequest request, IamUser user, RemediationFindings found, CancellationToken cancellationToken)
    {
        IamUser? now;
        try
        {
            now = await iam.GetUserAsync(user.UserName, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            return Failed(request, user.UserName, e, "confirming the user before the change") with { Found = found };
        }
        if (now is null)
            return Result(request, RemediationOutcome.UserNotFound, user.UserName, found, $"{user.UserName} was deleted or renamed before the change; nothing was changed.");
        if (now.UserId != user.UserId)
            return Result(request, RemediationOutcome.UserChanged, user.UserName, found,
                $"The name {user.UserName} now belongs to {now.UserId}, not {user.UserId}; nothing was changed.");
        return null;
    }

    /// <summary>After the write: if the name no longer belongs to the ID, the change is undone where it can be and reported.</summary>
    private async Task<RemediationResult?> RecheckAfterWriteAsync(
        RemediationRequest request, IamUser user, RemediationFindings found, List<string> did, Func<Task>? undo, CancellationToken cancellationToken)
    {
        IamUser? now;
        try
        {
            now = await iam.GetUserAsync(user.UserName, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException)
        {
            // The write was made to a name confirmed a moment before; a failed re-read does not make it wrong.
            return null;
        }
        if (now is not null && now.UserId == user.UserId) return null;
        var why = $"The name {user.UserName} changed hands during the change (now {(now is null ? "no user" : now.UserId)}).";
        if (undo is not null && now is not null)
        {
            try
            {
                await undo().ConfigureAwait(false);
                did.Add($"undone on {user.UserName}");
                why += " The change was undone.";
            }
            catch (AwsServiceException e)
            {
                why += $" Undoing it failed ({e.ErrorCode}): check {user.UserName} by hand.";
            }
        }
        return Result(request, RemediationOutcome.UserChanged, user.UserName, found, why) with { Did = did };
    }

    private RemediationResult Failed(RemediationRequest request, string? userName, AwsServiceException e, string doing) =>
        Result(request, RemediationOutcome.CannotConfirm, userName, null,
            $"IAM failed while {doing}: {e.ErrorCode}: {e.ServiceMessage}; nothing was changed. Run the remediation again later.") with { ErrorCode = e.ErrorCode };

    private static RemediationResult Result(RemediationRequest request, RemediationOutcome outcome, string? userName, RemediationFindings? found, string why) =>
        new(outcome, request.Action, request.DryRun, request.UserId, userName, found, [], why);
}

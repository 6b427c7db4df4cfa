using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using MfaConfigRule.Contract;
using MfaConfigRule.Iam;
using MfaConfigRule.Remediation;

namespace MfaConfigRule.Organization;

/// <summary>One account's part of the hourly lift: what was lifted there, or why the account could not be swept.</summary>
internal sealed record AccountLift(string AccountId, IReadOnlyList<RemediationResult> Results, string? Error)
{
    public bool Swept => Error is null;
}

/// <summary>
/// The central <c>remediate</c> function's part in Organization mode. A remediation: check the named account is one of
/// the Organization's (or the allow-list's), assume the member's remediation role there, prove the request with
/// <see cref="MemberRemediationCheck"/> against that account's own automation execution, then run the single-account
/// <see cref="Remediator"/> on that member's IAM. The lift: every account, a bounded number at a time, each on its own,
/// so one account that cannot be reached leaves the others lifted.
/// </summary>
internal sealed class MemberRemediation(
    MemberClientFactory members,
    IMemberAccounts accounts,
    Func<CancellationToken, Task<IReadOnlyList<string>>> listAccounts,
    RemediationSettings settings,
    MemberRemediationSettings organization,
    string region,
    TimeProvider time)
{
    /// <summary>Accounts swept at once by the lift: each is a handful of IAM calls, and IAM throttles per account.</summary>
    public const int MaxParallelAccounts = 8;

    private string Partition => MemberRole.PartitionOf(region);

    public async Task<RemediationResult> RemediateAsync(MemberRemediationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var account = request.AccountId;
        bool member;
        try
        {
            member = await accounts.ContainsAsync(account, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            return Result(request, RemediationOutcome.CannotConfirm,
                $"Cannot tell whether account {account} belongs to {accounts.Description} ({e.ErrorCode}: {e.ServiceMessage}); nothing was changed.") with { ErrorCode = e.ErrorCode };
        }
        if (!member)
            return Result(request, RemediationOutcome.Refused, $"Refused: account {account} is not one of {accounts.Description}; nothing was read or changed there.");

        var clients = members.For(account, region, Partition);
        try
        {
            await clients.Credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            return Result(request, RemediationOutcome.CannotConfirm,
                $"Cannot assume {clients.Credentials.RoleArn} in account {account}: {e.ErrorCode}: {e.ServiceMessage}; nothing was changed. " +
                "Is the member stack deployed there with remediation on, and does its remediation role trust this function's role?") with { ErrorCode = e.ErrorCode };
        }

        // The asking automation, read in the named account and checked (MemberRemediationCheck): null when it may be acted on.
        var automation = AutomationClient.Over(clients.Aws);
        async Task<string?> RefusalAsync(CancellationToken token) =>
            MemberRemediationCheck.Refusal(request,
                await automation.GetAutomationExecutionAsync(request.AutomationExecutionId, token).ConfigureAwait(false),
                organization.DocumentName, settings.Action);

        string? refusal;
        try
        {
            refusal = await RefusalAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            return Result(request, RemediationOutcome.CannotConfirm,
                $"Cannot read automation execution {request.AutomationExecutionId} in account {account} ({e.ErrorCode}: {e.ServiceMessage}); nothing was changed.") with { ErrorCode = e.ErrorCode };
        }
        if (refusal is not null)
            return Result(request, RemediationOutcome.Refused, $"Refused: {refusal}; nothing was changed.");

        // The runbook's script waits a bounded time for this answer, and this function may run longer (its timeout fits
        // the hourly lift). So the same check runs once more right before the write: an automation that has stopped
        // waiting (failed, timed out, cancelled) gets no change made in its name, and Config's next attempt starts afresh.
        async Task<string?> StillAsked(CancellationToken token)
        {
            try
            {
                return await RefusalAsync(token).ConfigureAwait(false) is { } gone
                    ? $"The asking automation stopped waiting before the change: {gone}"
                    : null;
            }
            catch (AwsServiceException e)
            {
                return $"Cannot read automation execution {request.AutomationExecutionId} in account {account} again right before the change ({e.ErrorCode}: {e.ServiceMessage})";
            }
        }

        var result = await RemediatorIn(clients).RemediateAsync(request.Request, StillAsked, cancellationToken).ConfigureAwait(false);
        return result with { AccountId = account };
    }

    /// <summary>The hourly lift in every account; an account whose list, role or IAM fails is reported and the others go on.</summary>
    public async Task<IReadOnlyList<AccountLift>> LiftAsync(CancellationToken cancellationToken)
    {
        var accountIds = await listAccounts(cancellationToken).ConfigureAwait(false);
        var lifts = new AccountLift[accountIds.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, accountIds.Count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelAccounts, CancellationToken = cancellationToken },
            async (index, token) => lifts[index] = await LiftAccountAsync(accountIds[index], token).ConfigureAwait(false)).ConfigureAwait(false);
        return lifts;
    }

    private async Task<AccountLift> LiftAccountAsync(string account, CancellationToken cancellationToken)
    {
        var clients = members.For(account, region, Partition);
        try
        {
            await clients.Credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            return new AccountLift(account, [], $"cannot assume {clients.Credentials.RoleArn}: {e.ErrorCode}: {e.ServiceMessage}");
        }
        try
        {
            var results = await RemediatorIn(clients).LiftAsync(dryRun: false, cancellationToken).ConfigureAwait(false);
            return new AccountLift(account, results.Select(r => r with { AccountId = account }).ToList(), null);
        }
        catch (AwsServiceException e)
        {
            // Nothing was detached from a user not yet reached; the next hourly run starts over.
            return new AccountLift(account, [], $"the enforcement policy's holders could not be listed: {e.ErrorCode}: {e.ServiceMessage}");
        }
    }

    private Remediator RemediatorIn(MemberClients clients) => Wiring.Remediator(clients.Aws, time, settings.InAccount(clients.AccountId));

    private static RemediationResult Result(MemberRemediationRequest request, RemediationOutcome outcome, string why) =>
        new RemediationResult(outcome, request.Request.Action, request.Request.DryRun, request.Request.UserId, null, null, [], why) with { AccountId = request.AccountId };
}

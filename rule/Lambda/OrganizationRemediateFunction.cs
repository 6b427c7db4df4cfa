using MfaConfigRule.Aws;
using MfaConfigRule.Contract;
using MfaConfigRule.Logging;
using MfaConfigRule.Organization;
using MfaConfigRule.Remediation;

namespace MfaConfigRule.Lambda;

/// <summary>
/// <c>remediate</c> in Organization mode: the one central function every member's runbook invokes, and the hourly lift
/// across the members. A request is proven against the named account's own automation before anything changes there;
/// one that is not is refused with a log line naming why.
/// </summary>
internal static class OrganizationRemediateFunction
{
    public static LambdaHandler Create(MemberRemediationSettings organization, RemediationSettings settings, AwsClients hub, AwsClientOptions template, JsonLog log, TimeProvider time)
    {
        var members = new MemberClientFactory(hub, organization.Role, template);
        IMemberAccounts accounts;
        Func<CancellationToken, Task<IReadOnlyList<string>>> listAccounts;
        if (organization.AllowedAccountIds is { } allowed)
        {
            accounts = new AllowedAccounts(allowed);
            var ordered = allowed.Order(StringComparer.Ordinal).ToList();
            listAccounts = _ => Task.FromResult<IReadOnlyList<string>>(ordered);
        }
        else
        {
            var organizations = OrganizationsClient.Over(hub);
            accounts = new OrganizationMembers(organizations, time);
            listAccounts = async token => (await organizations.ListAccountsAsync(token).ConfigureAwait(false)).Where(a => a.IsActive).Select(a => a.Id).ToList();
        }
        var remediation = new MemberRemediation(members, accounts, listAccounts, settings, organization, hub.Endpoints.Region, time);
        log.Info("organization mode", new LogFields { ["remediationRole"] = organization.Role.Name, ["runbook"] = organization.DocumentName, ["accounts"] = accounts.Description });

        return async (request, cancellationToken) =>
        {
            var started = time.GetTimestamp();
            var before = hub.Calls.Snapshot();
            if (RuleFunctions.IsScheduledEvent(request.Body))
                return await LiftAsync(remediation, hub.Calls, before, started, log, time, cancellationToken).ConfigureAwait(false);

            MemberRemediationRequest parsed;
            try
            {
                parsed = MemberRemediationRequest.Parse(request.Body);
            }
            catch (RemediationRequestException e)
            {
                log.Error("the remediation request cannot be read; nothing was changed", new LogFields { ["error"] = e.Message });
                throw new LambdaFunctionException("InvalidEvent", e.Message, e);
            }
            var outcome = await remediation.RemediateAsync(parsed, cancellationToken).ConfigureAwait(false);
            var fields = new LogFields { ["account"] = parsed.AccountId, ["automationExecutionId"] = parsed.AutomationExecutionId };
            return RuleFunctions.Finished(outcome, fields, hub.Calls.Since(before), time.GetElapsedTime(started), log);
        };
    }

    private static async Task<string> LiftAsync(MemberRemediation remediation, ApiCallCounter calls, IReadOnlyDictionary<string, int> before, long started, JsonLog log, TimeProvider time, CancellationToken cancellationToken)
    {
        IReadOnlyList<AccountLift> lifts;
        try
        {
            lifts = await remediation.LiftAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            log.Error("lift sweep not started: the Organization's accounts could not be listed", new LogFields { ["error"] = e.Message });
            throw new LambdaFunctionException("LiftIncomplete", e.Message, e);
        }
        var results = lifts.SelectMany(l => l.Results).ToList();
        var counts = RuleFunctions.OutcomeCounts(results);
        foreach (var result in results.Where(r => r.Did.Count > 0 || !r.Ok))
            log.Info("lift", new LogFields { ["account"] = result.AccountId, ["user"] = result.UserName, ["outcome"] = result.Outcome.ToWire(), ["why"] = result.Why });
        var failed = lifts.Where(l => !l.Swept).ToList();
        foreach (var account in failed)
            log.Error("lift skipped an account: nothing was detached there", new LogFields { ["account"] = account.AccountId, ["error"] = account.Error });
        var fields = new LogFields
        {
            ["accounts"] = lifts.Count,
            ["failedAccounts"] = failed.Select(f => f.AccountId).ToList(),
            ["users"] = results.Count,
            ["counts"] = LogValue.Counts(counts),
            ["apiCalls"] = calls.Since(before),
            ["durationMs"] = (int)time.GetElapsedTime(started).TotalMilliseconds,
        };
        if (failed.Count > 0)
        {
            var message = $"lifted in {lifts.Count - failed.Count} of {lifts.Count} accounts; not swept: " +
                string.Join("; ", failed.Select(f => $"{f.AccountId} ({f.Error})"));
            fields["error"] = message;
            log.Error("lift sweep incomplete: the other accounts were swept", fields);
            throw new LambdaFunctionException("LiftIncomplete", message);
        }
        log.Info("lift sweep finished", fields);
        return RuleFunctions.LiftResult(lifts.Count, results.Count, counts);
    }
}

using MfaConfigRule.Contract;
using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using MfaConfigRule.Json;
using MfaConfigRule.LambdaRuntime;
using MfaConfigRule.Logging;
using MfaConfigRule.Organization;
using MfaConfigRule.Remediation;

namespace MfaConfigRule.Functions;

/// <summary>
/// <c>remediate</c>: an SSM document's request (<c>IAMResourceId</c>, <c>Action</c>, <c>DryRun</c>) gets the structured
/// result the document asserts on; an EventBridge scheduled event runs the sweep that lifts remediation from users who
/// are no longer NON_COMPLIANT. Only a request that cannot be read, or a lift that could not sweep, is an invocation
/// error. In Organization mode it is the one central function every member's runbook invokes, and the hourly lift
/// across the members: a request is proven against the named account's own automation before anything changes there;
/// one that is not is refused with a log line naming why.
/// </summary>
internal static class RemediateFunction
{
    public static LambdaHandler Create(FunctionEnvironment environment, JsonLog log, TimeProvider time)
    {
        var settings = environment.Remediation();
        if (environment.MemberRemediation() is { } organization)
        {
            var template = environment.ClientOptions();
            var hub = AwsClients.Create(template);
            var access = MemberAccess.For(organization.Role, organization.AllowedAccountIds, hub, template, time);
            var remediation = new MemberRemediation(access.Members, access.Accounts, access.ListAccounts, settings, organization, hub.Endpoints.Region, time);
            log.Info("organization mode", new LogFields { ["remediationRole"] = organization.Role.Name, ["runbook"] = organization.DocumentName, ["accounts"] = access.Accounts.Description });
            return OrganizationHandler(remediation, hub.Calls, log, time);
        }
        var aws = environment.Clients();
        return Handler(Wiring.Remediator(aws, time, settings), aws.Calls, log, time);
    }

    /// <summary>The handler in the function's own account.</summary>
    public static LambdaHandler Handler(Remediator remediator, ApiCallCounter calls, JsonLog log, TimeProvider time) => async (request, cancellationToken) =>
    {
        var meter = InvocationMeter.Start(calls, time);
        if (IsScheduledEvent(request.Body))
        {
            IReadOnlyList<RemediationResult> lifted;
            try
            {
                lifted = await remediator.LiftAsync(dryRun: false, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException e)
            {
                // Nothing was detached from a user not yet reached; the next hourly run starts over.
                log.Error("lift sweep incomplete: the enforcement policy's holders could not be listed or read", Incomplete(time).AddTo(new LogFields { ["error"] = e.Message }));
                throw FunctionFailures.LiftFailed(e.Message, e);
            }
            var counts = OutcomeCounts(lifted);
            foreach (var result in lifted.Where(r => r.Did.Count > 0 || !r.Ok))
                log.Info("lift", new LogFields { ["user"] = result.UserName, ["outcome"] = result.Outcome.ToWire(), ["why"] = result.Why });
            log.Info("lift sweep finished", Lifted(counts, time).AddTo(new LogFields
            {
                ["users"] = lifted.Count,
                ["counts"] = LogValue.Counts(counts),
                ["apiCalls"] = meter.ApiCalls,
                ["durationMs"] = meter.DurationMs,
            }));
            return LiftResult(accounts: null, lifted.Count, counts);
        }

        RemediationRequest parsed;
        try
        {
            parsed = RemediationRequest.Parse(request.Body);
        }
        catch (RemediationRequestException e)
        {
            log.Error("the remediation request cannot be read; nothing was changed", new LogFields { ["error"] = e.Message });
            throw FunctionFailures.Of(e);
        }
        var outcome = await remediator.RemediateAsync(parsed, cancellationToken).ConfigureAwait(false);
        return Finished(outcome, new LogFields(), meter, log, time);
    };

    /// <summary>The Organization-mode handler: a member's request, proven against its account, or the lift across the members.</summary>
    public static LambdaHandler OrganizationHandler(MemberRemediation remediation, ApiCallCounter calls, JsonLog log, TimeProvider time) => async (request, cancellationToken) =>
    {
        var meter = InvocationMeter.Start(calls, time);
        if (IsScheduledEvent(request.Body))
            return await LiftAcrossMembersAsync(remediation, meter, log, time, cancellationToken).ConfigureAwait(false);

        MemberRemediationRequest parsed;
        try
        {
            parsed = MemberRemediationRequest.Parse(request.Body);
        }
        catch (RemediationRequestException e)
        {
            log.Error("the remediation request cannot be read; nothing was changed", new LogFields { ["error"] = e.Message });
            throw FunctionFailures.Of(e);
        }
        var outcome = await remediation.RemediateAsync(parsed, cancellationToken).ConfigureAwait(false);
        var fields = new LogFields { ["account"] = parsed.AccountId, ["automationExecutionId"] = parsed.AutomationExecutionId };
        return Finished(outcome, fields, meter, log, time);
    };

    private static async Task<string> LiftAcrossMembersAsync(MemberRemediation remediation, InvocationMeter meter, JsonLog log, TimeProvider time, CancellationToken cancellationToken)
    {
        IReadOnlyList<AccountLift> lifts;
        try
        {
            lifts = await remediation.LiftAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            log.Error("lift sweep not started: the Organization's accounts could not be listed", Incomplete(time).AddTo(new LogFields { ["error"] = e.Message }));
            throw FunctionFailures.LiftFailed(e.Message, e);
        }
        var results = lifts.SelectMany(l => l.Results).ToList();
        var counts = OutcomeCounts(results);
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
            ["apiCalls"] = meter.ApiCalls,
            ["durationMs"] = meter.DurationMs,
        };
        if (failed.Count > 0)
        {
            var message = $"lifted in {lifts.Count - failed.Count} of {lifts.Count} accounts; not swept: " +
                string.Join("; ", failed.Select(f => $"{f.AccountId} ({f.Error})"));
            fields["error"] = message;
            log.Error("lift sweep incomplete: the other accounts were swept", Lifted(counts, time).Put(RuleMetrics.IncompleteLifts, 1).AddTo(fields));
            throw FunctionFailures.LiftFailed(message);
        }
        log.Info("lift sweep finished", Lifted(counts, time).AddTo(fields));
        return LiftResult(lifts.Count, results.Count, counts);
    }

    /// <summary>A lift sweep's metric: the users freed of the enforcement policy.</summary>
    private static EmbeddedMetrics Lifted(IReadOnlyDictionary<string, int> counts, TimeProvider time) =>
        EmbeddedMetrics.At(time).Put(RuleMetrics.UsersLifted, counts.GetValueOrDefault(RemediationOutcome.Lifted.ToWire()));

    /// <summary>A lift sweep that could not start or finish.</summary>
    private static EmbeddedMetrics Incomplete(TimeProvider time) => EmbeddedMetrics.At(time).Put(RuleMetrics.IncompleteLifts, 1);

    /// <summary>How many of a lift's results ended in each outcome (wire names).</summary>
    private static Dictionary<string, int> OutcomeCounts(IEnumerable<RemediationResult> results) =>
        results.GroupBy(r => r.Outcome.ToWire(), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>A lift sweep's result: the accounts swept (Organization only), the users and their outcomes.</summary>
    private static string LiftResult(int? accounts, int users, IReadOnlyDictionary<string, int> counts) => FunctionResponse.Json(writer =>
    {
        if (accounts is { } swept) writer.WriteNumber("accounts", swept);
        writer.WriteNumber("users", users);
        writer.WriteStartObject("counts");
        foreach (var (outcome, count) in counts) writer.WriteNumber(outcome, count);
        writer.WriteEndObject();
    });

    /// <summary>
    /// The one log line a remediation ends with (its <paramref name="fields"/> first: who asked, in the Organization),
    /// and the result the runbook reads.
    /// </summary>
    private static string Finished(RemediationResult outcome, LogFields fields, InvocationMeter meter, JsonLog log, TimeProvider time)
    {
        fields["userId"] = outcome.UserId;
        fields["user"] = outcome.UserName;
        fields["action"] = outcome.Action.ToWire();
        fields["dryRun"] = outcome.DryRun;
        fields["outcome"] = outcome.Outcome.ToWire();
        fields["changed"] = outcome.Did.Count > 0;
        fields["why"] = outcome.Why;
        fields["apiCalls"] = meter.ApiCalls;
        fields["durationMs"] = meter.DurationMs;
        var metrics = EmbeddedMetrics.At(time).Put(RuleMetrics.UsersRemediated, outcome.Outcome == RemediationOutcome.Remediated && !outcome.DryRun ? 1 : 0);
        if (outcome.Outcome == RemediationOutcome.Refused) metrics.Put(RuleMetrics.RefusedEvents, 1);
        metrics.AddTo(fields);
        if (outcome.Outcome == RemediationOutcome.Refused) log.Error("remediation refused: nothing was changed in any account", fields);
        else if (outcome.Ok) log.Info("remediation finished", fields);
        else log.Error("remediation did not complete; nothing was changed unless 'did' says so", fields);
        return outcome.ToJson();
    }

    private static bool IsScheduledEvent(string body)
    {
        try
        {
            using var document = JsonMessage.Parse(body, "the invocation");
            return JsonMessage.OptionalString(document.RootElement, "source") == "aws.events";
        }
        catch (JsonMessageException)
        {
            // Not an EventBridge event: the request parser says what is wrong with it.
            return false;
        }
    }
}

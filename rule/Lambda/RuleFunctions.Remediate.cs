using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.Contract;
using MfaConfigRule.Iam;
using MfaConfigRule.Logging;
using MfaConfigRule.Remediation;

namespace MfaConfigRule.Lambda;

internal static partial class RuleFunctions
{
    /// <summary>
    /// The <c>remediate</c> entry: an SSM document's request (<c>IAMResourceId</c>, <c>Action</c>, <c>DryRun</c>) gets the
    /// structured result the document asserts on; an EventBridge scheduled event runs the sweep that lifts remediation
    /// from users who are no longer NON_COMPLIANT. Only a request that cannot be read is an invocation error.
    /// </summary>
    private static LambdaHandler Remediate(IEnvironmentVariables environment, JsonLog log, TimeProvider time)
    {
        RemediationSettings settings;
        try
        {
            settings = RemediationSettings.FromEnvironment(environment);
        }
        catch (RemediationSettingsException e)
        {
            throw new LambdaFunctionException("Runtime.InvalidConfiguration", e.Message, e);
        }
        MemberRemediationSettings? organization;
        try
        {
            organization = MemberRemediationSettings.FromEnvironment(environment);
        }
        catch (OrganizationSettingsException e)
        {
            throw new LambdaFunctionException("Runtime.InvalidConfiguration", e.Message, e);
        }
        if (organization is not null)
            return OrganizationRemediateFunction.Create(organization, settings, Clients(environment, time), ClientOptions(environment, time), log, time);

        var aws = Clients(environment, time);
        var remediator = new Remediator(aws.Iam, aws.PolicyAttachments,
            new UserAssessor(aws.Iam, aws.CloudTrail, time, new AssessorOptions()), time, settings);

        return async (request, cancellationToken) =>
        {
            var started = time.GetTimestamp();
            var before = aws.Calls.Snapshot();
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
                    log.Error("lift sweep incomplete: the enforcement policy's holders could not be listed or read", new LogFields { ["error"] = e.Message });
                    throw new LambdaFunctionException("LiftIncomplete", e.Message, e);
                }
                var counts = OutcomeCounts(lifted);
                foreach (var result in lifted.Where(r => r.Did.Count > 0 || !r.Ok))
                    log.Info("lift", new LogFields { ["user"] = result.UserName, ["outcome"] = result.Outcome.ToWire(), ["why"] = result.Why });
                log.Info("lift sweep finished", new LogFields
                {
                    ["users"] = lifted.Count,
                    ["counts"] = LogValue.Counts(counts),
                    ["apiCalls"] = aws.Calls.Since(before),
                    ["durationMs"] = (int)time.GetElapsedTime(started).TotalMilliseconds,
                });
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
                throw new LambdaFunctionException("InvalidEvent", e.Message, e);
            }
            var outcome = await remediator.RemediateAsync(parsed, cancellationToken).ConfigureAwait(false);
            return Finished(outcome, new LogFields(), aws.Calls.Since(before), time.GetElapsedTime(started), log);
        };
    }

    /// <summary>How many of a lift's results ended in each outcome (wire names).</summary>
    internal static Dictionary<string, int> OutcomeCounts(IEnumerable<RemediationResult> results) =>
        results.GroupBy(r => r.Outcome.ToWire(), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>A lift sweep's result: the accounts swept (Organization only), the users and their outcomes.</summary>
    internal static string LiftResult(int? accounts, int users, IReadOnlyDictionary<string, int> counts) => Json(writer =>
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
    internal static string Finished(RemediationResult outcome, LogFields fields, SortedDictionary<string, int> apiCalls, TimeSpan duration, JsonLog log)
    {
        fields["userId"] = outcome.UserId;
        fields["user"] = outcome.UserName;
        fields["action"] = outcome.Action.ToWire();
        fields["dryRun"] = outcome.DryRun;
        fields["outcome"] = outcome.Outcome.ToWire();
        fields["changed"] = outcome.Did.Count > 0;
        fields["why"] = outcome.Why;
        fields["apiCalls"] = apiCalls;
        fields["durationMs"] = (int)duration.TotalMilliseconds;
        if (outcome.Outcome == RemediationOutcome.Refused) log.Error("remediation refused: nothing was changed in any account", fields);
        else if (outcome.Ok) log.Info("remediation finished", fields);
        else log.Error("remediation did not complete; nothing was changed unless 'did' says so", fields);
        return outcome.ToJson();
    }

    internal static bool IsScheduledEvent(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.String
                && source.GetString() == "aws.events";
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

using System.Text;
using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.Contract;
using MfaConfigRule.Logging;
using MfaConfigRule.Organization;
using MfaConfigRule.Rule;
using MfaConfigRule.SecurityHub;

namespace MfaConfigRule.Lambda;

/// <summary>
/// <c>evaluate</c> in Organization mode: the central function Config invokes from every member account. It admits the
/// event, assumes the member role, then runs the same handler and log line as the single-account function, in that member.
/// With the direct Security Hub export on, the member's findings go to the member's own Security Hub, in the rule's
/// Region, signed with the member role's session: Security Hub takes a default-product finding only from the account
/// it is about.
/// </summary>
internal static class OrganizationFunctions
{
    /// <param name="findings">The exporter shared by every member (it paces each account and Region on its own), or null when the export is off.</param>
    public static LambdaHandler Evaluate(MemberEvaluation evaluation, ApiCallCounter calls, JsonLog log, TimeProvider time, FindingExporter? findings = null) => async (request, cancellationToken) =>
    {
        MemberClients member;
        ConfigRuleHandler handler;
        try
        {
            (member, handler) = await evaluation.PrepareAsync(request.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (ConfigEventException e)
        {
            log.Error("the Config event cannot be read; nothing was reported", new LogFields { ["error"] = e.Message });
            throw new LambdaFunctionException("InvalidEvent", e.Message, e);
        }
        catch (MemberEventRefusedException e)
        {
            log.Error("event refused: nothing was read or written in any account", new LogFields
            {
                ["reason"] = e.Reason,
                ["account"] = e.Event.AccountId ?? string.Empty,
                ["configRuleArn"] = e.Event.ConfigRuleArn ?? string.Empty,
                ["executionRoleArn"] = e.Event.ExecutionRoleArn ?? string.Empty,
            });
            throw new LambdaFunctionException("EventRefused", e.Message);
        }
        catch (MemberRoleUnavailableException e)
        {
            log.Error("cannot act in the member account: its role could not be assumed; nothing was written", new LogFields
            {
                ["account"] = e.AccountId,
                ["role"] = e.RoleArn,
                ["errorCode"] = e.ErrorCode,
                ["error"] = e.Message,
            });
            throw new LambdaFunctionException("MemberRoleUnavailable", e.Message);
        }
        catch (MemberAccountsUnavailableException e)
        {
            log.Error("cannot check the event's account; nothing was read or written", new LogFields { ["error"] = e.Message });
            throw new LambdaFunctionException("MemberAccountsUnavailable", e.Message);
        }
        var securityHub = findings is null ? null : new SecurityHubExport(SecurityHubClient.Create(member.Aws), findings, member.Region);
        return await RuleFunctions.Evaluate(handler, calls, log, time, securityHub)(request, cancellationToken).ConfigureAwait(false);
    };

    /// <summary>The Organization-mode handler from the function's environment and the hub's own clients.</summary>
    public static LambdaHandler Evaluate(OrganizationSettings settings, AwsClients hub, AwsClientOptions template, JsonLog log, TimeProvider time, ExportOptions? findings = null)
    {
        var (members, accounts) = Members(settings, hub, template, log, time,
            findings is null ? SecurityHubSettings.OffMode : SecurityHubSettings.DirectMode);
        return Evaluate(new MemberEvaluation(members, accounts, time), hub.Calls, log, time, findings is null ? null : new FindingExporter(time, findings));
    }

    /// <summary>
    /// <c>trigger</c> in Organization mode: a batch of queued member IAM events from Lambda's SQS poller. One log line
    /// per record; the records that failed (member role missing, an AWS error, an unreadable message) are handed back
    /// as <c>batchItemFailures</c> so SQS retries them alone, and the rest are done.
    /// </summary>
    public static LambdaHandler Trigger(MemberTrigger trigger, ApiCallCounter calls, JsonLog log, TimeProvider time) => async (request, cancellationToken) =>
    {
        var started = time.GetTimestamp();
        var before = calls.Snapshot();
        IReadOnlyList<QueueRecord> records;
        try
        {
            records = QueueRecord.ParseBatch(request.Body);
        }
        catch (ConfigEventException e)
        {
            log.Error("the SQS event cannot be read", new LogFields { ["error"] = e.Message });
            throw new LambdaFunctionException("InvalidEvent", e.Message, e);
        }
        var outcomes = await trigger.HandleBatchAsync(records, cancellationToken).ConfigureAwait(false);
        foreach (var outcome in outcomes)
        {
            var fields = new LogFields
            {
                ["messageId"] = outcome.MessageId,
                ["account"] = outcome.Account,
                ["eventName"] = outcome.EventName,
                ["user"] = outcome.UserName,
                ["action"] = outcome.Action,
            };
            if (outcome.Failed) log.Error("trigger failed for this record; SQS will deliver it again", fields);
            else if (outcome.Refused) log.Error("trigger refused or gave up this record", fields);
            else log.Info("trigger finished", fields);
        }
        var failed = outcomes.Where(o => o.Failed).ToList();
        log.Info("trigger batch finished", new LogFields
        {
            ["records"] = outcomes.Count,
            ["failed"] = failed.Count,
            ["apiCalls"] = calls.Since(before),
            ["durationMs"] = (int)time.GetElapsedTime(started).TotalMilliseconds,
        });
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("batchItemFailures");
            foreach (var outcome in failed)
            {
                writer.WriteStartObject();
                writer.WriteString("itemIdentifier", outcome.MessageId);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    };

    /// <summary>The Organization-mode trigger from the function's environment and the hub's own clients.</summary>
    public static LambdaHandler Trigger(
        OrganizationSettings settings, string ruleName, string? queueUrl, AwsClients hub, AwsClientOptions template, JsonLog log, TimeProvider time)
    {
        if (string.IsNullOrWhiteSpace(queueUrl))
            throw new LambdaFunctionException("Runtime.InvalidConfiguration", $"the Organization trigger needs {OrganizationSettings.TriggerQueueUrlVariable}: the queue it puts waiting events back on");
        var (members, accounts) = Members(settings, hub, template, log, time);
        var trigger = new MemberTrigger(members, accounts, SqsClient.Over(hub),
            new MemberTriggerSettings(ruleName, hub.Endpoints.Region, queueUrl.Trim(), new TriggerOptions()), time);
        return Trigger(trigger, hub.Calls, log, time);
    }

    /// <param name="securityHubMode">For the evaluate function's start-up line: whether it exports findings.</param>
    private static (MemberClientFactory Members, IMemberAccounts Accounts) Members(
        OrganizationSettings settings, AwsClients hub, AwsClientOptions template, JsonLog log, TimeProvider time, string? securityHubMode = null)
    {
        var members = new MemberClientFactory(hub, settings.Role, template);
        IMemberAccounts accounts = settings.AllowedAccountIds is { } allowed
            ? new AllowedAccounts(allowed)
            : new OrganizationMembers(OrganizationsClient.Over(hub), time);
        var fields = new LogFields { ["memberRole"] = settings.Role.Name, ["accounts"] = accounts.Description };
        if (securityHubMode is not null) fields["securityHubFindings"] = securityHubMode;
        log.Info("organization mode", fields);
        return (members, accounts);
    }
}

using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using MfaConfigRule.Contract;
using MfaConfigRule.LambdaRuntime;
using MfaConfigRule.Logging;
using MfaConfigRule.Organization;
using MfaConfigRule.Json;
using MfaConfigRule.Trigger;

namespace MfaConfigRule.Functions;

/// <summary>
/// <c>trigger</c>: re-runs the Config rule when an IAM event may have changed a verdict. In a single account EventBridge
/// invokes it with the event; in Organization mode Lambda's SQS poller hands it a batch of queued member IAM events.
/// One JSON log line per event.
/// </summary>
internal static class TriggerFunction
{
    public static LambdaHandler Create(FunctionEnvironment environment, JsonLog log, TimeProvider time)
    {
        var ruleName = environment.Get(FunctionEnvironment.ConfigRuleNameVariable);
        if (string.IsNullOrWhiteSpace(ruleName))
            throw FunctionFailures.Misconfigured($"the trigger needs {FunctionEnvironment.ConfigRuleNameVariable}: the Config rule to re-run");
        if (environment.Organization() is { } organization)
        {
            var queueUrl = environment.Get(OrganizationSettings.TriggerQueueUrlVariable);
            var template = environment.ClientOptions();
            var hub = AwsClients.Create(template);
            if (string.IsNullOrWhiteSpace(queueUrl))
                throw FunctionFailures.Misconfigured($"the Organization trigger needs {OrganizationSettings.TriggerQueueUrlVariable}: the queue it puts waiting events back on");
            var access = MemberAccess.For(organization.Role, organization.AllowedAccountIds, hub, template, time);
            access.LogOrganizationMode(log);
            var trigger = new MemberTrigger(access.Members, access.Accounts, SqsClient.Over(hub),
                new MemberTriggerSettings(ruleName, hub.Endpoints.Region, queueUrl.Trim(), new TriggerOptions()), time);
            return OrganizationHandler(trigger, hub.Calls, log, time);
        }
        var aws = environment.Clients();
        return Handler(Wiring.TriggerHandler(aws, time, ruleName), aws.Calls, log, time);
    }

    /// <summary>The handler for one EventBridge event in the function's own account.</summary>
    public static LambdaHandler Handler(TriggerHandler handler, ApiCallCounter calls, JsonLog log, TimeProvider time) => async (request, cancellationToken) =>
    {
        var meter = InvocationMeter.Start(calls, time);
        TriggerOutcome outcome;
        try
        {
            outcome = await handler.HandleAsync(request.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonMessageException e)
        {
            log.Error("the EventBridge event cannot be read", new LogFields { ["error"] = e.Message });
            throw FunctionFailures.Of(e);
        }
        log.Info("trigger finished", Started(outcome.Action, time).AddTo(new LogFields
        {
            ["eventName"] = outcome.EventName,
            ["user"] = outcome.UserName,
            ["action"] = outcome.Action,
            ["apiCalls"] = meter.ApiCalls,
            ["durationMs"] = meter.DurationMs,
        }));
        return FunctionResponse.Json(writer => writer.WriteString("action", outcome.Action));
    };

    /// <summary>The trigger's metric: 1 when the event made Config re-run the rule, else 0.</summary>
    private static EmbeddedMetrics Started(string action, TimeProvider time) =>
        EmbeddedMetrics.At(time).Put(RuleMetrics.ReevaluationsStarted, action == TriggerHandler.StartedAction ? 1 : 0);

    /// <summary>
    /// The Organization-mode handler: one log line per record; the records that failed (member role missing, an AWS
    /// error, an unreadable message) are handed back as <c>batchItemFailures</c> so SQS retries them alone, and the
    /// rest are done.
    /// </summary>
    public static LambdaHandler OrganizationHandler(MemberTrigger trigger, ApiCallCounter calls, JsonLog log, TimeProvider time) => async (request, cancellationToken) =>
    {
        var meter = InvocationMeter.Start(calls, time);
        IReadOnlyList<QueueRecord> records;
        try
        {
            records = QueueRecord.ParseBatch(request.Body);
        }
        catch (JsonMessageException e)
        {
            log.Error("the SQS event cannot be read", new LogFields { ["error"] = e.Message });
            throw FunctionFailures.Of(e);
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
            else if (outcome.Refused) log.Error("trigger refused or gave up this record", EmbeddedMetrics.At(time).Put(RuleMetrics.RefusedEvents, 1).AddTo(fields));
            else log.Info("trigger finished", Started(outcome.Action, time).AddTo(fields));
        }
        var failed = outcomes.Where(o => o.Failed).ToList();
        log.Info("trigger batch finished", new LogFields
        {
            ["records"] = outcomes.Count,
            ["failed"] = failed.Count,
            ["apiCalls"] = meter.ApiCalls,
            ["durationMs"] = meter.DurationMs,
        });
        return FunctionResponse.Json(writer =>
        {
            writer.WriteStartArray("batchItemFailures");
            foreach (var outcome in failed)
            {
                writer.WriteStartObject();
                writer.WriteString("itemIdentifier", outcome.MessageId);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        });
    };
}

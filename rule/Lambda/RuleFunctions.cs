using System.Text;
using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Hosting;
using MfaConfigRule.Iam;
using MfaConfigRule.Logging;
using MfaConfigRule.Rule;

namespace MfaConfigRule.Lambda;

/// <summary>
/// The Lambda entry points: <c>evaluate</c> (invoked by Config) and <c>trigger</c> (invoked by EventBridge). Each turns
/// the rule's result into one JSON log line and, when the rule could not finish, an invocation error that names why.
/// </summary>
internal static class RuleFunctions
{
    public const string ConfigRuleNameVariable = "CONFIG_RULE_NAME";
    public const string RegionVariable = "AWS_REGION";

    public static HandlerRegistry Registry(IEnvironmentVariables environment, JsonLog log, TimeProvider time) => new HandlerRegistry()
        .Add("evaluate", () =>
        {
            var aws = Clients(environment, time);
            var handler = new ConfigRuleHandler(
                new UserAssessor(aws.Iam, aws.CloudTrail, time, new AssessorOptions()),
                new EvaluationReporter(aws.Config, time, new ReporterOptions()),
                aws.Config, time, new HandlerOptions());
            return Evaluate(handler, aws.Calls, log, time);
        })
        .Add("trigger", () =>
        {
            var ruleName = environment.Get(ConfigRuleNameVariable);
            if (string.IsNullOrWhiteSpace(ruleName))
                throw new LambdaFunctionException("Runtime.InvalidConfiguration", $"the trigger needs {ConfigRuleNameVariable}: the Config rule to re-run");
            var aws = Clients(environment, time);
            return Trigger(new TriggerHandler(aws.Config, aws.CloudTrail, aws.Iam, time, new TriggerOptions(), ruleName), aws.Calls, log, time);
        });

    public static LambdaHandler Evaluate(ConfigRuleHandler handler, ApiCallCounter calls, JsonLog log, TimeProvider time) => async (request, cancellationToken) =>
    {
        var started = time.GetTimestamp();
        var before = calls.Snapshot();
        InvocationSummary summary;
        try
        {
            summary = await handler.HandleAsync(request.Body, request.Deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (ConfigEventException e)
        {
            log.Error("the Config event cannot be read; nothing was reported", new LogFields { ["error"] = e.Message });
            throw new LambdaFunctionException("InvalidEvent", e.Message, e);
        }
        catch (RuleParametersException e)
        {
            log.Error("the rule parameters are invalid; nothing was reported", new LogFields { ["error"] = e.Message });
            throw new LambdaFunctionException("InvalidParameterValueException", e.Message, e);
        }
        catch (SweepDeadlineException e)
        {
            log.Error("evaluation incomplete: the deadline came before the users were listed; nothing was reported", new LogFields
            {
                ["error"] = e.Message,
                ["apiCalls"] = calls.Since(before),
                ["durationMs"] = (int)time.GetElapsedTime(started).TotalMilliseconds,
            });
            throw new LambdaFunctionException("EvaluationIncomplete", e.Message);
        }

        var fields = new LogFields
        {
            ["rule"] = summary.ConfigRuleName,
            ["account"] = summary.AccountId,
            ["messageType"] = summary.MessageType,
            ["testMode"] = summary.TestMode,
            ["evaluations"] = summary.Evaluations.Count,
            ["counts"] = LogValue.Counts(summary.CountsByVerdict),
            ["apiCalls"] = calls.Since(before),
            ["durationMs"] = (int)time.GetElapsedTime(started).TotalMilliseconds,
            ["noVerdict"] = summary.Failures.Count,
            ["unreported"] = summary.Unreported.Count,
        };
        if (summary.Sweep is { } sweep)
        {
            fields["users"] = sweep.Users;
            fields["mode"] = sweep.Mode;
            fields["liveReads"] = sweep.LiveReads;
            fields["changedSinceReport"] = sweep.ChangedSinceReport;
            fields["passwordChecks"] = sweep.PasswordChecks;
            fields["vanishedUsers"] = summary.VanishedUsers;
            if (sweep.ReportGeneratedTime is { } generated) fields["reportGeneratedTime"] = generated;
        }
        if (summary.Warnings.Count > 0) fields["warnings"] = summary.Warnings.ToList();
        if (summary.Note is { } note) fields["note"] = note;

        if (!summary.Succeeded)
        {
            var message = summary.FailureMessage();
            fields["error"] = message;
            log.Error("evaluation incomplete: verdicts that could be read were reported, the rest were not", fields);
            throw new LambdaFunctionException("EvaluationIncomplete", message);
        }
        log.Info("evaluation finished", fields);
        return Json(writer =>
        {
            writer.WriteNumber("evaluations", summary.Evaluations.Count);
            writer.WriteStartObject("counts");
            foreach (var (verdict, count) in summary.CountsByVerdict) writer.WriteNumber(verdict, count);
            writer.WriteEndObject();
        });
    };

    public static LambdaHandler Trigger(TriggerHandler handler, ApiCallCounter calls, JsonLog log, TimeProvider time) => async (request, cancellationToken) =>
    {
        var started = time.GetTimestamp();
        var before = calls.Snapshot();
        TriggerOutcome outcome;
        try
        {
            outcome = await handler.HandleAsync(request.Body, cancellationToken).ConfigureAwait(false);
        }
        catch (ConfigEventException e)
        {
            log.Error("the EventBridge event cannot be read", new LogFields { ["error"] = e.Message });
            throw new LambdaFunctionException("InvalidEvent", e.Message, e);
        }
        log.Info("trigger finished", new LogFields
        {
            ["eventName"] = outcome.EventName,
            ["user"] = outcome.UserName,
            ["action"] = outcome.Action,
            ["apiCalls"] = calls.Since(before),
            ["durationMs"] = (int)time.GetElapsedTime(started).TotalMilliseconds,
        });
        return Json(writer => writer.WriteString("action", outcome.Action));
    };

    private static AwsClients Clients(IEnvironmentVariables environment, TimeProvider time)
    {
        var region = environment.Get(RegionVariable);
        if (string.IsNullOrWhiteSpace(region))
            throw new LambdaFunctionException("Runtime.InvalidConfiguration", $"{RegionVariable} is not set");
        return AwsClients.Create(new AwsClientOptions { Region = region, Environment = environment, TimeProvider = time });
    }

    private static string Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

using System.Text;
using System.Text.Json;
using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Config;
using MfaConfigRule.Contract;
using MfaConfigRule.Iam;
using MfaConfigRule.Logging;
using MfaConfigRule.Rule;
using MfaConfigRule.SecurityHub;

namespace MfaConfigRule.Lambda;

/// <summary>
/// The Lambda entry points: <c>evaluate</c> (invoked by Config), <c>trigger</c> (invoked by EventBridge) and
/// <c>remediate</c> (invoked by the SSM remediation document, and on a schedule to lift remediation). Each turns
/// the rule's result into one JSON log line and, when the rule could not finish, an invocation error that names why.
/// </summary>
internal static partial class RuleFunctions
{
    public const string ConfigRuleNameVariable = "CONFIG_RULE_NAME";
    public const string RegionVariable = "AWS_REGION";

    public static HandlerRegistry Registry(IEnvironmentVariables environment, JsonLog log, TimeProvider time) => new HandlerRegistry()
        .Add("evaluate", () =>
        {
            if (OrganizationFromEnvironment(environment) is { } organization)
                return OrganizationFunctions.Evaluate(organization, Clients(environment, time), ClientOptions(environment, time), log, time, SecurityHubOptions(environment));
            var aws = Clients(environment, time);
            var handler = new ConfigRuleHandler(
                new UserAssessor(aws.Iam, aws.CloudTrail, time, new AssessorOptions()),
                new EvaluationReporter(aws.Config, time, new ReporterOptions()),
                aws.Config, time, new HandlerOptions());
            return Evaluate(handler, aws.Calls, log, time, SecurityHubExportFor(environment, aws, time));
        })
        .Add("trigger", () =>
        {
            var ruleName = environment.Get(ConfigRuleNameVariable);
            if (string.IsNullOrWhiteSpace(ruleName))
                throw new LambdaFunctionException("Runtime.InvalidConfiguration", $"the trigger needs {ConfigRuleNameVariable}: the Config rule to re-run");
            if (OrganizationFromEnvironment(environment) is { } organization)
            {
                return OrganizationFunctions.Trigger(organization, ruleName, environment.Get(OrganizationSettings.TriggerQueueUrlVariable),
                    Clients(environment, time), ClientOptions(environment, time), log, time);
            }
            var aws = Clients(environment, time);
            return Trigger(new TriggerHandler(aws.Config, aws.CloudTrail, aws.Iam, time, new TriggerOptions(), ruleName), aws.Calls, log, time);
        })
        .Add("remediate", () => Remediate(environment, log, time));

    public static LambdaHandler Evaluate(ConfigRuleHandler handler, ApiCallCounter calls, JsonLog log, TimeProvider time, SecurityHubExport? securityHub = null) => async (request, cancellationToken) =>
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
        // After the Config verdicts are written, and never failing the invocation: problems are the log line's warning.
        var findings = securityHub is null ? null : await securityHub.ExportAsync(summary, request.Deadline, time, cancellationToken).ConfigureAwait(false);

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
            if (summary.Written is { } written) fields["written"] = written;
            if (summary.Reasons is { } reasons) fields["reasons"] = LogValue.Counts(reasons);
            if (sweep.ReportGeneratedTime is { } generated) fields["reportGeneratedTime"] = generated;
        }
        if (summary.Warnings.Count > 0) fields["warnings"] = summary.Warnings.ToList();
        if (summary.Note is { } note) fields["note"] = note;
        findings?.AddTo(fields);

        if (!summary.Succeeded)
        {
            var message = summary.FailureMessage();
            fields["error"] = message;
            log.Error("evaluation incomplete: verdicts that could be read were reported, the rest were not", fields);
            throw new LambdaFunctionException("EvaluationIncomplete", message);
        }
        if (findings?.Warning is not null) log.Warn("evaluation finished; the Security Hub export is incomplete", fields);
        else log.Info("evaluation finished", fields);
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

    private static SecurityHubExport? SecurityHubExportFor(IEnvironmentVariables environment, AwsClients aws, TimeProvider time) =>
        SecurityHubOptions(environment) is { } options
            ? new SecurityHubExport(SecurityHubClient.Create(aws), new FindingExporter(time, options), aws.Endpoints.Region)
            : null;

    /// <summary>The direct export's options from the environment, null when it is off; a bad value fails the function's start-up naming it.</summary>
    private static ExportOptions? SecurityHubOptions(IEnvironmentVariables environment)
    {
        try
        {
            return SecurityHubExport.OptionsFrom(environment);
        }
        catch (ArgumentException e)
        {
            throw new LambdaFunctionException("Runtime.InvalidConfiguration", e.Message, e);
        }
    }

    private static AwsClients Clients(IEnvironmentVariables environment, TimeProvider time) => AwsClients.Create(ClientOptions(environment, time));

    private static AwsClientOptions ClientOptions(IEnvironmentVariables environment, TimeProvider time)
    {
        var region = environment.Get(RegionVariable);
        if (string.IsNullOrWhiteSpace(region))
            throw new LambdaFunctionException("Runtime.InvalidConfiguration", $"{RegionVariable} is not set");
        return new AwsClientOptions { Region = region, Environment = environment, TimeProvider = time };
    }

    private static OrganizationSettings? OrganizationFromEnvironment(IEnvironmentVariables environment)
    {
        try
        {
            return OrganizationSettings.FromEnvironment(environment);
        }
        catch (OrganizationSettingsException e)
        {
            throw new LambdaFunctionException("Runtime.InvalidConfiguration", e.Message);
        }
    }

    internal static string Json(Action<Utf8JsonWriter> body)
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

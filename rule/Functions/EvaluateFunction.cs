using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Composition;
using MfaConfigRule.Contract;
using MfaConfigRule.LambdaRuntime;
using MfaConfigRule.Logging;
using MfaConfigRule.Organization;
using MfaConfigRule.ConfigEvents;
using MfaConfigRule.SecurityHub;

namespace MfaConfigRule.Functions;

/// <summary>
/// <c>evaluate</c>, invoked by Config: the rule's verdicts for the event's account, then one JSON log line and, when the
/// rule could not finish, an invocation error that names why. In Organization mode it is the central function Config
/// invokes from every member account: it admits the event, assumes the member role, then runs the same handler and log
/// line in that member. With the direct Security Hub export on, a member's findings go to the member's own Security
/// Hub, in the rule's Region, signed with the member role's session: Security Hub takes a default-product finding only
/// from the account it is about.
/// </summary>
internal static class EvaluateFunction
{
    public static LambdaHandler Create(FunctionEnvironment environment, JsonLog log, TimeProvider time)
    {
        if (environment.Organization() is { } organization)
        {
            var template = environment.ClientOptions();
            var hub = AwsClients.Create(template);
            var findings = environment.SecurityHub();
            var perAccount = environment.AccountMetrics();
            var access = MemberAccess.For(organization.Role, organization.AllowedAccountIds, hub, template, time);
            access.LogOrganizationMode(log, findings is null ? SecurityHubSettings.OffMode : SecurityHubSettings.DirectMode);
            return OrganizationHandler(new MemberEvaluation(access.Members, access.Accounts, time), hub.Calls, log, time,
                findings is null ? null : new FindingExporter(time, findings), perAccount);
        }
        var accountMetrics = environment.AccountMetrics();
        var aws = environment.Clients();
        var securityHub = environment.SecurityHub() is { } options ? Wiring.SecurityHubExport(aws, new FindingExporter(time, options)) : null;
        return Handler(Wiring.ConfigRuleHandler(aws, time), aws.Calls, log, time, securityHub, accountMetrics);
    }

    /// <summary>The handler over one account's rule, and its Security Hub export when that is on.</summary>
    /// <param name="accountMetrics">The head counts filed per account (<see cref="RuleMetrics.AccountMetricsVariable"/>), else with no dimension.</param>
    public static LambdaHandler Handler(ConfigRuleHandler handler, ApiCallCounter calls, JsonLog log, TimeProvider time, SecurityHubExport? securityHub = null, bool accountMetrics = false) => async (request, cancellationToken) =>
    {
        var meter = InvocationMeter.Start(calls, time);
        InvocationSummary summary;
        try
        {
            summary = await handler.HandleAsync(request.Body, request.Deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (ConfigEventException e)
        {
            log.Error("the Config event cannot be read; nothing was reported", new LogFields { ["error"] = e.Message });
            throw FunctionFailures.Of(e);
        }
        catch (RuleParametersException e)
        {
            log.Error("the rule parameters are invalid; nothing was reported", new LogFields { ["error"] = e.Message });
            throw FunctionFailures.Of(e);
        }
        catch (SweepDeadlineException e)
        {
            log.Error("evaluation incomplete: the deadline came before the users were listed; nothing was reported", new LogFields
            {
                ["error"] = e.Message,
                ["apiCalls"] = meter.ApiCalls,
                ["durationMs"] = meter.DurationMs,
            });
            throw FunctionFailures.Of(e);
        }
        // After the Config verdicts are written, and never failing the invocation: problems are the log line's warning.
        var findings = securityHub is null ? null : await securityHub.ExportAsync(summary, request.Deadline, time, cancellationToken).ConfigureAwait(false);

        // One reading for the line and its metrics, so durationMs and SweepDuration (and apiCalls and ApiCalls) agree.
        var apiCalls = meter.ApiCalls;
        var durationMs = meter.DurationMs;
        var fields = new LogFields
        {
            ["rule"] = summary.ConfigRuleName,
            ["account"] = summary.AccountId,
            ["messageType"] = summary.MessageType,
            ["testMode"] = summary.TestMode,
            ["evaluations"] = summary.Evaluations.Count,
            ["counts"] = LogValue.Counts(summary.CountsByVerdict),
            ["apiCalls"] = apiCalls,
            ["durationMs"] = durationMs,
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
        Metrics(summary, apiCalls.Values.Sum(), durationMs, time, accountMetrics).AddTo(fields);
        if (summary.Note is { } note) fields["note"] = note;
        findings?.AddTo(fields);

        if (!summary.Succeeded)
        {
            var message = summary.FailureMessage();
            fields["error"] = message;
            log.Error("evaluation incomplete: verdicts that could be read were reported, the rest were not", fields);
            throw FunctionFailures.Incomplete(message);
        }
        if (findings?.Warning is not null) log.Warn("evaluation finished; the Security Hub export is incomplete", fields);
        else log.Info("evaluation finished", fields);
        return FunctionResponse.Json(writer =>
        {
            writer.WriteNumber("evaluations", summary.Evaluations.Count);
            writer.WriteStartObject("counts");
            foreach (var (verdict, count) in summary.CountsByVerdict) writer.WriteNumber(verdict, count);
            writer.WriteEndObject();
        });
    };

    /// <summary>
    /// The run's metrics: the head counts by verdict only from a complete sweep (a change notification evaluates one user,
    /// and a partial sweep would undercount NON_COMPLIANT users), the users left without a verdict from every run. The
    /// head counts carry the account as a dimension only when <paramref name="accountMetrics"/> is on; the line's
    /// <c>account</c> and <c>counts</c> members carry it either way.
    /// </summary>
    internal static EmbeddedMetrics Metrics(InvocationSummary summary, int apiCalls, int durationMs, TimeProvider time, bool accountMetrics)
    {
        var metrics = EmbeddedMetrics.At(time).ForAccount(summary.AccountId)
            .Put(RuleMetrics.UsersWithoutVerdict, summary.Failures.Count + summary.Unreported.Count)
            .Put(RuleMetrics.ApiCalls, apiCalls);
        if (summary.Sweep is null) return metrics;
        metrics.Put(RuleMetrics.SweepDuration, durationMs);
        if (!summary.Succeeded) return metrics;
        var counts = summary.CountsByVerdict;
        var (compliant, nonCompliant, notApplicable) = RuleMetrics.HeadCounts(accountMetrics) switch
        {
            [var c, var n, var a] => (c, n, a),
            _ => throw new InvalidOperationException("three head counts"),
        };
        return metrics
            .Put(compliant, counts.GetValueOrDefault(ComplianceTypeNames.Compliant))
            .Put(nonCompliant, counts.GetValueOrDefault(ComplianceTypeNames.NonCompliant))
            .Put(notApplicable, counts.GetValueOrDefault(ComplianceTypeNames.NotApplicable));
    }

    private static LogFields WithMetrics(LogFields fields, EmbeddedMetrics metrics) => metrics.AddTo(fields);

    /// <summary>The Organization-mode handler: admit the event and reach its member, then <see cref="Handler"/> there.</summary>
    /// <param name="findings">The exporter shared by every member (it paces each account and Region on its own), or null when the export is off.</param>
    public static LambdaHandler OrganizationHandler(MemberEvaluation evaluation, ApiCallCounter calls, JsonLog log, TimeProvider time, FindingExporter? findings = null, bool accountMetrics = false) => async (request, cancellationToken) =>
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
            throw FunctionFailures.Of(e);
        }
        catch (MemberEventRefusedException e)
        {
            log.Error("event refused: nothing was read or written in any account", WithMetrics(new LogFields
            {
                ["reason"] = e.Reason,
                ["account"] = e.Event.AccountId ?? string.Empty,
                ["configRuleArn"] = e.Event.ConfigRuleArn ?? string.Empty,
                ["executionRoleArn"] = e.Event.ExecutionRoleArn ?? string.Empty,
            }, EmbeddedMetrics.At(time).Put(RuleMetrics.RefusedEvents, 1)));
            throw FunctionFailures.Of(e);
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
            throw FunctionFailures.Of(e);
        }
        catch (MemberAccountsUnavailableException e)
        {
            log.Error("cannot check the event's account; nothing was read or written", new LogFields { ["error"] = e.Message });
            throw FunctionFailures.Of(e);
        }
        var securityHub = findings is null ? null : Wiring.SecurityHubExport(member.Aws, findings);
        return await Handler(handler, calls, log, time, securityHub, accountMetrics)(request, cancellationToken).ConfigureAwait(false);
    };
}

using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Constructs;
using MfaConfigRule.Contract;
using MfaConfigRule.Infra.Constructs.Operations;
using MfaConfigRule.Infra.Constructs.Organization;
using MfaConfigRule.Infra.Settings;

namespace MfaConfigRule.Infra.Stacks;

internal interface IMfaConfigRuleOrganizationStackProps : IStackProps
{
    Code Code { get; }
    MfaRuleSettings Settings { get; }
    OrganizationDeployment Organization { get; }

    /// <summary>Per-account pieces of other capabilities, added to the member template and to this account's own pieces.</summary>
    IReadOnlyList<IOrganizationMemberPart> MemberParts { get; }
}

internal sealed class MfaConfigRuleOrganizationStackProps : StackProps, IMfaConfigRuleOrganizationStackProps
{
    public required Code Code { get; init; }
    public required MfaRuleSettings Settings { get; init; }
    public required OrganizationDeployment Organization { get; init; }
    public IReadOnlyList<IOrganizationMemberPart> MemberParts { get; init; } = [];
}

/// <summary>
/// The Organization deployment, in the management account or a delegated administrator: the central evaluate function,
/// the StackSet that puts the member pieces into every account of the target OUs, an Organization-wide aggregator, and
/// the management account's own member pieces (StackSets never deploy to it): in this stack when deployed from the
/// management account, else by the command the <see cref="ManagementAccountCommandOutput"/> output prints.
/// </summary>
internal sealed class MfaConfigRuleOrganizationStack : Stack
{
    public const string AggregatorName = "mfa-config-rule-organization";

    /// <summary>The management account's stack of the member template, when a delegated administrator deploys the rest.</summary>
    public const string ManagementAccountStackName = "MfaConfigRule-ManagementAccount";

    public const string ManagementAccountCommandOutput = "ManagementAccountCommand";

    public const string ReportPolicyArnOutput = "ReportPolicyArn";

    public MfaConfigRuleOrganizationStack(Construct scope, string id, IMfaConfigRuleOrganizationStackProps props)
        : base(scope, id, props)
    {
        ArgumentNullException.ThrowIfNull(props);
        var settings = props.Settings;
        var organization = props.Organization;

        Identity = new OrganizationIdentity(this, "OrganizationId", settings.Functions.LogRetention);
        Central = new CentralEvaluator(this, "Central", new CentralEvaluatorProps
        {
            OrganizationId = Identity.OrganizationId,
            Code = props.Code,
            RuleName = settings.Rule.RuleName,
            MemberRoleName = organization.MemberRoleName,
            ExternalId = organization.ExternalId,
            MemorySize = settings.Functions.EvaluateMemoryMb,
            Timeout = Duration.Seconds(settings.Functions.EvaluateTimeoutSeconds),
            LogRetention = settings.Functions.LogRetention,
            EventMaxAge = Duration.Seconds(settings.Rule.EventMaxAge.TotalSeconds),
            ReservedConcurrency = organization.EvaluateReservedConcurrency,
        });
        var central = new OrganizationCentral(this, organization.MemberRoleName, organization.ExternalId, props.Code, Central, Identity);
        central.Provide(CentralValue.EvaluateFunctionArn, Central.EvaluateFunction.Function.FunctionArn);
        central.Provide(CentralValue.EvaluateRoleArn, Central.EvaluateFunction.Role.RoleArn);
        central.Provide(CentralValue.OrganizationId, Identity.OrganizationId);
        foreach (var part in props.MemberParts) part.AddCentral(central);

        if (organization.Administrator == OrganizationAdministrator.Management)
        {
            OwnAccount = new OrganizationMember(this, "ManagementAccount", OrganizationMemberStack.MemberProps(settings, organization, central.Get));
            foreach (var part in props.MemberParts) part.AddTo(OwnAccount);
            // Config checks that it may invoke the function when a rule is created.
            OwnAccount.Rule.AddDependency(Central.InvokePermission);
            foreach (var prerequisite in central.MemberPrerequisites) OwnAccount.Rule.Node.AddDependency(prerequisite);
        }

        var region = settings.Region ?? throw new ArgumentException("the Organization deployment needs the rule's Region");
        var templateBody = OrganizationMemberStack.Synthesize(settings, organization, props.MemberParts);
        // Exactly the parameters the member template declares, each with the admin stack's value.
        var memberParameters = OrganizationMemberStack.ParameterNames(templateBody).ToDictionary(name => name, central.ParameterValue, StringComparer.Ordinal);
        Members = new MemberStackSet(this, "Members", new MemberStackSetProps
        {
            TemplateBody = templateBody,
            OrganizationalUnitIds = organization.OrganizationalUnitIds,
            Region = region,
            Parameters = memberParameters,
            CalledByDelegatedAdministrator = organization.Administrator == OrganizationAdministrator.Delegated,
        });
        // Every member's rule is created against the function's invoke permission, and evaluates at once.
        Members.StackSet.AddDependency(Central.InvokePermission);
        Members.StackSet.Node.AddDependency(Central.Permissions);
        // ... and after whatever the parts' member pieces reach in their first minutes (the re-evaluation bus's policy,
        // the remediation invoker role and its right to invoke the central function): otherwise those calls are denied
        // until CloudFormation gets there.
        foreach (var prerequisite in central.MemberPrerequisites) Members.StackSet.Node.AddDependency(prerequisite);

        Aggregator = new OrganizationAggregator(this, "Aggregator", AggregatorName);
        Operations = Monitor(settings, region, props.MemberParts, organization.ForwarderAccounts);
        // A member account whose stack instance fails (rollout, update, or auto-deployment to a new account) is a message on
        // the operations topic, not a silent gap: docs/organization.md, "When an account fails".
        Members.NotifyFailuresTo(Operations.Topic);
        ReportAccess = new OrganizationReportAccess(this, "ReportAccess", Aggregator.Aggregator, organization.ReportRoleArn);
        _ = new CfnOutput(this, ReportPolicyArnOutput, new CfnOutputProps
        {
            Value = ReportAccess.Policy.ManagedPolicyArn,
            Description = "Attach to whoever runs mfa-config-rule report --aggregator (attached already to mfaRule:reportRoleArn when given)",
        });

        _ = new CfnOutput(this, "ConfigRuleName", new CfnOutputProps { Value = settings.Rule.RuleName, Description = "The rule's name in every account" });
        _ = new CfnOutput(this, "AggregatorName", new CfnOutputProps
        {
            Value = AggregatorName,
            Description = "Org-wide results: aws configservice get-aggregate-compliance-details-by-config-rule --configuration-aggregator-name ... --config-rule-name ... --account-id ... --aws-region ...",
        });
        if (OwnAccount is null)
        {
            _ = new CfnOutput(this, ManagementAccountCommandOutput, new CfnOutputProps
            {
                Value = ManagementAccountCommand(region, memberParameters),
                Description = "Run with the management account's credentials (StackSets skip it): the member template with the StackSet's parameters",
            });
        }
        _ = new CfnOutput(this, "EvaluateLogGroup", new CfnOutputProps { Value = Central.EvaluateFunction.LogGroup.LogGroupName, Description = "Logs of the central evaluate function, every account" });
    }

    public CentralEvaluator Central { get; }
    public OrganizationIdentity Identity { get; }

    /// <summary>The management account's member pieces; null when a delegated administrator deploys this stack.</summary>
    public OrganizationMember? OwnAccount { get; }
    public MemberStackSet Members { get; }
    public OrganizationAggregator Aggregator { get; }

    /// <summary>The admin account's alarms, their topic and the dashboard (docs/operations.md).</summary>
    public OperationsMonitoring Operations { get; }

    private OperationsMonitoring Monitor(MfaRuleSettings settings, string region, IReadOnlyList<IOrganizationMemberPart> parts, int forwarderAccounts)
    {
        var sum = Amazon.CDK.AWS.CloudWatch.Stats.SUM;
        var operations = new OperationsMonitoring(this, "Operations", new OperationsMonitoringProps
        {
            AlarmEmail = settings.Operations.AlarmEmail,
            DashboardName = $"{StackName}-{region}",
        });
        var evaluate = Central.EvaluateFunction;
        operations.ChartVerdicts(evaluate.Function, evaluate.LogGroup, settings.Operations.AccountMetrics, organization: true, settings.Rule.FrequencyHours);
        operations.WatchFunction("central evaluate", evaluate.Function, throttles: true, asynchronous: true);
        operations.WatchQueue("ReplayFailedEvaluations",
            "A member's Config invocation of the central evaluate function failed all three attempts or aged out; it is kept in the function's FailedEvents queue with its error " +
            "(the event names the account). Read it (aws sqs receive-message), fix the cause, re-run that account's rule (aws configservice start-config-rules-evaluation, in the member), then delete the message.",
            evaluate.FailedEvents!, "central evaluate failed invocations");
        operations.WatchRuleMetric("FixUsersWithoutVerdict", RuleMetrics.UsersWithoutVerdict, Amazon.CDK.AWS.CloudWatch.Stats.MAXIMUM,
            "An evaluate run left IAM users of a member account without a verdict after the rule's own retries. Read the central evaluate log's ERROR lines: " +
            "each names the account, the users and the cause (a member role that cannot be assumed fails the whole account).");
        operations.WatchRuleMetric("InvestigateRefusedEvents", RuleMetrics.RefusedEvents, sum,
            "The central functions refused an event or request: from an account outside the Organization, naming another account's rule or role, or a remediation no running automation asked for. " +
            "Nothing was read or changed. Read the 'refused' ERROR lines (account, reason); repeated refusals from one account mean someone points a rule or runbook at these functions.");
        operations.Chart("Errors", OperationsMonitoring.RuleMetric(RuleMetrics.RefusedEvents, sum, Duration.Hours(1), "refused events"));
        foreach (var reevaluation in parts.OfType<OrganizationReevaluation>())
        {
            // Read from SQS by Lambda's poller: never asynchronous, and a throttled batch stays in the queue.
            operations.WatchFunction("central trigger", reevaluation.TriggerFunction!.Function, throttles: false, asynchronous: false);
            operations.WatchQueue("RedriveReevaluationDeadLetters",
                "Member IAM change events the central trigger could not handle in 5 deliveries (or EventBridge could not queue) are in the re-evaluation dead-letter queue; " +
                "they expire after 14 days. Read them (aws sqs receive-message), fix the cause (often a member whose role is missing), then redrive them (aws sqs start-message-move-task).",
                reevaluation.DeadLetterQueue!, "re-evaluation dead letters");
            operations.Chart("Re-evaluations started", OperationsMonitoring.RuleMetric(RuleMetrics.ReevaluationsStarted, sum, Duration.Hours(1), "re-evaluations started"));
            // The members' us-east-1 forwarders: each sends an hourly heartbeat along its forwarding path to the central
            // bus, whose rule keeps them (docs/operations.md, "The members' forwarders").
            var heartbeats = new Amazon.CDK.AWS.CloudWatch.Metric(new Amazon.CDK.AWS.CloudWatch.MetricProps
            {
                Namespace = "AWS/Events",
                MetricName = "Invocations",
                DimensionsMap = new Dictionary<string, string>
                {
                    ["EventBusName"] = reevaluation.HeartbeatRule!.EventBusName!,
                    // The rule's name (Ref of a rule on a custom bus is "bus|rule").
                    ["RuleName"] = OrganizationReevaluation.HeartbeatRuleName,
                },
                Statistic = sum,
                Period = Duration.Hours(1),
            });
            // Without the exact count (mfaRule:forwarderAccounts), only "none at all" can be told from a healthy hour.
            operations.AddAlarm("FixForwardersNoHeartbeat", heartbeats, Math.Max(1, forwarderAccounts), Amazon.CDK.AWS.CloudWatch.ComparisonOperator.LESS_THAN_THRESHOLD, 3,
                (forwarderAccounts > 0
                    ? $"Fewer than {forwarderAccounts} member forwarders (mfaRule:forwarderAccounts) delivered their hourly heartbeat to the central bus, 3 hours running: some members' IAM changes are not reaching the trigger "
                    : "No member's us-east-1 IAM event forwarder has delivered its hourly heartbeat to the central bus for 3 hours: members' IAM changes are not reaching the trigger ") +
                "(the periodic run still evaluates everyone). The dashboard's 'Forwarders: last heartbeat per account' table lists the silent accounts first; check the central bus and its policy, " +
                "then that member's us-east-1 rule <stack>-beat-to-<region> and its FailedInvocations (an SCP denying events:PutEvents, a deleted forward role)." +
                (forwarderAccounts > 0 ? " When accounts joined or left, update mfaRule:forwarderAccounts." : string.Empty),
                missingBreaches: true);
            operations.Chart("Forwarder heartbeats (every member, hourly)", heartbeats.With(new Amazon.CDK.AWS.CloudWatch.MetricOptions { Label = "forwarder heartbeats, all members" }));
            operations.ChartLogs("Forwarders: last heartbeat per account (silent ones first)", [reevaluation.HeartbeatLogGroup!.LogGroupName], OrganizationReevaluation.HeartbeatQuery);
        }
        foreach (var remediation in parts.OfType<OrganizationRemediation>())
        {
            operations.WatchFunction("central remediate", remediation.RemediateFunction!.Function, throttles: true, asynchronous: remediation.LiftSchedule is not null);
            operations.Chart("Remediation actions", OperationsMonitoring.RuleMetric(RuleMetrics.UsersRemediated, sum, Duration.Hours(1), "users remediated"));
            if (remediation.LiftSchedule is null) continue;
            operations.Chart("Remediation actions", OperationsMonitoring.RuleMetric(RuleMetrics.UsersLifted, sum, Duration.Hours(1), "users lifted"));
            operations.WatchRuleMetric("RerunIncompleteLift", RuleMetrics.IncompleteLifts, sum,
                "The hourly lift did not reach every member account: users there who now have MFA may still be locked out. " +
                "Read the central remediate log's 'lift skipped an account' lines (account, error); the next hourly run starts over.");
        }
        operations.Render();
        return operations;
    }

    /// <summary>The least-privilege policy of <c>report --aggregator</c>.</summary>
    public OrganizationReportAccess ReportAccess { get; }

    /// <summary>
    /// The management account's own copy of what every member gets: the member template Program writes beside the stacks,
    /// deployed as a normal stack with exactly the StackSet's parameters (their deploy-time values, filled in by the output).
    /// </summary>
    private static string ManagementAccountCommand(string region, IReadOnlyDictionary<string, string> parameters) =>
        $"aws cloudformation deploy --region {region} --stack-name {ManagementAccountStackName} " +
        $"--template-file cdk.out/{Program.OrganizationMemberTemplateFile} --capabilities CAPABILITY_NAMED_IAM --parameter-overrides " +
        string.Join(' ', parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}

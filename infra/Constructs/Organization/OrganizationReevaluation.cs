using Amazon.CDK;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda.EventSources;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SQS;
using MfaConfigRule.Contract;
using MfaConfigRule.Infra.Constructs.Reevaluation;
using MfaConfigRule.Infra.Constructs.Shared;
using Construct = Constructs.Construct;
using EventBus = Amazon.CDK.AWS.Events.EventBus;
using EventBusProps = Amazon.CDK.AWS.Events.EventBusProps;

namespace MfaConfigRule.Infra.Constructs.Organization;

/// <summary>
/// Near-real-time re-evaluation across the Organization. Each account forwards its verdict-changing IAM events from
/// us-east-1 to a central event bus in the admin account and the rule's Region (<see cref="IamEventForwarder"/>); a rule
/// on that bus puts them on an SQS queue; the central <c>trigger</c> function reads the queue, admits the account
/// EventBridge stamped on each event, assumes the member role there and re-runs that member's rule. Where the
/// single-account trigger waits in process (CloudTrail's lag, Config's one start a minute) this one puts the event back
/// on the queue with a delay, so a burst in one account never holds another account's events.
/// </summary>
internal interface IOrganizationReevaluationProps
{
    string RuleName { get; }

    /// <summary>The rule's Region in every account, where each account's forwarder sends its IAM events.</summary>
    string Region { get; }

    RetentionDays LogRetention { get; }

    /// <summary>The central trigger's timeout (<c>mfaRule:triggerTimeoutSeconds</c> when given, else <see cref="OrganizationReevaluation.DefaultTriggerTimeout"/>).</summary>
    Duration TriggerTimeout { get; }
}

internal sealed class OrganizationReevaluationProps : IOrganizationReevaluationProps
{
    public required string RuleName { get; init; }
    public required string Region { get; init; }
    public required RetentionDays LogRetention { get; init; }
    public Duration TriggerTimeout { get; init; } = OrganizationReevaluation.DefaultTriggerTimeout;
}

internal sealed class OrganizationReevaluation(IOrganizationReevaluationProps props) : IOrganizationMemberPart
{
    public const string BusName = "mfa-config-rule-iam-changes";

    /// <summary>
    /// Records per invocation: ten is the most Lambda hands over without a batching window, and a window would add its
    /// length to every member's delay. One account's records of a batch run in order, so a burst coalesces in it.
    /// </summary>
    public const int BatchSize = 10;

    /// <summary>
    /// Concurrent invocations at most. A record takes a few calls and never waits, so one environment gets through a
    /// burst in seconds; five (Lambda's first scaling step for SQS) keep one member's burst from queueing the others
    /// while bounding the starts Config refuses, since each environment remembers a member's starts on its own.
    /// </summary>
    public const int MaxConcurrency = 5;

    /// <summary>A record's run: a handful of AWS calls per record, with the SDK's retries (it never waits in process).</summary>
    public static readonly Duration DefaultTriggerTimeout = Duration.Seconds(60);

    /// <summary>The central bus, which every account's forwarder targets.</summary>
    public static CentralValue BusArn { get; } = new(
        "CentralTriggerBusArn", "The central event bus that receives every account's IAM change events",
        "^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/.+$");

    /// <summary>The central trigger's role, which the member role trusts beside the evaluate function's.</summary>
    public static CentralValue TriggerRoleArn { get; } = new(
        "CentralTriggerRoleArn", "The central trigger function's role, which the member role also trusts",
        "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$");

    public EventBus? Bus { get; private set; }
    public CfnEventBusPolicy? BusPolicy { get; private set; }
    public Amazon.CDK.AWS.Events.Rule? BusRule { get; private set; }
    public Queue? Queue { get; private set; }
    public Queue? DeadLetterQueue { get; private set; }
    public MfaRuleFunction? TriggerFunction { get; private set; }

    /// <summary>How often each member's us-east-1 forwarder sends a heartbeat along its forwarding path.</summary>
    public const string HeartbeatSchedule = "rate(1 hour)";

    /// <summary>Where the members' heartbeats land: one line per heartbeat, its <c>account</c> the member's.</summary>
    public const string HeartbeatLogGroupName = "/aws/events/mfa-config-rule-forwarder-heartbeats";

    public const string HeartbeatRuleName = "mfa-config-rule-forwarder-heartbeats";

    /// <summary>The central bus's rule that keeps the members' heartbeats (its AWS/Events Invocations are alarmed on).</summary>
    public Amazon.CDK.AWS.Events.CfnRule? HeartbeatRule { get; private set; }

    public LogGroup? HeartbeatLogGroup { get; private set; }

    /// <summary>Each member's last heartbeat, the oldest (a silent forwarder) first: EventBridge writes each heartbeat event whole, <c>account</c> being the member's.</summary>
    public static string[] HeartbeatQuery { get; } =
    [
        "stats max(@timestamp) as lastHeartbeat, count(*) as heartbeats by account",
        "sort lastHeartbeat asc",
        "limit 10000",
    ];

    public void AddCentral(OrganizationCentral central)
    {
        ArgumentNullException.ThrowIfNull(central);
        var scope = new Construct(central.Stack, "Reevaluation");

        Bus = new EventBus(scope, "Bus", new EventBusProps { EventBusName = BusName });
        // Only principals of the Organization may put events here: each account's forward role. EventBridge writes the
        // sender's account into every event (PutEvents has no field to set it), so no account can speak for another.
        BusPolicy = new CfnEventBusPolicy(scope, "BusPolicy", new CfnEventBusPolicyProps
        {
            EventBusName = Bus.EventBusName,
            StatementId = "OrganizationAccountsPutEvents",
            Statement = new Dictionary<string, object>
            {
                ["Sid"] = "OrganizationAccountsPutEvents",
                ["Effect"] = "Allow",
                ["Principal"] = "*",
                ["Action"] = "events:PutEvents",
                ["Resource"] = Bus.EventBusArn,
                ["Condition"] = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, object> { ["aws:PrincipalOrgID"] = central.OrganizationId },
                },
            },
        });

        DeadLetterQueue = new Queue(scope, "DeadLetters", new QueueProps
        {
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            RetentionPeriod = Duration.Days(14),
        });
        NagSuppressions.Suppress((CfnResource)DeadLetterQueue.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-SQS3", "This is the dead-letter queue of the trigger's queue and of its EventBridge target."));
        Queue = new Queue(scope, "Events", new QueueProps
        {
            Encryption = QueueEncryption.SQS_MANAGED,
            EnforceSSL = true,
            // Lambda's advice for an event source: six times the function's timeout, so a record in flight is not
            // delivered twice.
            VisibilityTimeout = Duration.Seconds(props.TriggerTimeout.ToSeconds() * 6),
            // A record that keeps failing (a member whose role is missing) is kept for a look, not retried for days.
            DeadLetterQueue = new DeadLetterQueue { Queue = DeadLetterQueue, MaxReceiveCount = 5 },
        });

        // CDK's SQS target adds the queue policy: events.amazonaws.com may send, only for this rule (aws:SourceArn).
        BusRule = new Amazon.CDK.AWS.Events.Rule(scope, "IamChanges", new Amazon.CDK.AWS.Events.RuleProps
        {
            EventBus = Bus,
            Description = $"Every account's IAM console-password, MFA, user and tag changes: re-run that account's Config rule {props.RuleName}",
            EventPattern = IamUserChangeEvents.Pattern(),
            Targets =
            [
                new SqsQueue(Queue, new SqsQueueProps
                {
                    DeadLetterQueue = DeadLetterQueue,
                    MaxEventAge = Duration.Hours(1),
                    RetryAttempts = 185,
                }),
            ],
        });

        TriggerFunction = new MfaRuleFunction(scope, "Trigger", new MfaRuleFunctionProps
        {
            Code = central.Code,
            Handler = "trigger",
            Description = $"Re-runs each Organization account's Config rule {props.RuleName} after its IAM changes, through its {central.MemberRoleName} role",
            MemorySize = 128,
            Timeout = props.TriggerTimeout,
            LogRetention = props.LogRetention,
            // Read from SQS, never invoked asynchronously: SQS's redelivery and dead-letter queue do the retrying.
            AsyncRetryAttempts = 0,
            MaxEventAge = Duration.Hours(1),
            Environment = new Dictionary<string, string>
            {
                [ReevaluationTrigger.ConfigRuleNameVariable] = props.RuleName,
                [OrganizationSettings.MemberRoleVariable] = central.MemberRoleName,
                [OrganizationSettings.ExternalIdVariable] = central.ExternalId,
                [OrganizationSettings.AccountsVariable] = OrganizationSettings.WholeOrganization,
                [OrganizationSettings.TriggerQueueUrlVariable] = Queue.QueueUrl,
            },
        });
        var permissions = new Policy(scope, "TriggerPermissions", new PolicyProps
        {
            Roles = [TriggerFunction.Role],
            Statements =
            [
                // As the central evaluate function: the member role, and the Organization's accounts to admit events by.
                .. CentralMemberAccess.Statements("AssumeMemberRole", central.MemberRoleName, central.OrganizationId),
                // Putting an event back on its own queue for later, instead of waiting.
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ComeBackLater",
                    Actions = ["sqs:SendMessage"],
                    Resources = [Queue.QueueArn],
                }),
            ],
        });
        CentralMemberAccess.Suppress(permissions, central.MemberRoleName);
        TriggerFunction.Function.AddEventSource(new SqsEventSource(Queue, new SqsEventSourceProps
        {
            BatchSize = BatchSize,
            MaxConcurrency = MaxConcurrency,
            ReportBatchItemFailures = true,
        }));
        TriggerFunction.Function.Node.AddDependency(permissions);

        AddHeartbeats(scope);

        // A member's forwarder sends its first IAM changes as soon as it exists: the bus must admit them by then.
        central.RequireBeforeMembers(BusPolicy);
        central.Provide(BusArn, Bus.EventBusArn);
        central.Provide(TriggerRoleArn, TriggerFunction.Role.RoleArn);
    }

    /// <summary>
    /// The members' forwarders live in their own us-east-1, where the admin account sees neither their metrics nor their
    /// failures. Each sends an hourly heartbeat along exactly its forwarding path (its role, this bus, this bus's policy):
    /// this rule keeps them in a log group (one line per heartbeat, with the member's account), which the dashboard reads
    /// for each account's last heartbeat, and its Invocations metric is alarmed on when no member's heartbeat arrives.
    /// </summary>
    private void AddHeartbeats(Construct scope)
    {
        HeartbeatLogGroup = new LogGroup(scope, "Heartbeats", new Amazon.CDK.AWS.Logs.LogGroupProps
        {
            LogGroupName = HeartbeatLogGroupName,
            Retention = RetentionDays.TWO_WEEKS,
            RemovalPolicy = RemovalPolicy.DESTROY,
        });
        const string ruleName = HeartbeatRuleName;
        var logGroupArn = $"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:{HeartbeatLogGroupName}";
        // EventBridge writes to CloudWatch Logs under the log group's resource policy, never a role (EventBridge user
        // guide, "Using resource-based policies", CloudWatch Logs permissions). The statement is the one the EventBridge
        // console writes (both service principals, no condition: whether EventBridge sets aws:SourceArn when it writes
        // logs is not documented, and a condition it does not meet would silence every heartbeat and keep the alarm on),
        // narrowed to this one log group. EventBridge delivers to a log group of its own account only.
        var policy = new CfnResourcePolicy(scope, "HeartbeatsPolicy", new CfnResourcePolicyProps
        {
            PolicyName = "mfa-config-rule-forwarder-heartbeats",
            PolicyDocument = Fn.ToJsonString(new Dictionary<string, object>
            {
                ["Version"] = "2012-10-17",
                ["Statement"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["Sid"] = "EventBridgeKeepsHeartbeats",
                        ["Effect"] = "Allow",
                        ["Principal"] = new Dictionary<string, object> { ["Service"] = new[] { "events.amazonaws.com", "delivery.logs.amazonaws.com" } },
                        ["Action"] = new[] { "logs:CreateLogStream", "logs:PutLogEvents" },
                        ["Resource"] = $"{logGroupArn}:*",
                    },
                },
            }),
        });
        HeartbeatRule = new Amazon.CDK.AWS.Events.CfnRule(scope, "HeartbeatRule", new Amazon.CDK.AWS.Events.CfnRuleProps
        {
            Name = ruleName,
            EventBusName = Bus!.EventBusName,
            Description = "Every member forwarder's hourly heartbeat, sent along its forwarding path: kept per account in a log group; no heartbeat at all alarms",
            EventPattern = new Dictionary<string, object>
            {
                ["source"] = new[] { "aws.events" },
                ["detail-type"] = new[] { "Scheduled Event" },
                ["resources"] = new object[] { new Dictionary<string, object> { ["prefix"] = $"arn:{Aws.PARTITION}:events:{IamUserChangeEvents.EventRegion}:" } },
            },
            State = "ENABLED",
            Targets = new object[] { new Amazon.CDK.AWS.Events.CfnRule.TargetProperty { Id = "HeartbeatLog", Arn = logGroupArn } },
        });
        HeartbeatRule.AddDependency(policy);
        HeartbeatRule.AddDependency((CfnResource)HeartbeatLogGroup.Node.DefaultChild!);
    }

    public void AddTo(OrganizationMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        _ = new IamEventForwarder(member, "IamEventForwarder", new IamEventForwarderProps
        {
            TargetRegion = props.Region,
            TargetBusArn = member.Central(BusArn),
            LogRetention = props.LogRetention,
            HeartbeatSchedule = HeartbeatSchedule,
        });
        member.Role.AssumeRolePolicy!.AddStatements(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CentralTrigger",
            Actions = ["sts:AssumeRole"],
            Principals = [new ArnPrincipal(member.Central(TriggerRoleArn))],
            // The same conditions as the evaluate function's statement: the external ID, and a principal of the Organization.
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object>
                {
                    ["sts:ExternalId"] = member.Props.ExternalId,
                    ["aws:PrincipalOrgID"] = member.Central(CentralValue.OrganizationId),
                },
            },
        }));
        var reevaluate = new Policy(member, "MemberReevaluate", new PolicyProps
        {
            Roles = [member.Role],
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReRunTheRule",
                    Actions = ["config:StartConfigRulesEvaluation"],
                    Resources = [member.Rule.AttrArn],
                }),
                // Service Authorization Reference: GetComplianceDetailsByResource has no resource type.
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ReadChangeCoverage",
                    Actions = ["config:GetComplianceDetailsByResource"],
                    Resources = ["*"],
                }),
            ],
        });
        NagSuppressions.Suppress((CfnResource)reevaluate.Node.DefaultChild!,
            new NagSuppression("AwsSolutions-IAM5", "config:GetComplianceDetailsByResource supports no resource-level permissions (Service Authorization Reference); it is read-only.", "Resource::*"));
    }
}

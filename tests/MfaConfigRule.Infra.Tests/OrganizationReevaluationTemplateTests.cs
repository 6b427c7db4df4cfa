using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using MfaConfigRule.Infra.Constructs.Organization;
using MfaConfigRule.Infra.Settings;
using MfaConfigRule.Infra.Stacks;
using Match = Amazon.CDK.Assertions.Match;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// Near-real-time re-evaluation across the Organization: every account forwards its IAM events to the admin account's
/// central bus, which admits only the Organization's principals; the bus's rule feeds a queue only it may send to; the
/// central trigger reads the queue; the member role lets that trigger re-run the account's own rule.
/// </summary>
public sealed class OrganizationReevaluationTemplateTests
{
    private readonly MfaConfigRuleOrganizationStack _stack = Build();

    private static MfaConfigRuleOrganizationStack Build()
    {
        var app = new App(new AppProps
        {
            Context = new Dictionary<string, object>
            {
                [OrganizationDeployment.DeploymentKey] = OrganizationDeployment.Organization,
                [OrganizationDeployment.OrganizationalUnitIdsKey] = "ou-ab12-cdef3456",
            },
        });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");
        return MfaRuleApp.AddOrganizationStack(app, settings, OrganizationDeployment.FromContext(app.Node, settings)!, SynthesizedApp.StandInCode);
    }

    private Template Admin => Template.FromStack(_stack);
    private JsonElement AdminJson => SynthesizedApp.Json(_stack);
    private JsonElement MemberJson => JsonDocument.Parse(_stack.Members.TemplateBody).RootElement;

    private static string Id(JsonElement template, string type) => Assert.Single(Cfn.Resources(template, type)).LogicalId;

    private string TriggerRole
    {
        get
        {
            var function = Cfn.Resources(AdminJson, "AWS::Lambda::Function").Single(f => f.Resource.GetProperty("Properties").TryGetProperty("Handler", out var h) && h.GetString() == "trigger");
            return Cfn.Render(function.Resource.GetProperty("Properties").GetProperty("Role")).Replace("${", "", StringComparison.Ordinal).Replace(".Arn}", "", StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CentralBus_AdmitsPutEventsOnlyFromPrincipalsOfTheOrganization()
    {
        var policy = Cfn.Single(AdminJson, "AWS::Events::EventBusPolicy").GetProperty("Properties");
        var statement = policy.GetProperty("Statement");

        Assert.Equal("events:PutEvents", statement.GetProperty("Action").GetString());
        Assert.Equal("*", statement.GetProperty("Principal").GetString());
        Assert.Equal("${" + Id(AdminJson, "AWS::Events::EventBus") + ".Arn}", Cfn.Render(statement.GetProperty("Resource")));
        var orgId = Cfn.Render(statement.GetProperty("Condition").GetProperty("StringEquals").GetProperty("aws:PrincipalOrgID"));
        Assert.Equal("${" + SynthesizedApp.LogicalId(_stack.Identity.Resource) + ".Id}", orgId);
        Admin.HasResourceProperties("AWS::Events::EventBus", new Dictionary<string, object> { ["Name"] = OrganizationReevaluation.BusName });
    }

    [Fact]
    public void CentralQueue_OnlyTheBusRuleMaySendAndItIsEncryptedWithADeadLetterQueue()
    {
        var rule = SynthesizedApp.LogicalId(_stack.Node.FindChild("Reevaluation").Node.FindChild("IamChanges"));
        // The re-evaluation's queues; the central evaluate function's failure destination is tested with the alarms.
        var queues = Cfn.Resources(AdminJson, "AWS::SQS::Queue").Where(q => !q.LogicalId.Contains("FailedEvents", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, queues.Count);
        Assert.All(queues, q => Assert.True(q.Resource.GetProperty("Properties").GetProperty("SqsManagedSseEnabled").GetBoolean()));
        var events = queues.Single(q => q.Resource.GetProperty("Properties").TryGetProperty("RedrivePolicy", out _));
        var policies = Cfn.Resources(AdminJson, "AWS::SQS::QueuePolicy")
            .Where(p => Cfn.Items(p.Resource.GetProperty("Properties").GetProperty("Queues")).Any(q => Cfn.Render(q).Contains(events.LogicalId, StringComparison.Ordinal)))
            .SelectMany(p => Cfn.Statements(p.Resource.GetProperty("Properties").GetProperty("PolicyDocument"))).ToList();

        var send = Assert.Single(policies, s => s.GetProperty("Effect").GetString() == "Allow");
        Assert.Equal("events.amazonaws.com", send.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Contains("sqs:SendMessage", Cfn.Strings(send.GetProperty("Action")));
        Assert.Equal("${" + rule + ".Arn}", Cfn.Render(send.GetProperty("Condition").GetProperty("ArnEquals").GetProperty("aws:SourceArn")));
        // And no one over plain HTTP.
        Assert.Contains(policies, s => s.GetProperty("Effect").GetString() == "Deny" && s.GetProperty("Condition").GetProperty("Bool").GetProperty("aws:SecureTransport").GetString() == "false");
        var rulePattern = AdminJson.GetProperty("Resources").GetProperty(rule).GetProperty("Properties");
        Assert.Equal("${" + Id(AdminJson, "AWS::Events::EventBus") + "}", Cfn.Render(rulePattern.GetProperty("EventBusName")));
    }

    [Fact]
    public void CentralTrigger_ReadsTheQueueReportingFailedRecordsWithBoundedConcurrency()
    {
        Admin.HasResourceProperties("AWS::Lambda::EventSourceMapping", new Dictionary<string, object>
        {
            ["BatchSize"] = OrganizationReevaluation.BatchSize,
            ["FunctionResponseTypes"] = new[] { "ReportBatchItemFailures" },
            ["ScalingConfig"] = new Dictionary<string, object> { ["MaximumConcurrency"] = OrganizationReevaluation.MaxConcurrency },
        });
        Admin.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "trigger",
            ["Environment"] = new Dictionary<string, object>
            {
                ["Variables"] = Match.ObjectLike(new Dictionary<string, object>
                {
                    ["CONFIG_RULE_NAME"] = "mfa-enabled-for-iam-console-users",
                    ["MFA_RULE_MEMBER_ROLE_NAME"] = "MfaConfigRule-Member",
                    ["MFA_RULE_MEMBER_ROLE_EXTERNAL_ID"] = "mfa-config-rule",
                    ["MFA_RULE_TRIGGER_QUEUE_URL"] = Match.AnyValue(),
                }),
            },
        });
        var grants = Cfn.GrantsOfRole(AdminJson, TriggerRole);
        // Only in the Organization's accounts, as the central evaluate function.
        Assert.Contains(grants, g => g.StartsWith("sts:AssumeRole on arn:${AWS::Partition}:iam::*:role/MfaConfigRule-Member when StringEquals aws:ResourceOrgID=${", StringComparison.Ordinal));
        Assert.Contains(grants, g => g.StartsWith("sqs:SendMessage on ${", StringComparison.Ordinal));
        Assert.DoesNotContain(grants, g => g.StartsWith("iam:", StringComparison.Ordinal) || g.StartsWith("config:", StringComparison.Ordinal));
    }

    [Fact]
    public void StackSet_PassesTheBusAndTheTriggerRoleToEveryMember()
    {
        var parameters = Cfn.Single(AdminJson, "AWS::CloudFormation::StackSet").GetProperty("Properties").GetProperty("Parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("ParameterKey").GetString()!, p => Cfn.Render(p.GetProperty("ParameterValue")));

        Assert.Equal("${" + Id(AdminJson, "AWS::Events::EventBus") + ".Arn}", parameters["CentralTriggerBusArn"]);
        Assert.Equal("${" + TriggerRole + ".Arn}", parameters["CentralTriggerRoleArn"]);
    }

    [Fact]
    public void MemberForwarder_TargetsTheCentralBusWithARoleThatMayPutEventsThereOnly()
    {
        var forwarding = Forwarding(MemberJson, heartbeat: false);
        Assert.Equal("${CentralTriggerBusArn}", Cfn.Render(forwarding.GetProperty("TargetArn")));
        Assert.Equal("us-east-1", forwarding.GetProperty("Region").GetString());
        var forwardRole = Cfn.Resources(MemberJson, "AWS::IAM::Role").Single(r => r.LogicalId.Contains("ForwardRole", StringComparison.Ordinal)).LogicalId;

        Assert.Equal(new SortedSet<string>(StringComparer.Ordinal) { "events:PutEvents on ${CentralTriggerBusArn}" }, Cfn.GrantsOfRole(MemberJson, forwardRole));
    }

    [Fact]
    public void ManagementAccount_ForwardsItsOwnIamEventsToTheCentralBusToo()
    {
        var forwarding = Forwarding(AdminJson, heartbeat: false);

        Assert.Equal("${" + Id(AdminJson, "AWS::Events::EventBus") + ".Arn}", Cfn.Render(forwarding.GetProperty("TargetArn")));
        // ... and its heartbeat too, along the same path.
        Assert.Equal(Cfn.Render(forwarding.GetProperty("TargetArn")), Cfn.Render(Forwarding(AdminJson, heartbeat: true).GetProperty("TargetArn")));
    }

    /// <summary>
    /// Issue 19 (b): a member's us-east-1 forwarder that stops delivering is seen from the admin account. Its hourly
    /// heartbeat is a scheduled rule with exactly the forwarding rule's target and role, so anything that stops the
    /// forwarding (the role, an SCP on events:PutEvents, the bus policy) stops the heartbeat too.
    /// </summary>
    [Fact]
    public void MemberForwarder_Heartbeat_TravelsTheForwardingPathHourly()
    {
        var forwarding = Forwarding(MemberJson, heartbeat: false);
        var heartbeat = Forwarding(MemberJson, heartbeat: true);

        Assert.Equal(OrganizationReevaluation.HeartbeatSchedule, heartbeat.GetProperty("ScheduleExpression").GetString());
        Assert.Equal("rate(1 hour)", OrganizationReevaluation.HeartbeatSchedule);
        Assert.False(heartbeat.TryGetProperty("EventPattern", out _));
        foreach (var key in new[] { "Region", "TargetId", "TargetArn", "RoleArn", "ServiceToken" })
            Assert.Equal(Cfn.Render(forwarding.GetProperty(key)), Cfn.Render(heartbeat.GetProperty(key)));
        var rule = Cfn.Render(forwarding.GetProperty("RuleName"));
        Assert.Equal(rule.Replace("-iam-to-", "-beat-to-", StringComparison.Ordinal), Cfn.Render(heartbeat.GetProperty("RuleName")));

        // EventBridge may assume the forward role for the two us-east-1 rules of this account, and no other.
        var forwardRole = Cfn.Resources(MemberJson, "AWS::IAM::Role").Single(r => r.LogicalId.Contains("ForwardRole", StringComparison.Ordinal)).Resource;
        var trust = Assert.Single(Cfn.Statements(forwardRole.GetProperty("Properties").GetProperty("AssumeRolePolicyDocument")));
        var sourceArns = trust.GetProperty("Condition").GetProperty("StringEquals").GetProperty("aws:SourceArn").EnumerateArray().Select(Cfn.Render).ToList();
        Assert.Equal(2, sourceArns.Count);
        Assert.All(sourceArns, a => Assert.StartsWith("arn:${AWS::Partition}:events:us-east-1:${AWS::AccountId}:rule/", a, StringComparison.Ordinal));
        Assert.Contains(sourceArns, a => a.EndsWith("-iam-to-eu-west-1", StringComparison.Ordinal));
        Assert.Contains(sourceArns, a => a.EndsWith("-beat-to-eu-west-1", StringComparison.Ordinal));
    }

    [Fact]
    public void CentralBus_Heartbeats_KeptPerAccountInALogGroupOnlyEventBridgeWritesAndAlarmedWhenNoneArrive()
    {
        var bus = Id(AdminJson, "AWS::Events::EventBus");
        var rule = Cfn.Resources(AdminJson, "AWS::Events::Rule").Single(r => r.Resource.GetProperty("Properties").TryGetProperty("Name", out var n) && n.GetString() == OrganizationReevaluation.HeartbeatRuleName).Resource.GetProperty("Properties");
        Assert.Equal("${" + bus + "}", Cfn.Render(rule.GetProperty("EventBusName")));
        var pattern = rule.GetProperty("EventPattern");
        Assert.Equal(["aws.events"], Cfn.Strings(pattern.GetProperty("source")));
        Assert.Equal(["Scheduled Event"], Cfn.Strings(pattern.GetProperty("detail-type")));
        Assert.Equal("arn:${AWS::Partition}:events:us-east-1:", Cfn.Render(Assert.Single(pattern.GetProperty("resources").EnumerateArray()).GetProperty("prefix")));
        var target = Assert.Single(rule.GetProperty("Targets").EnumerateArray());
        var logGroupArn = $"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{OrganizationReevaluation.HeartbeatLogGroupName}";
        Assert.Equal(logGroupArn, Cfn.Render(target.GetProperty("Arn")));
        // CloudWatch Logs targets take no role: EventBridge writes under the log group's resource policy.
        Assert.False(target.TryGetProperty("RoleArn", out _));
        Admin.HasResourceProperties("AWS::Logs::LogGroup", new Dictionary<string, object> { ["LogGroupName"] = OrganizationReevaluation.HeartbeatLogGroupName, ["RetentionInDays"] = 14 });

        var policy = JsonDocument.Parse(Cfn.Render(Cfn.Single(AdminJson, "AWS::Logs::ResourcePolicy").GetProperty("Properties").GetProperty("PolicyDocument"))).RootElement;
        var statement = Assert.Single(policy.GetProperty("Statement").EnumerateArray());
        // The statement the EventBridge console writes, narrowed to this one log group and its streams.
        Assert.Equal(["events.amazonaws.com", "delivery.logs.amazonaws.com"], Cfn.Strings(statement.GetProperty("Principal").GetProperty("Service")));
        Assert.Equal(["logs:CreateLogStream", "logs:PutLogEvents"], Cfn.Strings(statement.GetProperty("Action")));
        Assert.Equal(logGroupArn + ":*", statement.GetProperty("Resource").GetString());

        var alarm = Cfn.Resources(AdminJson, "AWS::CloudWatch::Alarm").Select(a => a.Resource.GetProperty("Properties"))
            .Single(a => Cfn.Render(a.GetProperty("AlarmName")).EndsWith("-FixForwardersNoHeartbeat", StringComparison.Ordinal));
        Assert.Equal(("AWS/Events", "Invocations", "Sum", 3600), (alarm.GetProperty("Namespace").GetString(), alarm.GetProperty("MetricName").GetString(), alarm.GetProperty("Statistic").GetString(), alarm.GetProperty("Period").GetInt32()));
        var dimensions = alarm.GetProperty("Dimensions").EnumerateArray().ToDictionary(d => d.GetProperty("Name").GetString()!, d => Cfn.Render(d.GetProperty("Value")));
        Assert.Equal(new Dictionary<string, string> { ["EventBusName"] = "${" + bus + "}", ["RuleName"] = OrganizationReevaluation.HeartbeatRuleName }, dimensions);
        Assert.Equal(("LessThanThreshold", 1.0, 3, "breaching"), (alarm.GetProperty("ComparisonOperator").GetString(), alarm.GetProperty("Threshold").GetDouble(),
            alarm.GetProperty("EvaluationPeriods").GetInt32(), alarm.GetProperty("TreatMissingData").GetString()));
    }

    /// <summary>With the exact account count, one silent member among many fires the alarm: fewer heartbeats an hour than accounts, three hours running.</summary>
    [Theory]
    [InlineData(null, 1.0)]
    [InlineData("0", 1.0)]
    [InlineData("12", 12.0)]
    public void ForwarderAccounts_SetsTheHeartbeatAlarmsThreshold(string? count, double threshold)
    {
        var context = new Dictionary<string, object>
        {
            [OrganizationDeployment.DeploymentKey] = OrganizationDeployment.Organization,
            [OrganizationDeployment.OrganizationalUnitIdsKey] = "ou-ab12-cdef3456",
        };
        if (count is not null) context[OrganizationDeployment.ForwarderAccountsKey] = count;
        var app = new App(new AppProps { Context = context });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");
        var admin = SynthesizedApp.Json(MfaRuleApp.AddOrganizationStack(app, settings, OrganizationDeployment.FromContext(app.Node, settings)!, SynthesizedApp.StandInCode));

        var alarm = Cfn.Resources(admin, "AWS::CloudWatch::Alarm").Select(a => a.Resource.GetProperty("Properties"))
            .Single(a => Cfn.Render(a.GetProperty("AlarmName")).EndsWith("-FixForwardersNoHeartbeat", StringComparison.Ordinal));
        Assert.Equal((threshold, "LessThanThreshold", 3), (alarm.GetProperty("Threshold").GetDouble(), alarm.GetProperty("ComparisonOperator").GetString(), alarm.GetProperty("DatapointsToAlarm").GetInt32()));
        Assert.Equal(threshold > 1, alarm.GetProperty("AlarmDescription").GetString()!.Contains(OrganizationDeployment.ForwarderAccountsKey, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("12", "false", "no account has a forwarder")]
    [InlineData("-1", "true", "outside 0-10000")]
    [InlineData("many", "true", "not a whole number")]
    public void ForwarderAccounts_WithoutForwardersOrNotACount_StopsSynthNamingTheKey(string count, string reevaluation, string message)
    {
        var app = new App(new AppProps
        {
            Context = new Dictionary<string, object>
            {
                [OrganizationDeployment.DeploymentKey] = OrganizationDeployment.Organization,
                [OrganizationDeployment.OrganizationalUnitIdsKey] = "ou-ab12-cdef3456",
                [OrganizationDeployment.ForwarderAccountsKey] = count,
                [RuleSettings.ReevaluationKey] = reevaluation,
            },
        });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");

        var error = Assert.ThrowsAny<ArgumentException>(() => OrganizationDeployment.FromContext(app.Node, settings));

        Assert.Contains(OrganizationDeployment.ForwarderAccountsKey, error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reevaluation_Off_NoHeartbeatAnywhere()
    {
        var app = new App(new AppProps
        {
            Context = new Dictionary<string, object>
            {
                [OrganizationDeployment.DeploymentKey] = OrganizationDeployment.Organization,
                [OrganizationDeployment.OrganizationalUnitIdsKey] = "ou-ab12-cdef3456",
                [RuleSettings.ReevaluationKey] = "false",
            },
        });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");
        var stack = MfaRuleApp.AddOrganizationStack(app, settings, OrganizationDeployment.FromContext(app.Node, settings)!, SynthesizedApp.StandInCode);
        var admin = SynthesizedApp.Json(stack);

        Assert.Empty(Cfn.Resources(admin, "AWS::Logs::ResourcePolicy"));
        Assert.Empty(Cfn.Resources(JsonDocument.Parse(stack.Members.TemplateBody).RootElement, "Custom::IamEventForwarding"));
        Assert.DoesNotContain(Cfn.Resources(admin, "AWS::CloudWatch::Alarm"), a => Cfn.Render(a.Resource.GetProperty("Properties").GetProperty("AlarmName")).Contains("Heartbeat", StringComparison.Ordinal));
    }

    private static JsonElement Forwarding(JsonElement template, bool heartbeat) =>
        Cfn.Resources(template, "Custom::IamEventForwarding").Select(r => r.Resource.GetProperty("Properties"))
            .Single(p => p.TryGetProperty("ScheduleExpression", out _) == heartbeat);
}

using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using Amazon.CDK.AWS.SNS;
using MfaConfigRule.Infra.Constructs.Organization;
using MfaConfigRule.Infra.Settings;
using MfaConfigRule.Infra.Stacks;
using Match = Amazon.CDK.Assertions.Match;

namespace MfaConfigRule.Infra.Tests;

/// <summary>
/// Issue 19's findings on the Organization deployment, each asserted on every Organization variant
/// infra/check-templates.sh synthesizes: a rollout that survives broken accounts and reports each failed stack instance,
/// the central functions' reserved concurrency, a StackSet that waits for what members need first, the settings the
/// Organization honours, and an aggregator trust that works whether or not Config sets aws:SourceAccount.
/// </summary>
public sealed class OrganizationRolloutTemplateTests
{
    private static IEnumerable<(string Name, IReadOnlyDictionary<string, string> Context)> OrganizationVariantList => TemplateVariants.All
        .Where(v => v.Context.GetValueOrDefault(OrganizationDeployment.DeploymentKey) == OrganizationDeployment.Organization && !TemplateVariants.IsPerAccount(v.Context));

    public static TheoryData<string> OrganizationVariants => new(OrganizationVariantList.Select(v => v.Name));

    private sealed record Built(MfaConfigRuleOrganizationStack Stack, MfaRuleSettings Settings, OrganizationDeployment Organization)
    {
        // Synthesized on first use, so a test can still add to the stack before.
        private readonly Lazy<JsonElement> _admin = new(() => SynthesizedApp.Json(Stack));

        public JsonElement Admin => _admin.Value;
        public JsonElement Member { get; } = JsonDocument.Parse(Stack.Members.TemplateBody).RootElement.Clone();
    }

    private static Built Build(string variant, params (string Key, object Value)[] extra)
    {
        var context = TemplateVariants.All.Single(v => v.Name == variant).Context.ToDictionary(p => p.Key, p => (object)p.Value, StringComparer.Ordinal);
        foreach (var (key, value) in extra) context[key] = value;
        var app = new App(new AppProps { Context = context });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, defaultRegion: null);
        var organization = OrganizationDeployment.FromContext(app.Node, settings)!;
        return new Built(MfaRuleApp.AddOrganizationStack(app, settings, organization, SynthesizedApp.StandInCode), settings, organization);
    }

    [Fact]
    public void Variants_CoverReevaluationOffAGivenTriggerTimeoutAndEachReservationShape()
    {
        var contexts = OrganizationVariantList.Select(v => v.Context).ToList();

        Assert.Contains(contexts, c => c.GetValueOrDefault(RuleSettings.ReevaluationKey) == "false");
        Assert.Contains(contexts, c => c.ContainsKey(FunctionSettings.TriggerTimeoutSecondsKey) && c.GetValueOrDefault(RuleSettings.ReevaluationKey) != "false");
        Assert.Contains(contexts, c => !c.ContainsKey(FunctionSettings.TriggerTimeoutSecondsKey) && c.GetValueOrDefault(RuleSettings.ReevaluationKey) != "false");
        Assert.Contains(contexts, c => c.GetValueOrDefault(OrganizationDeployment.AccountsKey) == "0");
        Assert.Contains(contexts, c => !c.ContainsKey(OrganizationDeployment.AccountsKey));
        Assert.Contains(contexts, c => c.ContainsKey(OrganizationDeployment.AccountsKey) && c[OrganizationDeployment.AccountsKey] != "0");
    }

    // Finding 1: one broken account must neither stop nor roll back the others.
    [Theory]
    [MemberData(nameof(OrganizationVariants))]
    public void StackSet_EveryOrganizationVariant_ToleratesEveryFailedAccountAtFullConcurrency(string variant)
    {
        var built = Build(variant);

        var preferences = Cfn.Single(built.Admin, "AWS::CloudFormation::StackSet").GetProperty("Properties").GetProperty("OperationPreferences");

        Assert.Equal(
            """{"ConcurrencyMode":"SOFT_FAILURE_TOLERANCE","FailureTolerancePercentage":100,"MaxConcurrentPercentage":25,"RegionConcurrencyType":"PARALLEL"}""",
            JsonSerializer.Serialize(JsonSerializer.Deserialize<SortedDictionary<string, JsonElement>>(preferences.GetRawText())));
    }

    // Finding 2: a failed instance, of the rollout or of auto-deployment, becomes an event a person is told about.
    [Theory]
    [MemberData(nameof(OrganizationVariants))]
    public void FailedInstances_EveryOrganizationVariant_MatchThisStackSetsFailedInstancesWhicheverAccountOwnsIt(string variant)
    {
        var built = Build(variant);
        var stackSet = SynthesizedApp.LogicalId(built.Stack.Members.StackSet);

        var rules = Cfn.Resources(built.Admin, "AWS::Events::Rule")
            .Where(r => r.Resource.GetProperty("Properties").TryGetProperty("EventPattern", out var p) && p.GetRawText().Contains("StackInstance", StringComparison.Ordinal))
            .ToList();

        var (_, rule) = Assert.Single(rules);
        var pattern = rule.GetProperty("Properties").GetProperty("EventPattern");
        Assert.Equal(["aws.cloudformation"], Cfn.Strings(pattern.GetProperty("source")));
        Assert.Equal(["CloudFormation StackSet StackInstance Status Change"], Cfn.Strings(pattern.GetProperty("detail-type")));
        var detail = pattern.GetProperty("detail");
        Assert.Equal(["FAILED", "INOPERABLE", "FAILED_IMPORT", "CANCELLED"], Cfn.Strings(detail.GetProperty("status-details").GetProperty("detailed-status")));
        // The suffix ":stackset/<this StackSet's ID>": no account in it, so a delegated administrator's StackSet (which
        // lives in the management account) matches too; no other StackSet does.
        var suffix = Assert.Single(Cfn.Items(detail.GetProperty("stack-set-arn"))).GetProperty("suffix");
        Assert.Equal(":stackset/${" + stackSet + ".StackSetId}", Cfn.Render(suffix));
        Assert.False(pattern.TryGetProperty("resources", out _));
        // The default bus: CloudFormation's events arrive there.
        Assert.False(rule.GetProperty("Properties").TryGetProperty("EventBusName", out _));
    }

    [Fact]
    public void FailedInstances_NotifiedToATopic_SendTheAccountRegionReasonAndTheRetry()
    {
        var built = Build("organization");
        var topic = new Topic(built.Stack, "OperatorTopic");

        built.Stack.Members.NotifyFailuresTo(topic);

        var template = Template.FromStack(built.Stack);
        var topicId = SynthesizedApp.LogicalId(topic);
        template.HasResourceProperties("AWS::Events::Rule", new Dictionary<string, object>
        {
            ["EventPattern"] = Match.ObjectLike(new Dictionary<string, object> { ["detail-type"] = new[] { "CloudFormation StackSet StackInstance Status Change" } }),
            ["Targets"] = Match.ArrayWith(new object[]
            {
                Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Arn"] = new Dictionary<string, object> { ["Ref"] = topicId },
                    ["InputTransformer"] = Match.ObjectLike(new Dictionary<string, object>
                    {
                        ["InputPathsMap"] = Match.ObjectEquals(new Dictionary<string, object>
                        {
                            ["detail-stack-id"] = "$.detail.stack-id",
                            ["detail-status-details-detailed-status"] = "$.detail.status-details.detailed-status",
                            ["detail-status-details-status-reason"] = "$.detail.status-details.status-reason",
                        }),
                        ["InputTemplate"] = Match.StringLikeRegexp("<detail-stack-id>.*<detail-status-details-detailed-status>.*<detail-status-details-status-reason>.*update-stack-instances"),
                    }),
                }),
            }),
        });
        // EventBridge may publish to the topic (CDK's SNS target writes the topic policy).
        template.HasResourceProperties("AWS::SNS::TopicPolicy", new Dictionary<string, object>
        {
            ["PolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = Match.ArrayWith(new object[]
                {
                    Match.ObjectLike(new Dictionary<string, object>
                    {
                        ["Action"] = "sns:Publish",
                        ["Principal"] = new Dictionary<string, object> { ["Service"] = "events.amazonaws.com" },
                    }),
                }),
            }),
        });
    }

    // Finding 4 (its reserved-concurrency part): what foreign invocations may take is bounded and stated.
    [Theory]
    [MemberData(nameof(OrganizationVariants))]
    public void CentralFunctions_EveryOrganizationVariant_ReserveConcurrencySizedFromTheAccountCount(string variant)
    {
        var built = Build(variant);
        var accounts = built.Organization.Accounts;
        var context = OrganizationVariantList.Single(v => v.Name == variant).Context;
        Assert.Equal(context.TryGetValue(OrganizationDeployment.AccountsKey, out var given) ? int.Parse(given, System.Globalization.CultureInfo.InvariantCulture) : 50, accounts);

        int? Reserved(string functionId) =>
            built.Admin.GetProperty("Resources").GetProperty(functionId).GetProperty("Properties").TryGetProperty("ReservedConcurrentExecutions", out var r) ? r.GetInt32() : null;

        Assert.Equal(accounts == 0 ? null : accounts + 10, Reserved(SynthesizedApp.LogicalId(built.Stack.Central.EvaluateFunction.Function)));
        var remediation = built.Stack.Node.TryFindChild("CentralRemediation");
        var remediate = Cfn.Resources(built.Admin, "AWS::Lambda::Function")
            .Where(f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "remediate").Select(f => f.LogicalId).ToList();
        Assert.Equal(remediation is null ? 0 : 1, remediate.Count);
        foreach (var function in remediate)
            Assert.Equal(accounts == 0 ? null : 5 + ((accounts + 9) / 10), Reserved(function));
        // The other central functions (trigger, the custom resources' provider) keep no reservation: their callers are this stack's own.
        foreach (var (id, f) in Cfn.Resources(built.Admin, "AWS::Lambda::Function").Where(f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() is not ("evaluate" or "remediate")))
            Assert.False(f.GetProperty("Properties").TryGetProperty("ReservedConcurrentExecutions", out _), id);
    }

    [Theory]
    [InlineData("801", "801 accounts is outside 0-800")]
    [InlineData("-1", "-1 accounts is outside 0-800")]
    [InlineData("many", "'many' is not a whole number of accounts")]
    public void Settings_AccountCountOutOfRange_StopsSynthesisNamingTheKeyAndTheUnreservedRule(string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => Build("organization", (OrganizationDeployment.AccountsKey, value)));

        Assert.Contains($"{OrganizationDeployment.AccountsKey}: {message}", error.Message, StringComparison.Ordinal);
        Assert.Contains("AWS keeps 100", error.Message, StringComparison.Ordinal);
        Assert.Contains("give 0 to reserve nothing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_LargestAccountCount_KeepsBothReservationsWithinWhatTheDefaultQuotaMayReserve()
    {
        var built = Build("organization-remediation", (OrganizationDeployment.AccountsKey, OrganizationDeployment.MaxAccounts));

        Assert.True(built.Organization.EvaluateReservedConcurrency + built.Organization.RemediateReservedConcurrency <= 1000 - 100);
    }

    // Finding 6: the StackSet (and the management account's own rule) wait for what a member reaches in its first minutes:
    // the re-evaluation bus's policy, and the remediation invoker role with its right to invoke the central function.
    [Theory]
    [MemberData(nameof(OrganizationVariants))]
    public void StackSet_EveryOrganizationVariant_IsCreatedAfterTheBusPolicyAndTheRemediationInvokerRoleAndPolicy(string variant)
    {
        var built = Build(variant);
        var stackSet = SynthesizedApp.LogicalId(built.Stack.Members.StackSet);
        var invokerRoles = Cfn.Resources(built.Admin, "AWS::IAM::Role")
            .Where(r => r.Resource.GetProperty("Properties").TryGetProperty("RoleName", out var n) && n.GetString() == "MfaConfigRule-RemediationInvoker")
            .Select(r => r.LogicalId).ToList();
        var invokerPolicies = Cfn.Resources(built.Admin, "AWS::IAM::Policy")
            .Where(p => p.Resource.GetProperty("Properties").GetProperty("Roles").EnumerateArray().Any(r => r.TryGetProperty("Ref", out var id) && invokerRoles.Contains(id.GetString()!)))
            .Select(p => p.LogicalId).ToList();
        var firstMinutes = Cfn.Resources(built.Admin, "AWS::Events::EventBusPolicy").Select(r => r.LogicalId).Concat(invokerRoles).Concat(invokerPolicies).ToList();
        var remediation = built.Settings.Remediation.Mode != RemediationMode.Off;

        Assert.Equal((remediation ? 1 : 0, remediation ? 1 : 0), (invokerRoles.Count, invokerPolicies.Count));
        Assert.Equal((built.Settings.Rule.Reevaluation ? 1 : 0) + (remediation ? 2 : 0), firstMinutes.Count);
        // Directly: the StackSet names the invoker role's policy in its DependsOn.
        var dependsOn = built.Admin.GetProperty("Resources").GetProperty(stackSet).TryGetProperty("DependsOn", out var d) ? Cfn.Strings(d).ToList() : [];
        Assert.All(invokerPolicies, policy => Assert.Contains(policy, dependsOn));
        foreach (var prerequisite in firstMinutes.Append(SynthesizedApp.LogicalId(built.Stack.Central.InvokePermission)))
        {
            Assert.True(Cfn.CreatedBefore(built.Admin, prerequisite, stackSet), $"the StackSet can be created before {prerequisite}");
            if (built.Stack.OwnAccount is { } own)
                Assert.True(Cfn.CreatedBefore(built.Admin, prerequisite, SynthesizedApp.LogicalId(own.Rule)), $"the management account's rule can be created before {prerequisite}");
        }
    }

    // Finding 7: mfaRule:reevaluation=false and mfaRule:triggerTimeoutSeconds mean in an Organization what they say.
    [Theory]
    [MemberData(nameof(OrganizationVariants))]
    public void Reevaluation_EveryOrganizationVariant_IsDeployedExactlyWhenOnWithTheGivenTriggerTimeout(string variant)
    {
        var built = Build(variant);
        var on = built.Settings.Rule.Reevaluation;

        // The member template: the us-east-1 forwarder (a custom resource and its inline provider) and the bus parameter.
        var memberParameters = built.Member.TryGetProperty("Parameters", out var p) ? p.EnumerateObject().Select(x => x.Name).ToList() : [];
        Assert.Equal(on, memberParameters.Contains(OrganizationReevaluation.BusArn.ParameterName));
        Assert.Equal(on, memberParameters.Contains(OrganizationReevaluation.TriggerRoleArn.ParameterName));
        Assert.Equal(on, Cfn.Resources(built.Member, "AWS::Lambda::Function").Any());
        Assert.Equal(on, built.Member.GetRawText().Contains("us-east-1", StringComparison.Ordinal));
        // The admin stack: bus, bus policy, queues, trigger.
        Assert.Equal(on ? 1 : 0, Cfn.Resources(built.Admin, "AWS::Events::EventBus").Count());
        Assert.Equal(on ? 1 : 0, Cfn.Resources(built.Admin, "AWS::Events::EventBusPolicy").Count());
        // The re-evaluation's queue and dead-letter queue; the central evaluate function's failure destination is there either way.
        Assert.Equal(on ? 2 : 0, Cfn.Resources(built.Admin, "AWS::SQS::Queue").Count(q => !q.LogicalId.Contains("FailedEvents", StringComparison.Ordinal)));
        Assert.Equal(on ? 1 : 0, Cfn.Resources(built.Admin, "AWS::Lambda::EventSourceMapping").Count());
        var triggers = Cfn.Resources(built.Admin, "AWS::Lambda::Function").Where(f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "trigger").ToList();
        Assert.Equal(on ? 1 : 0, triggers.Count);
        if (!on) return;

        var timeout = built.Settings.Functions.TriggerTimeoutSecondsGiven ?? 60;
        Assert.Equal(timeout, triggers[0].Resource.GetProperty("Properties").GetProperty("Timeout").GetInt32());
        var queue = SynthesizedApp.LogicalId(built.Stack.Node.FindChild("Reevaluation").Node.FindChild("Events"));
        Assert.Equal(timeout * 6, built.Admin.GetProperty("Resources").GetProperty(queue).GetProperty("Properties").GetProperty("VisibilityTimeout").GetInt32());
    }

    [Theory]
    [InlineData("30", "30 seconds is outside 90-900")]
    [InlineData("901", "901 seconds is outside 90-900")]
    public void Settings_TriggerTimeoutOutOfRange_StopsTheOrganizationSynthesisNamingTheKey(string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => Build("organization", (FunctionSettings.TriggerTimeoutSecondsKey, value)));

        Assert.Contains($"{FunctionSettings.TriggerTimeoutSecondsKey}: {message}", error.Message, StringComparison.Ordinal);
    }

    // Finding 8: the aggregator's role works whether or not Config sets aws:SourceAccount when it assumes it.
    [Theory]
    [MemberData(nameof(OrganizationVariants))]
    public void Aggregator_EveryOrganizationVariant_TrustsConfigWithSourceAccountOnlyIfPresent(string variant)
    {
        var built = Build(variant);
        var role = built.Admin.GetProperty("Resources").GetProperty(SynthesizedApp.LogicalId(built.Stack.Aggregator.Role));

        var trust = Assert.Single(Cfn.Statements(role.GetProperty("Properties").GetProperty("AssumeRolePolicyDocument")));

        Assert.Equal("config.amazonaws.com", trust.GetProperty("Principal").GetProperty("Service").GetString());
        Assert.Equal(
            """{"StringEqualsIfExists":{"aws:SourceAccount":{"Ref":"AWS::AccountId"}}}""",
            trust.GetProperty("Condition").GetRawText());
    }
}

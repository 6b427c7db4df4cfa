using Amazon.CDK.Assertions;
using MfaConfigRule.Infra.Constructs.Rule;
using MfaConfigRule.Infra.Settings;
using Match = Amazon.CDK.Assertions.Match;

namespace MfaConfigRule.Infra.Tests;

public sealed class ConfigRuleTemplateTests
{
    private readonly SynthesizedApp _app = SynthesizedApp.Create();

    [Fact]
    public void ConfigRule_Defaults_IsACustomLambdaRuleOnUserChangesAndADailySchedule()
    {
        var evaluateFunction = SynthesizedApp.LogicalId(_app.RuleStack.Rule.EvaluateFunction.Function);

        _app.RuleTemplate.HasResourceProperties("AWS::Config::ConfigRule", new Dictionary<string, object>
        {
            ["ConfigRuleName"] = "mfa-enabled-for-iam-console-users",
            ["Source"] = Match.ObjectEquals(new Dictionary<string, object>
            {
                ["Owner"] = "CUSTOM_LAMBDA",
                ["SourceIdentifier"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { evaluateFunction, "Arn" } },
                ["SourceDetails"] = new object[]
                {
                    new Dictionary<string, object> { ["EventSource"] = "aws.config", ["MessageType"] = "ConfigurationItemChangeNotification" },
                    new Dictionary<string, object> { ["EventSource"] = "aws.config", ["MessageType"] = "OversizedConfigurationItemChangeNotification" },
                    new Dictionary<string, object>
                    {
                        ["EventSource"] = "aws.config",
                        ["MessageType"] = "ScheduledNotification",
                        ["MaximumExecutionFrequency"] = "TwentyFour_Hours",
                    },
                },
            }),
            ["Scope"] = Match.ObjectEquals(new Dictionary<string, object> { ["ComplianceResourceTypes"] = new[] { "AWS::IAM::User" } }),
        });
    }

    [Fact]
    public void ConfigRule_Defaults_InputParametersCarryEveryDefaultedRuleParameter()
    {
        _app.RuleTemplate.HasResourceProperties("AWS::Config::ConfigRule", new Dictionary<string, object>
        {
            ["InputParameters"] = Match.ObjectEquals(new Dictionary<string, object>
            {
                ["ExemptionTagKey"] = "mfa-exempt-until",
                ["AllowedMfaTypes"] = "virtual,hardware,fido",
                ["NoPasswordResult"] = "NOT_APPLICABLE",
                ["GracePeriodHours"] = "0",
            }),
        });
    }

    [Fact]
    public void ConfigRule_ParametersAndFrequencyFromContext_AreWhatTheRuleGets()
    {
        var app = SynthesizedApp.Create(new Dictionary<string, object>
        {
            [RuleSettings.FrequencyHoursKey] = 6,
            [RuleSettings.ParametersKey] = new Dictionary<string, object>
            {
                ["ExemptUserNames"] = "break-glass,ci-bot",
                ["ExemptPathPrefixes"] = "/service/",
                ["ExemptionTagKey"] = "mfa-exemption",
                ["AllowedMfaTypes"] = "fido",
                ["NoPasswordResult"] = "COMPLIANT",
                ["GracePeriodHours"] = "72",
            },
        });

        var rule = Cfn.Single(app.RuleTemplateJson, "AWS::Config::ConfigRule").GetProperty("Properties");
        var parameters = rule.GetProperty("InputParameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["AllowedMfaTypes"] = "fido",
            ["ExemptPathPrefixes"] = "/service/",
            ["ExemptUserNames"] = "break-glass,ci-bot",
            ["ExemptionTagKey"] = "mfa-exemption",
            ["GracePeriodHours"] = "72",
            ["NoPasswordResult"] = "COMPLIANT",
        }, parameters);
        var schedule = rule.GetProperty("Source").GetProperty("SourceDetails").EnumerateArray()
            .Single(d => d.GetProperty("MessageType").GetString() == "ScheduledNotification");
        Assert.Equal("Six_Hours", schedule.GetProperty("MaximumExecutionFrequency").GetString());
    }

    [Fact]
    public void ConfigRule_Description_FitsConfigsLimitAndNamesTheControl()
    {
        Assert.InRange(MfaConfigRuleConstruct.Description.Length, 1, 256);
        Assert.Contains("IAM.5", MfaConfigRuleConstruct.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void InvokePermission_ConfigOfThisAccountOnly_AndTheRuleWaitsForIt()
    {
        var permission = SynthesizedApp.LogicalId(_app.RuleStack.Rule.InvokePermission);
        var evaluateFunction = SynthesizedApp.LogicalId(_app.RuleStack.Rule.EvaluateFunction.Function);

        _app.RuleTemplate.HasResourceProperties("AWS::Lambda::Permission", Match.ObjectEquals(new Dictionary<string, object>
        {
            ["Action"] = "lambda:InvokeFunction",
            ["FunctionName"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { evaluateFunction, "Arn" } },
            ["Principal"] = "config.amazonaws.com",
            ["SourceAccount"] = new Dictionary<string, object> { ["Ref"] = "AWS::AccountId" },
        }));
        // Config checks it may invoke the function, and starts evaluating, as soon as the rule is created.
        foreach (var prerequisite in new[] { permission, SynthesizedApp.LogicalId(_app.RuleStack.Rule.ReadPolicy) })
        {
            _app.RuleTemplate.HasResource("AWS::Config::ConfigRule", new Dictionary<string, object>
            {
                ["DependsOn"] = Match.ArrayWith([prerequisite]),
            });
        }
    }

    [Fact]
    public void EvaluateRole_AllPolicies_GrantExactlyTheCallsTheFunctionMakes()
    {
        var role = SynthesizedApp.LogicalId(_app.RuleStack.Rule.EvaluateFunction.Role);
        var logs = SynthesizedApp.LogicalId(_app.RuleStack.Rule.EvaluateFunction.LogGroup);
        var failed = SynthesizedApp.LogicalId(_app.RuleStack.Rule.EvaluateFunction.FailedEvents!);
        const string users = "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*";

        var grants = Cfn.GrantsOfRole(_app.RuleTemplateJson, role);

        Assert.Equal(new SortedSet<string>(StringComparer.Ordinal)
        {
            $"iam:GetUser on {users}",
            $"iam:GetLoginProfile on {users}",
            $"iam:ListMFADevices on {users}",
            $"iam:ListUserTags on {users}",
            "iam:ListUsers on *",
            "iam:ListVirtualMFADevices on *",
            "iam:GenerateCredentialReport on *",
            "iam:GetCredentialReport on *",
            "cloudtrail:LookupEvents on *",
            "config:PutEvaluations on *",
            "config:GetResourceConfigHistory on *",
            "config:GetComplianceDetailsByConfigRule on arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-rule/*",
            $"logs:CreateLogStream on ${{{logs}.Arn}}",
            $"logs:PutLogEvents on ${{{logs}.Arn}}",
            // Its failure destination: Lambda sends an invocation that failed every attempt under the function's role
            // (CDK's SqsDestination grants SendMessage with the two read-only queue lookups).
            $"sqs:SendMessage on ${{{failed}.Arn}}",
            $"sqs:GetQueueAttributes on ${{{failed}.Arn}}",
            $"sqs:GetQueueUrl on ${{{failed}.Arn}}",
        }, grants);
    }

    [Fact]
    public void TriggerRole_AllPolicies_GrantOnlyReRunningThisRuleAndReadingChangesAndTheirCoverage()
    {
        var trigger = _app.RuleStack.Reevaluation!.TriggerFunction;
        var rule = SynthesizedApp.LogicalId(_app.RuleStack.Rule.Rule);
        var logs = SynthesizedApp.LogicalId(trigger.LogGroup);

        var grants = Cfn.GrantsOfRole(_app.RuleTemplateJson, SynthesizedApp.LogicalId(trigger.Role));

        Assert.Equal(new SortedSet<string>(StringComparer.Ordinal)
        {
            $"config:StartConfigRulesEvaluation on ${{{rule}.Arn}}",
            "config:GetComplianceDetailsByResource on *",
            "cloudtrail:LookupEvents on *",
            "iam:GetUser on arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*",
            $"logs:CreateLogStream on ${{{logs}.Arn}}",
            $"logs:PutLogEvents on ${{{logs}.Arn}}",
        }, grants);
    }

    [Fact]
    public void Functions_Both_RunTheAotBootstrapOnAl2023X8664WithTheirEntry()
    {
        var template = _app.RuleTemplate;
        foreach (var handler in new[] { "evaluate", "trigger" })
        {
            template.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
            {
                ["Handler"] = handler,
                ["Runtime"] = "provided.al2023",
                ["Architectures"] = new[] { "x86_64" },
            });
        }
        template.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "trigger",
            ["Environment"] = Match.ObjectEquals(new Dictionary<string, object>
            {
                ["Variables"] = new Dictionary<string, object> { ["CONFIG_RULE_NAME"] = "mfa-enabled-for-iam-console-users" },
            }),
        });
        template.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "evaluate",
            ["MemorySize"] = 256,
            ["Timeout"] = 300,
        });
        // The trigger's longest run: a DeleteLoginProfile held until CloudTrail's event history shows it (up to ~15 minutes).
        template.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "trigger",
            ["Timeout"] = 900,
        });
    }

    [Fact]
    public void Trigger_Concurrency_IsOneEnvironmentSoBurstsCoalesce()
    {
        _app.RuleTemplate.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "trigger",
            ["ReservedConcurrentExecutions"] = 1,
        });
        _app.RuleTemplate.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "evaluate",
            ["ReservedConcurrentExecutions"] = Match.Absent(),
        });
    }

    [Fact]
    public void Trigger_TimeoutFromContext_IsTheFunctionsTimeout()
    {
        var app = SynthesizedApp.Create(new Dictionary<string, object> { [FunctionSettings.TriggerTimeoutSecondsKey] = 300 });

        app.RuleTemplate.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "trigger",
            ["Timeout"] = 300,
        });
    }

    [Theory]
    [InlineData(24, 21600)]
    [InlineData(6, 21600)]
    [InlineData(1, 3600)]
    public void AsyncInvocation_BothFunctions_AreSetOnPurposeAndEventsLastUntilTheNextPeriodicRun(int frequencyHours, int maxAgeSeconds)
    {
        var app = SynthesizedApp.Create(new Dictionary<string, object> { [RuleSettings.FrequencyHoursKey] = frequencyHours });
        var template = app.RuleTemplate;
        var evaluate = SynthesizedApp.LogicalId(app.RuleStack.Rule.EvaluateFunction.Function);
        var trigger = SynthesizedApp.LogicalId(app.RuleStack.Reevaluation!.TriggerFunction.Function);

        template.ResourceCountIs("AWS::Lambda::EventInvokeConfig", 2);
        var failed = SynthesizedApp.LogicalId(app.RuleStack.Rule.EvaluateFunction.FailedEvents!);
        foreach (var (function, retries, keepsFailed) in new[] { (evaluate, 2, true), (trigger, 1, false) })
        {
            var expected = new Dictionary<string, object>
            {
                ["FunctionName"] = new Dictionary<string, object> { ["Ref"] = function },
                ["Qualifier"] = "$LATEST",
                ["MaximumRetryAttempts"] = retries,
                ["MaximumEventAgeInSeconds"] = maxAgeSeconds,
            };
            // Config's invocations that fail every attempt or age out are kept in the failure queue, not dropped.
            if (keepsFailed)
            {
                expected["DestinationConfig"] = new Dictionary<string, object>
                {
                    ["OnFailure"] = new Dictionary<string, object> { ["Destination"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { failed, "Arn" } } },
                };
            }
            template.HasResourceProperties("AWS::Lambda::EventInvokeConfig", Match.ObjectEquals(expected));
        }
        // EventBridge retries only failed deliveries, as long as the event is worth running.
        template.HasResourceProperties("AWS::Events::Rule", new Dictionary<string, object>
        {
            ["Targets"] = new object[]
            {
                Match.ObjectLike(new Dictionary<string, object>
                {
                    ["RetryPolicy"] = Match.ObjectEquals(new Dictionary<string, object>
                    {
                        ["MaximumRetryAttempts"] = 185,
                        ["MaximumEventAgeInSeconds"] = maxAgeSeconds,
                    }),
                }),
            },
        });
    }

    [Fact]
    public void Functions_All_LogToTheirOwnGroupWithTheConfiguredRetentionAndGoWithTheStack()
    {
        var app = SynthesizedApp.Create(new Dictionary<string, object> { [FunctionSettings.LogRetentionDaysKey] = 30 });
        var forwarder = app.RuleStack.Forwarder!;
        var template = app.RuleTemplate;

        // evaluate, trigger, and the us-east-1 forwarding's custom resource provider: none writes to a group Lambda makes.
        template.ResourceCountIs("AWS::Lambda::Function", 3);
        template.ResourceCountIs("AWS::Logs::LogGroup", 3);
        template.AllResources("AWS::Logs::LogGroup", new Dictionary<string, object>
        {
            ["Properties"] = new Dictionary<string, object> { ["RetentionInDays"] = 30 },
            ["DeletionPolicy"] = "Delete",
            ["UpdateReplacePolicy"] = "Delete",
        });
        foreach (var (function, logGroup) in new[]
                 {
                     (app.RuleStack.Rule.EvaluateFunction.Function, app.RuleStack.Rule.EvaluateFunction.LogGroup),
                     (app.RuleStack.Reevaluation!.TriggerFunction.Function, app.RuleStack.Reevaluation.TriggerFunction.LogGroup),
                     (forwarder.Provider, forwarder.ProviderLogGroup),
                 })
        {
            var properties = app.RuleTemplateJson.GetProperty("Resources").GetProperty(SynthesizedApp.LogicalId(function)).GetProperty("Properties");
            Assert.Equal(SynthesizedApp.LogicalId(logGroup), properties.GetProperty("LoggingConfig").GetProperty("LogGroup").GetProperty("Ref").GetString());
        }
    }

    [Fact]
    public void Reevaluation_Pattern_MatchesExactlyTheVerdictChangingIamCalls()
    {
        var trigger = SynthesizedApp.LogicalId(_app.RuleStack.Reevaluation!.TriggerFunction.Function);

        _app.RuleTemplate.HasResourceProperties("AWS::Events::Rule", new Dictionary<string, object>
        {
            ["EventPattern"] = Match.ObjectEquals(ExpectedPattern),
            ["Targets"] = new object[]
            {
                Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Arn"] = new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { trigger, "Arn" } },
                }),
            },
        });
    }

    [Fact]
    public void Reevaluation_TurnedOff_CreatesNoTriggerAndNoForwarder()
    {
        var app = SynthesizedApp.Create(new Dictionary<string, object> { [RuleSettings.ReevaluationKey] = false });

        Assert.Null(app.RuleStack.Reevaluation);
        Assert.Null(app.RuleStack.Forwarder);
        app.RuleTemplate.ResourceCountIs("AWS::Events::Rule", 0);
        app.RuleTemplate.ResourceCountIs("AWS::Lambda::Function", 1);
    }

    internal static Dictionary<string, object> ExpectedPattern => new()
    {
        ["source"] = new[] { "aws.iam" },
        ["detail-type"] = new[] { "AWS API Call via CloudTrail" },
        ["detail"] = new Dictionary<string, object>
        {
            ["eventSource"] = new[] { "iam.amazonaws.com" },
            ["eventName"] = new[]
            {
                "CreateLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile",
                "EnableMFADevice", "DeactivateMFADevice", "DeleteVirtualMFADevice",
                "CreateUser", "UpdateUser", "DeleteUser", "TagUser", "UntagUser",
            },
        },
    };
}

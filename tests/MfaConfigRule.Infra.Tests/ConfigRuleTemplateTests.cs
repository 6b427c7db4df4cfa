using Amazon.CDK.Assertions;
using MfaConfigRule.Infra.Constructs;
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
            [MfaRuleSettings.FrequencyHoursKey] = 6,
            [MfaRuleSettings.ParametersKey] = new Dictionary<string, object>
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
        var rule = SynthesizedApp.LogicalId(_app.RuleStack.Rule.Rule);
        var logs = SynthesizedApp.LogicalId(_app.RuleStack.Rule.EvaluateFunction.LogGroup);
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
            $"config:GetComplianceDetailsByConfigRule on ${{{rule}.Arn}}",
            $"logs:CreateLogStream on ${{{logs}.Arn}}",
            $"logs:PutLogEvents on ${{{logs}.Arn}}",
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
        // The trigger waits for CloudTrail's event history (minutes behind EventBridge) before re-running the rule.
        template.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Handler"] = "trigger",
            ["Timeout"] = 900,
        });
    }

    [Fact]
    public void Functions_Both_LogToTheirOwnGroupWithTheConfiguredRetention()
    {
        var app = SynthesizedApp.Create(new Dictionary<string, object> { [MfaRuleSettings.LogRetentionDaysKey] = 30 });
        var functions = new[] { ("evaluate", app.RuleStack.Rule.EvaluateFunction), ("trigger", app.RuleStack.Reevaluation!.TriggerFunction) };
        var template = app.RuleTemplate;

        template.ResourceCountIs("AWS::Logs::LogGroup", 2);
        template.AllResourcesProperties("AWS::Logs::LogGroup", new Dictionary<string, object> { ["RetentionInDays"] = 30 });
        foreach (var (handler, function) in functions)
        {
            template.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
            {
                ["Handler"] = handler,
                ["LoggingConfig"] = new Dictionary<string, object>
                {
                    ["LogGroup"] = new Dictionary<string, object> { ["Ref"] = SynthesizedApp.LogicalId(function.LogGroup) },
                },
            });
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
        var app = SynthesizedApp.Create(new Dictionary<string, object> { [MfaRuleSettings.ReevaluationKey] = false });

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

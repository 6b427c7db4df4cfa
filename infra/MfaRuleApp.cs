using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using MfaConfigRule.Infra.Constructs.Organization;
using MfaConfigRule.Infra.Settings;
using MfaConfigRule.Infra.Stacks;

namespace MfaConfigRule.Infra;

/// <summary>The app's one stack, as Program wires it and as the template tests build it.</summary>
internal static class MfaRuleApp
{
    public const string RuleStackName = "MfaConfigRule";
    public const string OrganizationStackName = "MfaConfigRuleOrganization";

    /// <summary>The Organization deployment: one stack in the management account (its StackSet reaches the members).</summary>
    public static MfaConfigRuleOrganizationStack AddOrganizationStack(App app, MfaRuleSettings settings, OrganizationDeployment organization, Code code)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new MfaConfigRuleOrganizationStack(app, OrganizationStackName, new MfaConfigRuleOrganizationStackProps
        {
            Env = new Amazon.CDK.Environment { Account = settings.Account, Region = settings.Region },
            Description = "AWS Config custom rule for the whole Organization: IAM users with a console password must have MFA (CIS 1.10, Security Hub IAM.5)",
            Code = code,
            Settings = settings,
            Organization = organization,
            MemberParts =
            [
                // mfaRule:reevaluation=false: no forwarder in any account, no central bus, queue or trigger (an SCP that
                // denies us-east-1 then costs nothing but the minutes until the periodic run).
                .. settings.Rule.Reevaluation ? new IOrganizationMemberPart[]
                {
                    new OrganizationReevaluation(new OrganizationReevaluationProps
                    {
                        RuleName = settings.Rule.RuleName,
                        Region = settings.Region ?? throw new ArgumentException("the Organization deployment needs the rule's Region"),
                        LogRetention = settings.Functions.LogRetention,
                        TriggerTimeout = settings.Functions.TriggerTimeoutSecondsGiven is { } seconds
                            ? Duration.Seconds(seconds)
                            : OrganizationReevaluation.DefaultTriggerTimeout,
                    }),
                } : [],
                .. settings.SecurityHub.Direct ? new IOrganizationMemberPart[] { new SecurityHubMemberFindings(settings.SecurityHub.FailedSeverity) } : [],
                // Remediation stays off by default.
                .. settings.Remediation.Mode == RemediationMode.Off ? [] : new IOrganizationMemberPart[]
                {
                    new OrganizationRemediation(new OrganizationRemediationProps
                    {
                        RuleName = settings.Rule.RuleName,
                        RuleParameters = settings.Rule.RuleParameters,
                        Action = settings.Remediation.Action,
                        Automatic = settings.Remediation.Automatic,
                        DenyAccessKeys = settings.Remediation.DenyAccessKeys,
                        MaximumAutomaticAttempts = settings.Remediation.MaxAttempts,
                        RetryAttemptSeconds = settings.Remediation.RetrySeconds,
                        LogRetention = settings.Functions.LogRetention,
                        ReservedConcurrency = organization.RemediateReservedConcurrency,
                    }),
                },
            ],
        });
    }

    /// <summary>The Organization deployment with per-account evaluation: the admin stack, its code bucket and the StackSet of the per-account template.</summary>
    public static MfaConfigRuleOrganizationPerAccountStack AddOrganizationPerAccountStack(App app, MfaRuleSettings settings, OrganizationDeployment organization, Code code)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new MfaConfigRuleOrganizationPerAccountStack(app, OrganizationStackName, new MfaConfigRuleOrganizationPerAccountStackProps
        {
            Env = new Amazon.CDK.Environment { Account = settings.Account, Region = settings.Region },
            Description = "AWS Config custom rule for the whole Organization, each account evaluating itself: IAM users with a console password must have MFA (CIS 1.10, Security Hub IAM.5)",
            Code = code,
            Settings = settings,
            Organization = organization,
        });
    }

    /// <summary>The per-account template (<c>-c mfaRule:deployment=account-template</c>), environment-agnostic: it deploys in any account and Region.</summary>
    public static MfaConfigRuleAccountStack AddAccountTemplateStack(App app, MfaRuleSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new MfaConfigRuleAccountStack(app, MfaConfigRuleAccountStack.TemplateName, MfaConfigRuleAccountStack.Props(settings));
    }

    public static MfaConfigRuleStack AddStack(App app, MfaRuleSettings settings, Code code)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Region is null)
            throw new ArgumentException(
                "the Region to deploy the rule to is unknown: use an AWS profile with a Region (AWS_REGION / --profile), " +
                $"or pass -c {MfaRuleSettings.RegionKey}=<region>. The rule is deployed in one Region only: IAM is global.");

        return new MfaConfigRuleStack(app, RuleStackName, new MfaConfigRuleStackProps
        {
            Env = new Amazon.CDK.Environment { Account = settings.Account, Region = settings.Region },
            Description = "AWS Config custom rule: IAM users with a console password must have MFA (CIS 1.10, Security Hub IAM.5)",
            Code = code,
            Settings = settings,
        });
    }
}

using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using MfaConfigRule.Infra.Constructs;
using MfaConfigRule.Infra.Stacks;

namespace MfaConfigRule.Infra;

/// <summary>The stacks of the app, as Program wires them and as the template tests build them.</summary>
internal static class MfaRuleApp
{
    public const string RuleStackName = "MfaConfigRule";
    public const string ForwarderStackName = "MfaConfigRuleIamEvents";

    public static (MfaConfigRuleStack Rule, IamEventForwarderStack? Forwarder) AddStacks(App app, MfaRuleSettings settings, Code code)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Region is null)
            throw new ArgumentException(
                "the Region to deploy the rule to is unknown: use an AWS profile with a Region (AWS_REGION / --profile), " +
                $"or pass -c {MfaRuleSettings.RegionKey}=<region>. The rule is deployed in one Region only: IAM is global.");

        var rule = new MfaConfigRuleStack(app, RuleStackName, new MfaConfigRuleStackProps
        {
            Env = new Amazon.CDK.Environment { Account = settings.Account, Region = settings.Region },
            Description = "AWS Config custom rule: IAM users with a console password must have MFA (CIS 1.10, Security Hub IAM.5)",
            Code = code,
            Settings = settings,
        });

        IamEventForwarderStack? forwarder = null;
        if (settings.Reevaluation && settings.Region != IamUserChangeEvents.EventRegion)
        {
            forwarder = new IamEventForwarderStack(app, ForwarderStackName, new IamEventForwarderStackProps
            {
                Env = new Amazon.CDK.Environment { Account = settings.Account, Region = IamUserChangeEvents.EventRegion },
                Description = $"Forwards IAM user change events from us-east-1 to {settings.Region}, where the MFA Config rule runs",
                TargetRegion = settings.Region,
            });
        }
        return (rule, forwarder);
    }
}

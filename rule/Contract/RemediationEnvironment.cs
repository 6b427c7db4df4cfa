namespace MfaConfigRule.Contract;

/// <summary>The remediate function's environment, named once for the rule and for the CDK app that sets it.</summary>
internal static class RemediationEnvironment
{
    public const string Action = "REMEDIATION_ACTION";
    public const string EnforcementPolicyArn = "ENFORCEMENT_POLICY_ARN";
    public const string RuleParameters = "RULE_PARAMETERS";
}

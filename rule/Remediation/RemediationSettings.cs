using MfaConfigRule.Compliance;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Remediation;

/// <summary>
/// What the deployment enabled, from the function's environment (set by the CDK app): the one action, the enforcement
/// policy's ARN (EnforceMfa only) and the deployed rule's parameters, so remediation judges a user exactly as the rule does.
/// </summary>
internal sealed record RemediationSettings(RemediationAction Action, string? EnforcementPolicyArn, RuleParameters Parameters)
{
    public const string ActionVariable = RemediationEnvironment.Action;
    public const string EnforcementPolicyArnVariable = RemediationEnvironment.EnforcementPolicyArn;
    public const string RuleParametersVariable = RemediationEnvironment.RuleParameters;

    /// <summary>
    /// The same settings in another account of an Organization, whose member stack holds the enforcement policy under the
    /// same path and name: only the ARN's account changes.
    /// </summary>
    public RemediationSettings InAccount(string accountId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        if (EnforcementPolicyArn is not { } arn) return this;
        var parts = arn.Split(':', 6);
        if (parts.Length != 6) throw new RemediationSettingsException($"{EnforcementPolicyArnVariable} '{arn}' is not an ARN");
        parts[4] = accountId;
        return this with { EnforcementPolicyArn = string.Join(':', parts) };
    }

    /// <summary>Throws <see cref="RemediationSettingsException"/> naming the variable that is missing or wrong.</summary>
    public static RemediationSettings FromEnvironment(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var actionText = environment.Get(ActionVariable);
        if (!RemediationActionNames.TryParse(actionText, out var action))
            throw new RemediationSettingsException(
                $"{ActionVariable} is '{actionText}'; the remediate entry needs {string.Join(" or ", RemediationActionNames.All)}");

        var policyArn = environment.Get(EnforcementPolicyArnVariable)?.Trim();
        if (action == RemediationAction.EnforceMfa
            && (string.IsNullOrEmpty(policyArn) || !policyArn.StartsWith("arn:", StringComparison.Ordinal) || !policyArn.Contains(":policy/", StringComparison.Ordinal)))
            throw new RemediationSettingsException(
                $"{EnforcementPolicyArnVariable} is '{policyArn}'; EnforceMfa needs the ARN of the stack's enforcement policy (arn:...:policy/...)");

        RuleParameters parameters;
        try
        {
            parameters = RuleParameters.ParseJson(environment.Get(RuleParametersVariable));
        }
        catch (RuleParametersException e)
        {
            throw new RemediationSettingsException($"{RuleParametersVariable}: {e.Message}");
        }
        return new RemediationSettings(action, action == RemediationAction.EnforceMfa ? policyArn : null, parameters);
    }
}

/// <summary>The function is deployed wrong; reported as its init error.</summary>
internal sealed class RemediationSettingsException(string message) : Exception(message);

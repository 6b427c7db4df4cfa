using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using MfaConfigRule.Contract;
using MfaConfigRule.Hosting;
using MfaConfigRule.Organization;
using MfaConfigRule.Remediation;
using MfaConfigRule.SecurityHub;

namespace MfaConfigRule.Functions;

/// <summary>
/// What the functions read from their environment at init, each through <see cref="FunctionFailures"/>: a missing or bad
/// value fails the function's start-up with <c>Runtime.InvalidConfiguration</c>, naming it.
/// </summary>
internal sealed class FunctionEnvironment(IEnvironmentVariables environment, TimeProvider time)
{
    public const string ConfigRuleNameVariable = "CONFIG_RULE_NAME";
    public const string RegionVariable = "AWS_REGION";

    public string? Get(string name) => environment.Get(name);

    /// <summary>The options every client of this function starts from, in its own Region.</summary>
    public AwsClientOptions ClientOptions()
    {
        var region = environment.Get(RegionVariable);
        if (string.IsNullOrWhiteSpace(region)) throw FunctionFailures.Misconfigured($"{RegionVariable} is not set");
        return new AwsClientOptions { Region = region, Environment = environment, TimeProvider = time };
    }

    public AwsClients Clients() => AwsClients.Create(ClientOptions());

    /// <summary>The Organization the central evaluate and trigger functions serve, null in a single account.</summary>
    public OrganizationSettings? Organization() =>
        FunctionFailures.Configured<OrganizationSettings?, OrganizationSettingsException>(() => OrganizationSettings.FromEnvironment(environment));

    /// <summary>The Organization the central remediate function serves, null in a single account.</summary>
    public MemberRemediationSettings? MemberRemediation() =>
        FunctionFailures.Configured<MemberRemediationSettings?, OrganizationSettingsException>(() => MemberRemediationSettings.FromEnvironment(environment));

    public RemediationSettings Remediation() =>
        FunctionFailures.Configured<RemediationSettings, RemediationSettingsException>(() => RemediationSettings.FromEnvironment(environment));

    /// <summary>Whether the evaluate function files its head counts per account (<see cref="RuleMetrics.AccountMetricsVariable"/>).</summary>
    public bool AccountMetrics() =>
        FunctionFailures.Configured<bool, ArgumentException>(() => RuleMetrics.ParseAccountMetrics(environment.Get(RuleMetrics.AccountMetricsVariable)));

    /// <summary>The direct Security Hub export's options, null when it is off.</summary>
    public ExportOptions? SecurityHub() =>
        FunctionFailures.Configured<ExportOptions?, ArgumentException>(() => SecurityHubExport.OptionsFrom(environment));
}

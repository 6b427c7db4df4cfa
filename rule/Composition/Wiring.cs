using MfaConfigRule.Config;
using MfaConfigRule.Iam;
using MfaConfigRule.Remediation;
using MfaConfigRule.CloudTrail;
using MfaConfigRule.ConfigEvents;
using MfaConfigRule.Trigger;
using MfaConfigRule.SecurityHub;

namespace MfaConfigRule.Composition;

/// <summary>
/// The one place the rule's handlers are built from clients, for every front door: the Lambda functions, the CLI verbs
/// and the Organization's member wiring (which hands in a member's clients). Tests build their own over fakes.
/// </summary>
internal static class Wiring
{
    /// <summary>The reader of one account's users: IAM for their credentials, CloudTrail for what changed since the report.</summary>
    public static UserAssessor Assessor(IIamClient iam, ICloudTrailClient cloudTrail, TimeProvider time, AssessorOptions? options = null) =>
        new(iam, cloudTrail, time, options ?? new AssessorOptions());

    /// <summary>The Config rule's dispatcher: it reads through the assessor and writes through the reporter, both in one account.</summary>
    public static ConfigRuleHandler ConfigRuleHandler(IIamClient iam, ICloudTrailClient cloudTrail, IConfigClient config, TimeProvider time) =>
        new(Assessor(iam, cloudTrail, time), new EvaluationReporter(config, time, new ReporterOptions()), config, time, new HandlerOptions());

    public static ConfigRuleHandler ConfigRuleHandler(AwsClients aws, TimeProvider time) => ConfigRuleHandler(aws.Iam, aws.CloudTrail, aws.Config, time);

    /// <summary>The re-evaluation trigger of the Config rule named <paramref name="ruleName"/>.</summary>
    public static TriggerHandler TriggerHandler(AwsClients aws, TimeProvider time, string ruleName, TriggerOptions? options = null) =>
        new(aws.Config, aws.CloudTrail, aws.Iam, time, options ?? new TriggerOptions(), ruleName);

    /// <summary>Remediation in the account of <paramref name="aws"/>, re-reading a user before it changes anything.</summary>
    public static Remediator Remediator(AwsClients aws, TimeProvider time, RemediationSettings settings) =>
        new(aws.Iam, aws.PolicyAttachments, Assessor(aws.Iam, aws.CloudTrail, time), time, settings);

    /// <summary>The direct Security Hub export into the account and Region of <paramref name="aws"/>.</summary>
    public static SecurityHubExport SecurityHubExport(AwsClients aws, FindingExporter findings) =>
        new(SecurityHubClient.Create(aws), findings, aws.Endpoints.Region);
}

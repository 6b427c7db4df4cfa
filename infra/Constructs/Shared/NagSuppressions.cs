using Amazon.CDK;

namespace MfaConfigRule.Infra.Constructs.Shared;

/// <summary>One cdk-nag finding that is accepted on purpose, and why.</summary>
/// <param name="Id">The rule, e.g. <c>AwsSolutions-IAM5</c>.</param>
/// <param name="Reason">Shown in reviews; cdk-nag requires at least 10 characters.</param>
/// <param name="AppliesTo">For granular rules, the exact findings (e.g. <c>Resource::*</c>); empty accepts every finding of the rule.</param>
internal sealed record NagSuppression(string Id, string Reason, params string[] AppliesTo);

/// <summary>
/// Writes cdk-nag suppressions into the template as resource metadata (<c>Metadata.cdk_nag.rules_to_suppress</c>),
/// the format cdk-nag itself writes and reads back, so the checks in infra/nag/check-nag.js, which load the synthesized
/// templates, honour them. The .NET cdk-nag package is not available here, hence no NagSuppressions class to call.
/// </summary>
internal static class NagSuppressions
{
    /// <summary>Sets the suppressions of one resource; call once per resource with all of them.</summary>
    public static void Suppress(CfnResource resource, params NagSuppression[] suppressions)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var rules = suppressions.Select(s =>
        {
            if (s.Reason.Length < 10) throw new ArgumentException($"the reason for suppressing {s.Id} is too short to be a reason");
            var rule = new Dictionary<string, object> { ["id"] = s.Id, ["reason"] = s.Reason };
            if (s.AppliesTo.Length > 0) rule["applies_to"] = s.AppliesTo;
            return rule;
        }).ToArray();
        resource.AddMetadata("cdk_nag", new Dictionary<string, object> { ["rules_to_suppress"] = rules });
    }
}

using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;
using MfaConfigRule.SecurityHub;

namespace MfaConfigRule.Infra.Constructs;

internal interface ISecurityHubFindingsProps
{
    /// <summary>The evaluate function: it imports the findings after writing its Config verdicts.</summary>
    MfaRuleFunction EvaluateFunction { get; }

    /// <summary>Severity label of FAILED findings: LOW, MEDIUM, HIGH or CRITICAL.</summary>
    string FailedSeverity { get; }
}

internal sealed class SecurityHubFindingsProps : ISecurityHubFindingsProps
{
    public required MfaRuleFunction EvaluateFunction { get; init; }
    public required string FailedSeverity { get; init; }
}

/// <summary>
/// The opt-in direct export of findings to Security Hub (<c>-c mfaRule:securityHubFindings=direct</c>): switches it on in
/// the evaluate function's environment and lets its role call <c>securityhub:BatchImportFindings</c> on this account's
/// default product in this Region, and nothing else.
/// </summary>
internal sealed class SecurityHubFindings : Construct
{
    public SecurityHubFindings(Construct scope, string id, ISecurityHubFindingsProps props)
        : base(scope, id)
    {
        ArgumentNullException.ThrowIfNull(props);
        var function = props.EvaluateFunction;
        function.Function.AddEnvironment(SecurityHubSettings.ModeVariable, SecurityHubSettings.DirectMode);
        function.Function.AddEnvironment(SecurityHubSettings.FailedSeverityVariable, props.FailedSeverity);

        ProductArn = $"arn:{Aws.PARTITION}:securityhub:{Aws.REGION}:{Aws.ACCOUNT_ID}:product/{Aws.ACCOUNT_ID}/default";
        // Service Authorization Reference: BatchImportFindings takes the "product" resource. The account's default
        // product is the custom integration every account may import its own findings into.
        Policy = new Policy(this, "ImportFindings", new PolicyProps
        {
            Roles = [function.Role],
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Sid = "ImportOwnFindings",
                    Actions = ["securityhub:BatchImportFindings"],
                    Resources = [ProductArn],
                }),
            ],
        });
    }

    /// <summary>This account's default product in the rule's Region.</summary>
    public string ProductArn { get; }

    public Policy Policy { get; }
}

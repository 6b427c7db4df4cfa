using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;
using MfaConfigRule.Contract;
using MfaConfigRule.Infra.Constructs.Shared;

namespace MfaConfigRule.Infra.Constructs.SecurityHub;

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
        SwitchOn(function, props.FailedSeverity);
        ProductArn = OwnProductArn;
        Policy = new Policy(this, "ImportFindings", new PolicyProps
        {
            Roles = [function.Role],
            Statements = [ImportOwnFindings()],
        });
    }

    /// <summary>The account's own default product in the stack's Region: the account the template is deployed in, member accounts included.</summary>
    internal static string OwnProductArn => $"arn:{Aws.PARTITION}:securityhub:{Aws.REGION}:{Aws.ACCOUNT_ID}:product/{Aws.ACCOUNT_ID}/default";

    /// <summary>Turns the export on in an evaluate function's environment (the single-account one or the Organization's central one).</summary>
    internal static void SwitchOn(MfaRuleFunction function, string failedSeverity)
    {
        ArgumentNullException.ThrowIfNull(function);
        function.Function.AddEnvironment(SecurityHubSettings.ModeVariable, SecurityHubSettings.DirectMode);
        function.Function.AddEnvironment(SecurityHubSettings.FailedSeverityVariable, failedSeverity);
    }

    /// <summary>
    /// The one permission the export needs, for whoever signs the import in an account: the evaluate role there, or in
    /// an Organization the member role the central function assumes. Service Authorization Reference: BatchImportFindings
    /// takes the "product" resource; the account's default product is the custom integration every account may import
    /// its own findings into.
    /// </summary>
    internal static PolicyStatement ImportOwnFindings() => new(new PolicyStatementProps
    {
        Sid = "ImportOwnFindings",
        Actions = ["securityhub:BatchImportFindings"],
        Resources = [OwnProductArn],
    });

    /// <summary>This account's default product in the rule's Region.</summary>
    public string ProductArn { get; }

    public Policy Policy { get; }
}

namespace MfaConfigRule.Infra.Constructs.Organization;

/// <summary>
/// A value from the admin account that every member's pieces need (the ARN of a central function or role, the
/// Organization's ID). In the StackSet's member template it is a parameter of this name, which the StackSet passes; in
/// the admin account's own member pieces it is the admin stack's value itself (<see cref="OrganizationMember.Central"/>).
/// </summary>
internal sealed record CentralValue(string ParameterName, string Description, string AllowedPattern)
{
    public static CentralValue EvaluateFunctionArn { get; } = new(
        "CentralFunctionArn", "The central evaluate function in the admin account",
        "^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:.+$");

    public static CentralValue EvaluateRoleArn { get; } = new(
        "CentralRoleArn", "The central evaluate function's role, the only principal the member role trusts",
        "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$");

    public static CentralValue OrganizationId { get; } = new(
        "OrganizationId", "The Organization's ID, for conditions that admit only its principals (aws:PrincipalOrgID)",
        "^o-[a-z0-9]{10,32}$");
}

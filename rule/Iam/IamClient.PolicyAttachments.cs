using MfaConfigRule.Aws;

namespace MfaConfigRule.Iam;

/// <summary>The remediation's IAM calls, over the same Query client and paging as the reads.</summary>
internal sealed partial class IamClient : IIamPolicyAttachments
{
    public Task<IReadOnlyList<string>> ListAttachedUserPolicyArnsAsync(string userName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        return ListAllAsync("ListAttachedUserPolicies", "AttachedPolicies", [new("UserName", userName), new("MaxItems", LargestPage)],
            member => member.RequiredText("PolicyArn"), cancellationToken);
    }

    public Task AttachUserPolicyAsync(string userName, string policyArn, CancellationToken cancellationToken) =>
        WriteAsync("AttachUserPolicy", [new("UserName", userName), new("PolicyArn", policyArn)], cancellationToken);

    public Task DetachUserPolicyAsync(string userName, string policyArn, CancellationToken cancellationToken) =>
        WriteAsync("DetachUserPolicy", [new("UserName", userName), new("PolicyArn", policyArn)], cancellationToken);

    public Task<IReadOnlyList<PolicyUser>> ListUsersWithPolicyAsync(string policyArn, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(policyArn);
        return ListAllAsync("ListEntitiesForPolicy", "PolicyUsers",
            [new("PolicyArn", policyArn), new("EntityFilter", "User"), new("MaxItems", LargestPage)],
            member => new PolicyUser(member.RequiredText("UserName"), member.RequiredText("UserId")), cancellationToken);
    }

    public Task DeleteLoginProfileAsync(string userName, CancellationToken cancellationToken) =>
        WriteAsync("DeleteLoginProfile", [new("UserName", userName)], cancellationToken);

    private async Task WriteAsync(string action, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in parameters) ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        await _query.InvokeAsync(action, parameters, _ => true, cancellationToken).ConfigureAwait(false);
    }
}

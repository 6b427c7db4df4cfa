namespace MfaConfigRule.Iam;

/// <summary>
/// The IAM writes remediation makes, and the reads it needs to make them safely. Separate from <see cref="IIamClient"/>
/// (the evaluation's reads), so the code that evaluates cannot reach a write.
/// </summary>
internal interface IIamPolicyAttachments
{
    /// <summary>ListAttachedUserPolicies, every page: the ARNs of the managed policies attached to the user.</summary>
    Task<IReadOnlyList<string>> ListAttachedUserPolicyArnsAsync(string userName, CancellationToken cancellationToken);

    /// <summary>AttachUserPolicy. Throws <see cref="Aws.AwsServiceException"/> with LimitExceeded (the user's managed-policy quota), NoSuchEntity.</summary>
    Task AttachUserPolicyAsync(string userName, string policyArn, CancellationToken cancellationToken);

    /// <summary>DetachUserPolicy. Throws with NoSuchEntity when the policy is not attached or the user is gone.</summary>
    Task DetachUserPolicyAsync(string userName, string policyArn, CancellationToken cancellationToken);

    /// <summary>ListEntitiesForPolicy with EntityFilter=User, every page: the users the policy is attached to.</summary>
    Task<IReadOnlyList<PolicyUser>> ListUsersWithPolicyAsync(string policyArn, CancellationToken cancellationToken);

    /// <summary>DeleteLoginProfile. Throws with NoSuchEntity when the user has no console password (or is gone).</summary>
    Task DeleteLoginProfileAsync(string userName, CancellationToken cancellationToken);
}

/// <summary>A user a managed policy is attached to, as ListEntitiesForPolicy names it.</summary>
internal sealed record PolicyUser(string UserName, string UserId);

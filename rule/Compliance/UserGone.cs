namespace MfaConfigRule.Compliance;

/// <summary>
/// The one definition of "the user no longer exists": NOT_APPLICABLE, with <see cref="Evaluation.UserVanished"/> set so
/// everything downstream (the Security Hub finding) knows it from the verdict, never from its text. Three sources learn
/// it, each in its own words for the annotation: IAM has no user with the ID (the change path, or a deletion during a
/// sweep), Config holds a result for a user the sweep no longer lists, or the configuration item says Config recorded
/// the user's deletion.
/// </summary>
internal static class UserGone
{
    /// <summary>IAM has no user with the ID: the change path, explain, remediation, a deletion during a sweep.</summary>
    public const string Annotation = "The user no longer exists.";

    /// <summary>A sweep's clean-up of a COMPLIANT or NON_COMPLIANT result Config holds for a user no longer listed.</summary>
    public const string HeldResultAnnotation = "The user no longer exists; its earlier result no longer applies.";

    /// <summary>The configuration item statuses with which Config says it recorded the resource's deletion.</summary>
    public static bool IsDeletedItemStatus(string? status) => status is "ResourceDeleted" or "ResourceDeletedNotRecorded";

    /// <summary>The verdict for a user IAM has no user for (by ID).</summary>
    public static Assessment Assessment(IamUser user) =>
        new(user, ComplianceType.NotApplicable, Annotation, MissingEvidence.None, null, null) { UserVanished = true };

    /// <summary>The clean-up of what Config holds for a user the sweep no longer lists.</summary>
    public static Evaluation HeldResult(string userId, DateTimeOffset orderingTimestamp) =>
        Evaluation.ForUser(userId, ComplianceType.NotApplicable, HeldResultAnnotation, orderingTimestamp) with { UserVanished = true };

    /// <summary>A change notification whose configuration item status says the user was deleted.</summary>
    public static Evaluation DeletedItem(string userId, string status, DateTimeOffset orderingTimestamp) =>
        Evaluation.ForUser(userId, ComplianceType.NotApplicable, ItemStatusAnnotation(status), orderingTimestamp) with { UserVanished = true };

    /// <summary>The annotation of a change notification whose item status is not one the rule evaluates (deleted or not recorded).</summary>
    public static string ItemStatusAnnotation(string status) => $"Configuration item status {status}: the user is deleted or not recorded.";
}

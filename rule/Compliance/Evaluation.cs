namespace MfaConfigRule.Compliance;

/// <summary>
/// One verdict for one resource, as PutEvaluations takes it. Validated when built: the resource type and id are
/// present, the annotation fits Config's 256-character limit, and the ordering timestamp is always set.
/// </summary>
internal sealed record Evaluation
{
    public const int MaxAnnotationLength = 256;
    public const string UserResourceType = "AWS::IAM::User";
    private const string TruncationMark = " [truncated]";

    public Evaluation(string resourceType, string resourceId, ComplianceType compliance, string annotation, DateTimeOffset orderingTimestamp)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceType);
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceId);
        if (resourceType.Length > 256) throw new ArgumentException("resource type longer than 256 characters", nameof(resourceType));
        if (resourceId.Length > 768) throw new ArgumentException("resource id longer than 768 characters", nameof(resourceId));
        if (!Enum.IsDefined(compliance)) throw new ArgumentOutOfRangeException(nameof(compliance));
        if (orderingTimestamp == default) throw new ArgumentException("ordering timestamp is required", nameof(orderingTimestamp));
        ResourceType = resourceType;
        ResourceId = resourceId;
        Compliance = compliance;
        Annotation = Truncate(annotation ?? string.Empty);
        OrderingTimestamp = orderingTimestamp;
    }

    public string ResourceType { get; }
    public string ResourceId { get; }
    public ComplianceType Compliance { get; }
    public string Annotation { get; }
    public DateTimeOffset OrderingTimestamp { get; }

    public static Evaluation ForUser(string userId, ComplianceType compliance, string annotation, DateTimeOffset orderingTimestamp) =>
        new(UserResourceType, userId, compliance, annotation, orderingTimestamp);

    internal static string Truncate(string annotation) =>
        annotation.Length <= MaxAnnotationLength
            ? annotation
            : string.Concat(annotation.AsSpan(0, MaxAnnotationLength - TruncationMark.Length), TruncationMark);
}

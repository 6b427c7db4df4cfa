namespace MfaConfigRule.Compliance;

/// <summary>
/// One verdict for one resource, as PutEvaluations takes it. Validated when built: the resource type and id are
/// present, the annotation fits Config's 256-character limit, and the ordering timestamp is always set.
/// </summary>
internal sealed record Evaluation
{
    public const int MaxAnnotationLength = 256;

    /// <summary>PutEvaluations takes a ComplianceResourceId of 1 to 768 characters.</summary>
    public const int MaxResourceIdLength = 768;
    public const string UserResourceType = "AWS::IAM::User";
    private const string TruncationMark = " [truncated]";

    public Evaluation(string resourceType, string resourceId, ComplianceType compliance, string annotation, DateTimeOffset orderingTimestamp)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceType);
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceId);
        if (resourceType.Length > 256) throw new ArgumentException("resource type longer than 256 characters", nameof(resourceType));
        if (resourceId.Length > MaxResourceIdLength) throw new ArgumentException($"resource id longer than {MaxResourceIdLength} characters", nameof(resourceId));
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

    /// <summary>
    /// The verdict is that the user no longer exists (<see cref="UserGone"/>). Not sent to Config; the Security Hub
    /// finding reads it, so it never has to recognise the annotation's text.
    /// </summary>
    public bool UserVanished { get; init; }

    public static Evaluation ForUser(string userId, ComplianceType compliance, string annotation, DateTimeOffset orderingTimestamp) =>
        new(UserResourceType, userId, compliance, annotation, orderingTimestamp);

    internal static string Truncate(string annotation) =>
        annotation.Length <= MaxAnnotationLength
            ? annotation
            : string.Concat(annotation.AsSpan(0, CutAt(annotation, MaxAnnotationLength - TruncationMark.Length)), TruncationMark);

    /// <summary>
    /// Where to cut <paramref name="text"/> to at most <paramref name="length"/> characters without splitting a surrogate
    /// pair (a tag value may hold letters outside the Basic Multilingual Plane; half of one is not text, and JSON
    /// serialisers refuse or mangle it).
    /// </summary>
    internal static int CutAt(string text, int length) =>
        length > 0 && length < text.Length && char.IsHighSurrogate(text[length - 1]) && char.IsLowSurrogate(text[length]) ? length - 1 : length;
}

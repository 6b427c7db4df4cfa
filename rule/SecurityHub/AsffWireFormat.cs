using System.Text.Json.Serialization;

namespace MfaConfigRule.SecurityHub;

// The AWS Security Finding Format (ASFF, schema 2018-10-08) members this rule writes, named as on the wire, and the
// BatchImportFindings request and response. Timestamps are RFC 3339 strings, as ASFF takes them (not epoch numbers).

internal sealed record AsffFinding
{
    public required string SchemaVersion { get; init; }
    public required string Id { get; init; }
    public required string ProductArn { get; init; }
    public string? ProductName { get; init; }
    public required string GeneratorId { get; init; }
    public required string AwsAccountId { get; init; }
    public required IReadOnlyList<string> Types { get; init; }
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }
    public string? LastObservedAt { get; init; }
    public required string Title { get; init; }
    public required string Description { get; init; }
    public AsffRemediation? Remediation { get; init; }
    public string? SourceUrl { get; init; }
    public IReadOnlyDictionary<string, string>? ProductFields { get; init; }
    public required IReadOnlyList<AsffResource> Resources { get; init; }
    public required AsffCompliance Compliance { get; init; }
    public required string RecordState { get; init; }
    public required AsffFindingProviderFields FindingProviderFields { get; init; }
}

internal sealed record AsffRemediation(AsffRecommendation Recommendation);

internal sealed record AsffRecommendation(string Text, string Url);

internal sealed record AsffResource
{
    public required string Type { get; init; }
    public required string Id { get; init; }
    public string? Partition { get; init; }
    public string? Region { get; init; }
    public AsffResourceDetails? Details { get; init; }
}

internal sealed record AsffResourceDetails(AsffIamUserDetails AwsIamUser);

internal sealed record AsffIamUserDetails
{
    public string? UserName { get; init; }
    public required string UserId { get; init; }
    public string? Path { get; init; }
    public string? CreateDate { get; init; }
}

internal sealed record AsffCompliance(string Status, IReadOnlyList<string> RelatedRequirements);

internal sealed record AsffFindingProviderFields(AsffSeverity Severity, IReadOnlyList<string> Types);

internal sealed record AsffSeverity(string Label, string? Original);

internal sealed record BatchImportFindingsRequest(IReadOnlyList<AsffFinding> Findings);

internal sealed record BatchImportFindingsResponse(int? FailedCount, int? SuccessCount, IReadOnlyList<WireImportFindingsError>? FailedFindings);

internal sealed record WireImportFindingsError(string? Id, string? ErrorCode, string? ErrorMessage);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AsffFinding))]
[JsonSerializable(typeof(BatchImportFindingsRequest))]
[JsonSerializable(typeof(BatchImportFindingsResponse))]
internal sealed partial class AsffJsonContext : JsonSerializerContext;

namespace MfaConfigRule.CloudTrail;

/// <summary>CloudTrail LookupEvents (JSON 1.1, target prefix com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101).</summary>
internal interface ICloudTrailClient
{
    /// <summary>LookupEvents with one lookup attribute between two times, every page, oldest first.</summary>
    Task<IReadOnlyList<CloudTrailEvent>> LookupEventsAsync(string attributeKey, string attributeValue, DateTimeOffset startTime, DateTimeOffset endTime, CancellationToken cancellationToken);
}

using MfaConfigRule.Tests.Aws;

namespace MfaConfigRule.Tests.CloudTrail;

public sealed class CloudTrailClientTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1795800000);
    private static readonly DateTimeOffset End = DateTimeOffset.FromUnixTimeMilliseconds(1795900000500);

    [Fact]
    public async Task LookupEvents_TwoPages_ReturnsEveryEventOldestFirst()
    {
        using var aws = new AwsTestContext(region: "us-east-1");
        aws.Handler.RespondJson(Fixture.Read("CloudTrail/LookupEvents.page1.json")).RespondJson(Fixture.Read("CloudTrail/LookupEvents.page2.json"));

        var events = await aws.Clients.CloudTrail.LookupEventsAsync("ResourceName", "Bob", Start, End, CancellationToken.None);

        Assert.Equal(["CreateUser", "CreateLoginProfile", "EnableMFADevice"], events.Select(e => e.EventName));
        var enable = events[2];
        Assert.Equal(("3f2c8a51-0b9e-4c1d-9a6e-5d7b2e8f1c04", DateTimeOffset.FromUnixTimeSeconds(1795897500), "iam.amazonaws.com"),
            (enable.EventId, enable.EventTime, enable.EventSource));
        Assert.Equal(["Bob", "arn:aws:iam::123456789012:mfa/Bob"], enable.ResourceNames);
        Assert.Contains("\"eventName\":\"EnableMFADevice\"", enable.CloudTrailEventJson, StringComparison.Ordinal);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795897200), events[1].EventTime);
    }

    [Fact]
    public async Task LookupEvents_Request_CarriesTheAttributeTimesAndPageSize()
    {
        using var aws = new AwsTestContext(region: "us-east-1");
        aws.Handler.RespondJson(Fixture.Read("CloudTrail/LookupEvents.page1.json")).RespondJson(Fixture.Read("CloudTrail/LookupEvents.page2.json"));

        await aws.Clients.CloudTrail.LookupEventsAsync("ResourceName", "Bob", Start, End, CancellationToken.None);

        var first = aws.Handler.Requests[0];
        Assert.Equal(new Uri("https://cloudtrail.us-east-1.amazonaws.com/"), first.Uri);
        Assert.Equal("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", first.Header("X-Amz-Target"));
        Assert.Equal("""{"LookupAttributes":[{"AttributeKey":"ResourceName","AttributeValue":"Bob"}],"MaxResults":50,"StartTime":1795800000,"EndTime":1795900000.5}""", first.BodyText);
        Assert.StartsWith("kbOt5LlZe++mErCebpy2", aws.Handler.Requests[1].Json.GetProperty("NextToken").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, aws.Clients.Calls.Snapshot()["cloudtrail:LookupEvents"]);
    }

    [Fact]
    public async Task LookupEvents_EndBeforeStart_ThrowsBeforeSending()
    {
        using var aws = new AwsTestContext();

        await Assert.ThrowsAsync<ArgumentException>(() => aws.Clients.CloudTrail.LookupEventsAsync("Username", "Bob", End, Start, CancellationToken.None));
        Assert.Empty(aws.Handler.Requests);
    }
}

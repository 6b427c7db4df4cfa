using MfaConfigRule.CloudTrail;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.CloudTrail;

/// <summary>Which user a CloudTrail record says an IAM call acted on.</summary>
public sealed class CloudTrailEventTests
{
    private static CloudTrailEvent Event(string? json, params string[] resources) =>
        new("id-1", "DeleteLoginProfile", Now, "iam.amazonaws.com", resources, json);

    [Fact]
    public void RequestUserName_RequestParametersUserName_IsTheOneName()
    {
        var trailEvent = TrailEvent("DeleteLoginProfile", "alice", Now) with { ResourceNames = ["alice", "arn:aws:iam::123456789012:mfa/alice", "other"] };

        Assert.Equal("alice", trailEvent.RequestUserName());
    }

    [Fact]
    public void RequestUserName_DeviceRecordNamingOnlyTheSerial_NamesNoUser()
    {
        // A hardware serial looks like a user name; taking it as one would mark a "user" GAHT12345678 and not the user.
        var trailEvent = Event("""{"eventName":"DeactivateMFADevice","requestParameters":{"serialNumber":"GAHT12345678"}}""",
            "GAHT12345678", "arn:aws:iam::123456789012:mfa/bob");

        Assert.Null(trailEvent.RequestUserName());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{not json")]
    [InlineData("""{"requestParameters":null}""")]
    [InlineData("""{"requestParameters":{"userName":42}}""")]
    [InlineData("""{"requestParameters":{"userName":""}}""")]
    [InlineData("[]")]
    public void RequestUserName_RecordWithoutAUsableUserName_NamesNoUserEvenWithResources(string? json)
    {
        Assert.Null(Event(json, "carol").RequestUserName());
    }
}

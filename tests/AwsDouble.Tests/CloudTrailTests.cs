using System.Net;
using System.Text.Json.Nodes;
using AwsDouble.Iam;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>State-changing IAM calls land in CloudTrail's event history, late, in us-east-1, newest first.</summary>
public sealed class CloudTrailTests : DoubleTest
{
    private static readonly TimeSpan Lag = new AwsDoubleOptions().CloudTrailLag;

    [Fact]
    public async Task IamChange_IsVisibleToLookupEventsOnlyAfterTheLag()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));

        var early = await LookupAsync(("EventName", "CreateUser"));
        Clock.Advance(Lag);
        var late = await LookupAsync(("EventName", "CreateUser"));

        Assert.Empty(Events(early));
        var e = Assert.Single(Events(late));
        Assert.Equal("iam.amazonaws.com", e["EventSource"]!.GetValue<string>());
        Assert.Equal("root", e["Username"]!.GetValue<string>());
        Assert.Equal("alice", e["Resources"]![0]!["ResourceName"]!.GetValue<string>());
        Assert.Equal(DoubleClock.DefaultStart.ToUnixTimeSeconds(), e["EventTime"]!.GetValue<double>());
        var record = JsonNode.Parse(e["CloudTrailEvent"]!.GetValue<string>())!;
        Assert.Equal("alice", record["requestParameters"]!["userName"]!.GetValue<string>());
        Assert.Equal("us-east-1", record["awsRegion"]!.GetValue<string>());
    }

    [Fact]
    public async Task EveryStateChangingIamCall_IsRecordedUnderItsOperationName()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));
        await Aws.IamAsync("TagUser", ("UserName", "alice"), ("Tags.member.1.Key", "team"), ("Tags.member.1.Value", "ops"));
        await Aws.IamAsync("UntagUser", ("UserName", "alice"), ("TagKeys.member.1", "team"));
        await Aws.IamAsync("CreateLoginProfile", ("UserName", "alice"), ("Password", "Correct-Horse-1"));
        await Aws.IamAsync("UpdateLoginProfile", ("UserName", "alice"), ("Password", "Correct-Horse-2"));
        var serial = (await Aws.IamAsync("CreateVirtualMFADevice", ("VirtualMFADeviceName", "alice"))).Value("SerialNumber")!;
        var (code1, code2) = Totp.ConsecutiveCodes(Account.VirtualMfaDevices.Single().Base32Seed, Clock.GetUtcNow());
        await Aws.IamAsync("EnableMFADevice", ("UserName", "alice"), ("SerialNumber", serial), ("AuthenticationCode1", code1), ("AuthenticationCode2", code2));
        await Aws.IamAsync("DeactivateMFADevice", ("UserName", "alice"), ("SerialNumber", serial));
        await Aws.IamAsync("DeleteVirtualMFADevice", ("SerialNumber", serial));
        await Aws.IamAsync("DeleteLoginProfile", ("UserName", "alice"));
        await Aws.IamAsync("DeleteUser", ("UserName", "alice"));
        await Aws.IamAsync("ListUsers");
        await Aws.IamAsync("GetUser", ("UserName", "nobody"));

        Assert.Equal(
            ["CreateUser", "TagUser", "UntagUser", "CreateLoginProfile", "UpdateLoginProfile", "CreateVirtualMFADevice", "EnableMFADevice",
                "DeactivateMFADevice", "DeleteVirtualMFADevice", "DeleteLoginProfile", "DeleteUser"],
            Account.CloudTrailEvents.Select(e => e.EventName));
    }

    [Fact]
    public async Task LookupEvents_ManyEvents_PagesNewestFirstWithNextToken()
    {
        for (var i = 0; i < 7; i++)
        {
            await Aws.IamAsync("CreateUser", ("UserName", $"user-{i}"));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }
        Clock.Advance(Lag);

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var body = new JsonObject { ["MaxResults"] = 3 };
            if (token is not null) body["NextToken"] = token;
            var page = await Aws.CloudTrailAsync("LookupEvents", body);
            pages++;
            names.AddRange(Events(page).Select(e => e["Resources"]![0]!["ResourceName"]!.GetValue<string>()));
            token = page.Body["NextToken"]?.GetValue<string>();
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"user-{i}"), names);
    }

    [Fact]
    public async Task LookupEvents_ResourceNameAndTimeWindow_SelectOnlyMatchingEvents()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));
        Clock.Advance(TimeSpan.FromHours(1));
        await Aws.IamAsync("CreateUser", ("UserName", "bob"));
        await Aws.IamAsync("CreateLoginProfile", ("UserName", "bob"), ("Password", "Correct-Horse-1"));
        Clock.Advance(Lag);

        var bob = await LookupAsync(("ResourceName", "bob"));
        var window = await Aws.CloudTrailAsync("LookupEvents", new JsonObject
        {
            ["StartTime"] = DoubleClock.DefaultStart.AddMinutes(30).ToUnixTimeSeconds(),
            ["EndTime"] = Clock.GetUtcNow().ToUnixTimeSeconds(),
            ["LookupAttributes"] = new JsonArray(new JsonObject { ["AttributeKey"] = "EventName", ["AttributeValue"] = "CreateUser" }),
        });

        Assert.Equal(["CreateLoginProfile", "CreateUser"], Events(bob).Select(e => e["EventName"]!.GetValue<string>()));
        Assert.Equal(["bob"], Events(window).Select(e => e["Resources"]![0]!["ResourceName"]!.GetValue<string>()));
    }

    [Fact]
    public async Task LookupEvents_InAnotherRegion_DoesNotSeeIamEvents()
    {
        await Aws.IamAsync("CreateUser", ("UserName", "alice"));
        Clock.Advance(Lag);

        var answer = await Aws.CloudTrailAsync("LookupEvents", [], region: "eu-west-1");

        Assert.Empty(Events(answer));
    }

    [Fact]
    public async Task LookupEvents_TwoAttributes_IsInvalidLookupAttributesException()
    {
        var answer = await Aws.CloudTrailAsync("LookupEvents", new JsonObject
        {
            ["LookupAttributes"] = new JsonArray(
                new JsonObject { ["AttributeKey"] = "EventName", ["AttributeValue"] = "CreateUser" },
                new JsonObject { ["AttributeKey"] = "Username", ["AttributeValue"] = "root" }),
        });

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("InvalidLookupAttributesException", answer.ErrorType);
    }

    [Fact]
    public async Task LookupEvents_MaxResultsOverFifty_IsInvalidMaxResultsException()
    {
        var answer = await Aws.CloudTrailAsync("LookupEvents", new JsonObject { ["MaxResults"] = 51 });

        Assert.Equal("InvalidMaxResultsException", answer.ErrorType);
    }

    [Fact]
    public async Task LookupEvents_TimeAsIsoString_IsSerializationExceptionAsJson11SendsEpochSeconds()
    {
        var answer = await Aws.CloudTrailAsync("LookupEvents", new JsonObject { ["StartTime"] = "2026-01-15T00:00:00Z" });

        Assert.Equal("SerializationException", answer.ErrorType);
    }

    private Task<JsonAnswer> LookupAsync((string Key, string Value) attribute) =>
        Aws.CloudTrailAsync("LookupEvents", new JsonObject
        {
            ["LookupAttributes"] = new JsonArray(new JsonObject { ["AttributeKey"] = attribute.Key, ["AttributeValue"] = attribute.Value }),
        });

    private static IReadOnlyList<JsonNode> Events(JsonAnswer answer)
    {
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Body["Events"]!.AsArray().Select(e => e!).ToList();
    }
}

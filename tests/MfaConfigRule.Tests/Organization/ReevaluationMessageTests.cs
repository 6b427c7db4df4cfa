using System.Text.Json.Nodes;
using MfaConfigRule.Json;
using MfaConfigRule.Organization;
using MfaConfigRule.Trigger;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Organization;

public sealed class ReevaluationMessageTests
{
    private static string Forwarded(string account = "222222222222") => new JsonObject
    {
        ["detail-type"] = "AWS API Call via CloudTrail",
        ["source"] = "aws.iam",
        ["account"] = account,
        ["region"] = "us-east-1",
        ["detail"] = new JsonObject
        {
            ["eventTime"] = "2026-11-29T08:20:11Z",
            ["eventSource"] = "iam.amazonaws.com",
            ["eventName"] = "DeleteLoginProfile",
            ["eventID"] = "evt-1",
            ["requestParameters"] = new JsonObject { ["userName"] = "alice" },
        },
    }.ToJsonString();

    [Fact]
    public void Parse_FirstDelivery_NamesTheSendingAccountAndHasNoProgress()
    {
        var message = ReevaluationMessage.Parse(Forwarded());

        Assert.Equal("222222222222", message.Account);
        Assert.Equal(("DeleteLoginProfile", "alice"), (message.Event.EventName, message.Event.UserName));
        Assert.Null(message.Progress);
    }

    [Fact]
    public void Resend_ThenParse_KeepsTheEventAndEveryPieceOfProgress()
    {
        var progress = new TriggerProgress(Now, StartRefused: true, UserResolved: true, UserId: "AIDAALICE");

        var again = ReevaluationMessage.Parse(ReevaluationMessage.Parse(Forwarded()).Resend(progress));

        Assert.Equal(progress, again.Progress);
        Assert.Equal("222222222222", again.Account);
        Assert.Equal("evt-1", again.Event.EventId);
    }

    [Theory]
    [InlineData("""{"mfaRuleTrigger":{"startRefused":true}}""", "no event object")]
    [InlineData("""{"mfaRuleTrigger":{"visibleAt":"soon"},"event":{}}""", "visibleAt 'soon' is not a time")]
    [InlineData("""{"detail":{"eventTime":"2026-11-29T08:20:11Z","eventName":"TagUser","eventID":"e"}}""", "account")]
    public void Parse_BrokenMessage_IsAnEventErrorNamingWhatIsWrong(string body, string expected)
    {
        var error = Assert.Throws<JsonMessageException>(() => ReevaluationMessage.Parse(body));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

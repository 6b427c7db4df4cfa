using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>
/// SQS SendMessage as the central trigger calls it (AWS JSON 1.0, <c>AmazonSQS.SendMessage</c>) and as AWS CLI 2.9
/// calls it (Query, <c>Version=2012-11-05</c>): the message is held until its delay has passed on the double's clock.
/// </summary>
public sealed class SqsTests : DoubleTest
{
    private const string Region = "us-east-1";

    private Sqs.DoubleQueue Queue() => Account.Sqs(Region).CreateQueue("mfa-rule-trigger");

    private Task<JsonAnswer> SendAsync(JsonObject body) => Aws.JsonAsync("sqs", Region, "AmazonSQS.SendMessage", body);

    [Fact]
    public async Task SendMessage_Json_AnswersIdAndMd5AndHoldsTheMessageForItsDelay()
    {
        var queue = Queue();

        var answer = await SendAsync(new JsonObject { ["QueueUrl"] = queue.UrlUnder(Server.BaseUrl), ["MessageBody"] = "{\"a\":1}", ["DelaySeconds"] = 90 });

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes("{\"a\":1}"))), answer.Body["MD5OfMessageBody"]!.GetValue<string>());
        var sent = Assert.Single(queue.Sent);
        Assert.Equal(answer.Body["MessageId"]!.GetValue<string>(), sent.MessageId);
        Assert.Empty(queue.TakeVisible(Clock.GetUtcNow()));
        Clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal("{\"a\":1}", Assert.Single(queue.TakeVisible(Clock.GetUtcNow())).Body);
    }

    [Fact]
    public async Task SendMessage_JsonToAMissingQueue_IsQueueDoesNotExistWithTheQueryCodeHeader()
    {
        var answer = await SendAsync(new JsonObject { ["QueueUrl"] = new Uri(Server.BaseUrl, $"{Account.AccountId}/nope").ToString(), ["MessageBody"] = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("com.amazonaws.sqs#QueueDoesNotExist", answer.ErrorType);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(901)]
    public async Task SendMessage_DelayOutsideZeroTo900_IsInvalidParameterValue(int delay)
    {
        var queue = Queue();

        var answer = await SendAsync(new JsonObject { ["QueueUrl"] = queue.UrlUnder(Server.BaseUrl), ["MessageBody"] = "x", ["DelaySeconds"] = delay });

        Assert.Equal("com.amazonaws.sqs#InvalidParameterValue", answer.ErrorType);
        Assert.Empty(queue.Sent);
    }

    [Fact]
    public async Task SendMessage_FromAnotherAccount_IsAccessDenied()
    {
        var queue = Queue();
        var other = Server.State.AddAccount("999999999999");
        using var outsider = AwsClient.For(Server, other.RootCredentials);

        var answer = await outsider.JsonAsync("sqs", Region, "AmazonSQS.SendMessage",
            new JsonObject { ["QueueUrl"] = queue.UrlUnder(Server.BaseUrl), ["MessageBody"] = "x" });

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("com.amazonaws.sqs#AccessDenied", answer.ErrorType);
        Assert.Empty(queue.Sent);
    }

    [AwsCliFact]
    public async Task Cli_SendMessage_OverQuery_IsHeldForItsDelayAndAMissingQueueIsNonExistentQueue()
    {
        var queue = Queue();
        var cli = new AwsCli(Server.BaseUrl, Account.RootCredentials.AccessKeyId, Account.RootCredentials.SecretAccessKey, Region);

        var sent = await cli.RunAsync("sqs", "send-message", "--queue-url", queue.UrlUnder(Server.BaseUrl), "--message-body", "hello", "--delay-seconds", "30");
        var missing = await cli.RunAsync("sqs", "send-message", "--queue-url", new Uri(Server.BaseUrl, $"{Account.AccountId}/nope").ToString(), "--message-body", "x");

        Assert.True(sent.ExitCode == 0, sent.ToString());
        var answer = (JsonObject)JsonNode.Parse(sent.Stdout)!;
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData("hello"u8.ToArray())), answer["MD5OfMessageBody"]!.GetValue<string>());
        Assert.Equal(Assert.Single(queue.Sent).MessageId, answer["MessageId"]!.GetValue<string>());
        Assert.Equal(TimeSpan.FromSeconds(30), queue.Sent[0].VisibleAt - queue.Sent[0].SentAt);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("(AWS.SimpleQueueService.NonExistentQueue)", missing.Stderr, StringComparison.Ordinal);
    }
}

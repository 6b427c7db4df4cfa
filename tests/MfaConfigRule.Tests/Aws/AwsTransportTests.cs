using System.Net;
using MfaConfigRule.Aws;

namespace MfaConfigRule.Tests.Aws;

public sealed class AwsTransportTests
{
    private static string IamError(string code, string message = "Rate exceeded") =>
        Fixture.Read("Iam/ErrorResponse.xml").Replace("{Code}", code, StringComparison.Ordinal).Replace("{Message}", message, StringComparison.Ordinal);

    [Fact]
    public async Task Send_ThrottledThenAnswered_RetriesAndReturnsTheAnswer()
    {
        using var aws = new AwsTestContext();
        aws.Handler
            .RespondXml(IamError("Throttling"), HttpStatusCode.BadRequest)
            .RespondXml(Fixture.Read("Iam/GenerateCredentialReport.xml"));

        var state = await aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None);

        Assert.Equal("STARTED", state);
        Assert.Equal(2, aws.Handler.Requests.Count);
        Assert.Equal(2, aws.Clients.Calls.Snapshot()["iam:GenerateCredentialReport"]);
    }

    [Fact]
    public async Task Send_ThrottledTwice_TellsTheRetryObserverBeforeEachWait()
    {
        var notices = new List<AwsRetryNotice>();
        using var aws = new AwsTestContext(onRetry: notices.Add);
        aws.Handler
            .RespondXml(IamError("Throttling"), HttpStatusCode.BadRequest)
            .RespondXml(IamError("Throttling"), HttpStatusCode.BadRequest)
            .RespondXml(Fixture.Read("Iam/GenerateCredentialReport.xml"));

        await aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None);

        Assert.Equal(
            [new AwsRetryNotice("iam", "GenerateCredentialReport", "Throttling", 1, 3, TimeSpan.Zero), new AwsRetryNotice("iam", "GenerateCredentialReport", "Throttling", 2, 3, TimeSpan.Zero)],
            notices);
    }

    [Fact]
    public async Task Send_ServerErrorPageThenAnswered_Retries()
    {
        using var aws = new AwsTestContext();
        aws.Handler
            .Respond(HttpStatusCode.ServiceUnavailable, "<html><body>503 Service Unavailable</body></html>", "text/html")
            .RespondXml(Fixture.Read("Iam/GenerateCredentialReport.xml"));

        Assert.Equal("STARTED", await aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None));
        Assert.Equal(2, aws.Handler.Requests.Count);
    }

    [Fact]
    public async Task Send_ConnectionFailsThenAnswered_Retries()
    {
        using var aws = new AwsTestContext();
        aws.Handler.FailConnection().RespondXml(Fixture.Read("Iam/GenerateCredentialReport.xml"));

        Assert.Equal("STARTED", await aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None));
        Assert.Equal(2, aws.Handler.Requests.Count);
    }

    [Fact]
    public async Task Send_AttemptGetsNoAnswerInTime_AbandonsItAndRetries()
    {
        using var aws = new AwsTestContext(attemptTimeout: TimeSpan.FromSeconds(20));
        aws.Handler.Hang().RespondXml(Fixture.Read("Iam/GenerateCredentialReport.xml"));

        var call = aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None);
        await aws.Handler.WaitForRequestsAsync(1).WhileRunning(call);
        aws.Time.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal("STARTED", await call);
        Assert.Equal(2, aws.Handler.Requests.Count);
    }

    [Fact]
    public async Task Send_ThrottledOnEveryAttempt_ThrowsTheLastCodeAfterMaxAttempts()
    {
        using var aws = new AwsTestContext(retry: AwsRetryPolicy.Immediate(4));
        for (var i = 0; i < 4; i++) aws.Handler.RespondXml(IamError("Throttling"), HttpStatusCode.BadRequest);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None));

        Assert.Equal("Throttling", error.ErrorCode);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("iam", error.Service);
        Assert.Equal("GenerateCredentialReport", error.Operation);
        Assert.Equal("4c1e3b0a-7f4d-11e1-a8f5-EXAMPLE0001", error.RequestId);
        Assert.Equal(4, aws.Handler.Requests.Count);
    }

    [Fact]
    public async Task Send_ConnectionFailsOnEveryAttempt_ThrowsConnectionFailure()
    {
        using var aws = new AwsTestContext(retry: AwsRetryPolicy.Immediate(2));
        aws.Handler.FailConnection().FailConnection();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None));

        Assert.Equal(AwsTransport.ConnectionFailureCode, error.ErrorCode);
        Assert.Equal(0, error.StatusCode);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task Send_ClientError_ThrowsWithoutRetrying()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(IamError("AccessDenied", "User is not authorized to perform: iam:GenerateCredentialReport"), HttpStatusCode.Forbidden);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None));

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal(403, error.StatusCode);
        Assert.Equal("User is not authorized to perform: iam:GenerateCredentialReport", error.ServiceMessage);
        Assert.Single(aws.Handler.Requests);
    }

    [Fact]
    public async Task Send_Throttled_WaitsTheBackoffDelayOnTheTimeProvider()
    {
        // Base 10 s, jitter draw 0.5: the first retry waits 5 s of (fake) time.
        using var aws = new AwsTestContext(retry: new AwsRetryPolicy(3, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1)));
        aws.Handler
            .RespondXml(IamError("Throttling"), HttpStatusCode.BadRequest)
            .RespondXml(Fixture.Read("Iam/GenerateCredentialReport.xml"));

        var call = aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None);
        await aws.Time.WaitForTimerAsync(TimeSpan.FromSeconds(5)).WhileRunning(call);
        Assert.Single(aws.Handler.Requests);
        aws.Time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("STARTED", await call);
        Assert.Equal("20261129T123605Z", aws.Handler.Requests[1].Header("X-Amz-Date"));
    }

    [Fact]
    public async Task Send_CancelledDuringBackoff_ThrowsOperationCanceledAndSendsNoMore()
    {
        using var aws = new AwsTestContext(retry: new AwsRetryPolicy(8, TimeSpan.FromHours(1), TimeSpan.FromHours(1)));
        aws.Handler.RespondXml(IamError("Throttling"), HttpStatusCode.BadRequest);
        using var deadline = new CancellationTokenSource();

        var call = aws.Clients.Iam.GenerateCredentialReportAsync(deadline.Token);
        await aws.Handler.WaitForRequestsAsync(1).WhileRunning(call);
        await deadline.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(aws.Handler.Requests);
    }

    [Fact]
    public async Task Send_CancelledWhileWaitingForAnswer_ThrowsOperationCanceledNotTimeout()
    {
        using var aws = new AwsTestContext();
        aws.Handler.Hang();
        using var deadline = new CancellationTokenSource();

        var call = aws.Clients.Iam.GenerateCredentialReportAsync(deadline.Token);
        await aws.Handler.WaitForRequestsAsync(1).WhileRunning(call);
        await deadline.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(aws.Handler.Requests);
    }

    [Fact]
    public async Task Send_AlreadyCancelled_SendsNothing()
    {
        using var aws = new AwsTestContext();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => aws.Clients.Iam.GenerateCredentialReportAsync(new CancellationToken(canceled: true)));
        Assert.Empty(aws.Handler.Requests);
        Assert.Equal(0, aws.Clients.Calls.Total);
    }
}

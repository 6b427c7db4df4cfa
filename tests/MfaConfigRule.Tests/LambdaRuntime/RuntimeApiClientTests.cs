using System.Net;
using System.Text.Json;
using MfaConfigRule.LambdaRuntime;
using MfaConfigRule.Tests.TestDoubles;

namespace MfaConfigRule.Tests.LambdaRuntime;

public sealed class RuntimeApiClientTests : IDisposable
{
    private const string Host = "127.0.0.1:9001";
    private readonly RecordingHttpHandler _network = new();
    private readonly HttpClient _http;

    public RuntimeApiClientTests() => _http = new HttpClient(_network);

    public void Dispose()
    {
        _http.Dispose();
        _network.Dispose();
    }

    [Fact]
    public async Task GetNextInvocation_AllHeaders_ReadsEventFromNextPath()
    {
        _network.Respond(
            HttpStatusCode.OK,
            """{"messageType":"ScheduledNotification","note":"é"}""",
            "application/json",
            (RuntimeApiHeaders.AwsRequestId, "8476a536-e9f4-11e8-9739-2dfe598c3fcd"),
            (RuntimeApiHeaders.DeadlineMs, "1542409706888"),
            (RuntimeApiHeaders.InvokedFunctionArn, "arn:aws:lambda:us-east-1:123456789012:function:mfa-rule"),
            (RuntimeApiHeaders.TraceId, "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"));

        var invocation = await CreateClient().GetNextInvocationAsync(CancellationToken.None);

        var request = _network.SingleRequest;
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal($"http://{Host}/2018-06-01/runtime/invocation/next", request.Uri.ToString());
        Assert.Equal("8476a536-e9f4-11e8-9739-2dfe598c3fcd", invocation.RequestId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1542409706888), invocation.Deadline);
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:mfa-rule", invocation.InvokedFunctionArn);
        Assert.Equal("Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1", invocation.TraceId);
        Assert.Equal("""{"messageType":"ScheduledNotification","note":"é"}""", invocation.Body);
    }

    [Fact]
    public async Task GetNextInvocation_LowerCaseHeaderNames_AreRead()
    {
        _network.Respond(HttpStatusCode.OK, "{}", "application/json", ("lambda-runtime-aws-request-id", "req-1"), ("lambda-runtime-deadline-ms", "1000"), ("LAMBDA-RUNTIME-TRACE-ID", "Root=1-x"));

        var invocation = await CreateClient().GetNextInvocationAsync(CancellationToken.None);

        Assert.Equal("req-1", invocation.RequestId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1000), invocation.Deadline);
        Assert.Equal("Root=1-x", invocation.TraceId);
    }

    [Fact]
    public async Task GetNextInvocation_OnlyRequestId_OptionalFieldsAreAbsentAndDeadlineIsNone()
    {
        _network.Respond(HttpStatusCode.OK, "{}", "application/json", (RuntimeApiHeaders.AwsRequestId, "req-1"), (RuntimeApiHeaders.DeadlineMs, "not a number"));

        var invocation = await CreateClient().GetNextInvocationAsync(CancellationToken.None);

        Assert.Equal(DateTimeOffset.MaxValue, invocation.Deadline);
        Assert.Null(invocation.InvokedFunctionArn);
        Assert.Null(invocation.TraceId);
    }

    [Fact]
    public async Task GetNextInvocation_NoRequestId_ThrowsClientException()
    {
        _network.Respond(HttpStatusCode.OK, "{}", "application/json", (RuntimeApiHeaders.DeadlineMs, "1000"));

        var error = await Assert.ThrowsAsync<RuntimeApiClientException>(() => CreateClient().GetNextInvocationAsync(CancellationToken.None));

        Assert.Contains(RuntimeApiHeaders.AwsRequestId, error.Message);
    }

    [Fact]
    public async Task GetNextInvocation_Status500_ThrowsContainerError()
    {
        _network.Respond(HttpStatusCode.InternalServerError, "boom", "application/json");

        var error = await Assert.ThrowsAsync<RuntimeApiContainerException>(() => CreateClient().GetNextInvocationAsync(CancellationToken.None));

        Assert.Contains("Container error. Non-recoverable state", error.Message);
    }

    [Fact]
    public async Task GetNextInvocation_Status403_ThrowsClientExceptionWithStatusAndBody()
    {
        _network.Respond(HttpStatusCode.Forbidden, """{"errorMessage":"no","errorType":"Forbidden"}""", "application/json");

        var error = await Assert.ThrowsAsync<RuntimeApiClientException>(() => CreateClient().GetNextInvocationAsync(CancellationToken.None));

        Assert.Equal(403, error.StatusCode);
        Assert.Equal("""{"errorMessage":"no","errorType":"Forbidden"}""", error.ResponseBody);
    }

    [Fact]
    public async Task SendResponse_Accepted_PostsBodyToResponsePathAsJson()
    {
        _network.Respond(HttpStatusCode.Accepted, """{"status":"OK"}""", "application/json");

        await CreateClient().SendResponseAsync("req/1", """{"evaluations":3,"user":"zoë"}""", CancellationToken.None);

        var request = _network.SingleRequest;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal($"http://{Host}/2018-06-01/runtime/invocation/req%2F1/response", request.Uri.AbsoluteUri);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal("""{"evaluations":3,"user":"zoë"}""", request.BodyText);
        Assert.False(request.Headers.ContainsKey(RuntimeApiHeaders.FunctionErrorType));
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge)]
    public async Task SendResponse_Refused_ThrowsClientExceptionWithStatus(HttpStatusCode status)
    {
        _network.Respond(status, """{"errorMessage":"refused","errorType":"X"}""", "application/json");

        var error = await Assert.ThrowsAsync<RuntimeApiClientException>(() => CreateClient().SendResponseAsync("req-1", "{}", CancellationToken.None));

        Assert.Equal((int)status, error.StatusCode);
        Assert.Contains("refused", error.Message);
    }

    [Fact]
    public async Task SendResponse_Status500_ThrowsContainerError()
    {
        _network.Respond(HttpStatusCode.InternalServerError, "", "application/json");

        await Assert.ThrowsAsync<RuntimeApiContainerException>(() => CreateClient().SendResponseAsync("req-1", "{}", CancellationToken.None));
    }

    [Fact]
    public async Task ReportInvocationError_PostsLambdaErrorShapeWithTypeHeader()
    {
        _network.Respond(HttpStatusCode.Accepted, "", "application/json");
        var error = new LambdaError("NoSuchEntity", "IAM GetLoginProfile failed for alice's <login profile>: \"quoted\"", ["at A.B()", "at C.D()"]);

        await CreateClient().ReportInvocationErrorAsync("req-1", error, CancellationToken.None);

        var request = _network.SingleRequest;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal($"http://{Host}/2018-06-01/runtime/invocation/req-1/error", request.Uri.ToString());
        Assert.Equal("application/vnd.aws.lambda.error+json", request.ContentType);
        Assert.Equal("NoSuchEntity", request.Headers[RuntimeApiHeaders.FunctionErrorType]);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("IAM GetLoginProfile failed for alice's <login profile>: \"quoted\"", body.RootElement.GetProperty("errorMessage").GetString());
        Assert.Contains("alice's <login profile>", request.BodyText);
        Assert.Equal("NoSuchEntity", body.RootElement.GetProperty("errorType").GetString());
        Assert.Equal(["at A.B()", "at C.D()"], body.RootElement.GetProperty("stackTrace").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task ReportInvocationError_Status400_ThrowsClientException()
    {
        _network.Respond(HttpStatusCode.BadRequest, "", "application/json");

        var error = await Assert.ThrowsAsync<RuntimeApiClientException>(
            () => CreateClient().ReportInvocationErrorAsync("req-1", new LambdaError("X", "y"), CancellationToken.None));

        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public async Task ReportInitializationError_PostsToInitErrorPathWithTypeHeader()
    {
        _network.Respond(HttpStatusCode.Accepted, "", "application/json");

        await CreateClient().ReportInitializationErrorAsync(new LambdaError("Runtime.HandlerNotFound", "unknown handler"), CancellationToken.None);

        var request = _network.SingleRequest;
        Assert.Equal($"http://{Host}/2018-06-01/runtime/init/error", request.Uri.ToString());
        Assert.Equal("application/vnd.aws.lambda.error+json", request.ContentType);
        Assert.Equal("Runtime.HandlerNotFound", request.Headers[RuntimeApiHeaders.FunctionErrorType]);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("unknown handler", body.RootElement.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task ReportInitializationError_Status500_ThrowsContainerError()
    {
        _network.Respond(HttpStatusCode.InternalServerError, "", "application/json");

        await Assert.ThrowsAsync<RuntimeApiContainerException>(
            () => CreateClient().ReportInitializationErrorAsync(new LambdaError("X", "y"), CancellationToken.None));
    }

    [Fact]
    public async Task ReportInvocationError_BodyOver256KB_SendsFixedFallbackButKeepsTypeHeader()
    {
        _network.Respond(HttpStatusCode.Accepted, "", "application/json");
        var huge = new LambdaError("InvalidOperationException", new string('x', 300 * 1024));

        await CreateClient().ReportInvocationErrorAsync("req-1", huge, CancellationToken.None);

        var request = _network.SingleRequest;
        Assert.Equal(RuntimeApiClient.OversizedErrorBody, request.BodyText);
        Assert.Equal("InvalidOperationException", request.Headers[RuntimeApiHeaders.FunctionErrorType]);
        using var fallback = JsonDocument.Parse(request.Body);
        Assert.Contains("256 KB", fallback.RootElement.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public void ErrorBody_LongStackTraceJustUnderLimit_IsSentInFull()
    {
        var lines = Enumerable.Range(0, 2000).Select(i => $"at Frame{i}.Method() in /src/File{i}.cs:line {i}").ToArray();
        var error = new LambdaError("X", "m", lines);

        var body = RuntimeApiClient.ErrorBody(error);

        Assert.True(body.Length <= RuntimeApiClient.MaxErrorBodyBytes);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(2000, json.RootElement.GetProperty("stackTrace").GetArrayLength());
    }

    [Fact]
    public void ErrorBody_EndlessStackTrace_IsReplacedByFallback()
    {
        var lines = Enumerable.Repeat(new string('f', 1000), 1000).ToArray();

        var body = RuntimeApiClient.ErrorBody(new LambdaError("X", "m", lines));

        Assert.Equal(RuntimeApiClient.OversizedErrorBody, System.Text.Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a host with spaces")]
    public void Constructor_NoRuntimeApiHost_ThrowsNamingTheVariable(string? host)
    {
        var environment = host is null ? new FakeEnvironmentVariables() : new FakeEnvironmentVariables((RuntimeApiClient.HostEnvironmentVariable, host));

        var error = Assert.Throws<InvalidOperationException>(() => new RuntimeApiClient(_http, environment));

        Assert.Contains("AWS_LAMBDA_RUNTIME_API", error.Message);
    }

    [Fact]
    public void CreateHttpClient_HasNoTimeout()
    {
        using var http = RuntimeApiClient.CreateHttpClient();

        Assert.Equal(Timeout.InfiniteTimeSpan, http.Timeout);
    }

    private RuntimeApiClient CreateClient() =>
        new(_http, new FakeEnvironmentVariables((RuntimeApiClient.HostEnvironmentVariable, Host)));
}

using System.Net;
using System.Text;
using System.Text.Json;
using MfaConfigRule.Aws;

namespace MfaConfigRule.Tests.Aws;

public sealed class QueryProtocolTests
{
    [Fact]
    public async Task Request_IsFormEncodedPostWithActionAndVersionFirst()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/GetLoginProfile.xml"));

        await aws.Clients.Iam.GetLoginProfileAsync("Bob", CancellationToken.None);

        var request = aws.Handler.SingleRequest;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("https://iam.amazonaws.com/"), request.Uri);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", request.Header("Content-Type"));
        Assert.Equal("Action=GetLoginProfile&Version=2010-05-08&UserName=Bob", request.BodyText);
        Assert.Equal("mfa-config-rule", request.Header("User-Agent"));
    }

    [Fact]
    public async Task Request_ParameterWithReservedCharacters_IsPercentEncoded()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/GetLoginProfile.xml"));

        await aws.Clients.Iam.GetLoginProfileAsync("a+b=c,d@e.f_g-h", CancellationToken.None);

        var request = aws.Handler.SingleRequest;
        Assert.EndsWith("&UserName=a%2Bb%3Dc%2Cd%40e.f_g-h", request.BodyText, StringComparison.Ordinal);
        Assert.Equal("a+b=c,d@e.f_g-h", request.Form["UserName"]);
    }

    [Fact]
    public async Task Error_WithoutNamespace_IsReadByLocalName()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error><RequestId>req-1</RequestId></ErrorResponse>",
            HttpStatusCode.Forbidden);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.ListUsersAsync(CancellationToken.None));

        Assert.Equal(("AccessDenied", "not authorized", "req-1"), (error.ErrorCode, error.ServiceMessage, error.RequestId));
    }

    [Fact]
    public async Task Error_BodyNotXml_IsNamedByStatus()
    {
        using var aws = new AwsTestContext();
        aws.Handler.Respond(HttpStatusCode.RequestEntityTooLarge, "<html>413 Request Entity Too Large", "text/html", ("x-amzn-RequestId", "req-413"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.ListUsersAsync(CancellationToken.None));

        Assert.Equal(("Http413", 413, "req-413"), (error.ErrorCode, error.StatusCode, error.RequestId));
    }

    [Fact]
    public async Task Response_ForAnotherAction_IsMalformed()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml(Fixture.Read("Iam/GetUser.xml"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None));

        Assert.Equal(AwsTransport.MalformedResponseCode, error.ErrorCode);
    }

    [Fact]
    public async Task Response_WithDocumentTypeDefinition_IsRefused()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondXml("""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><GenerateCredentialReportResponse><GenerateCredentialReportResult><State>&e;</State></GenerateCredentialReportResult></GenerateCredentialReportResponse>""");

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Iam.GenerateCredentialReportAsync(CancellationToken.None));

        Assert.Equal(AwsTransport.MalformedResponseCode, error.ErrorCode);
    }
}

public sealed class JsonProtocolTests
{
    [Theory]
    [InlineData("NoSuchConfigRuleException", "NoSuchConfigRuleException")]
    [InlineData("com.amazonaws.starling.dove#NoSuchConfigRuleException", "NoSuchConfigRuleException")]
    [InlineData("ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/", "ValidationException")]
    [InlineData("aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/", "FooError")]
    [InlineData(" ", null)]
    [InlineData(null, null)]
    public void SanitizeErrorCode_StripsNamespaceAndSuffix(string? raw, string? code) =>
        Assert.Equal(code, JsonProtocolClient.SanitizeErrorCode(raw));

    [Fact]
    public async Task Request_IsJson11PostWithTarget()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson("{}");

        await aws.Clients.Config.StartConfigRulesEvaluationAsync(["mfa-for-console-users"], CancellationToken.None);

        var request = aws.Handler.SingleRequest;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("https://config.eu-west-1.amazonaws.com/"), request.Uri);
        Assert.Equal("application/x-amz-json-1.1", request.Header("Content-Type"));
        Assert.Equal("StarlingDoveService.StartConfigRulesEvaluation", request.Header("X-Amz-Target"));
        Assert.Equal("""{"ConfigRuleNames":["mfa-for-console-users"]}""", request.BodyText);
    }

    [Fact]
    public async Task Error_TypeInBody_IsReadWithMessage()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson("""{"__type":"com.amazonaws.starling.dove#NoSuchConfigRuleException","message":"The ConfigRule 'x' provided in the request is invalid."}""",
            HttpStatusCode.BadRequest, ("x-amzn-RequestId", "0f1e2d3c-EXAMPLE"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Config.StartConfigRulesEvaluationAsync(["x"], CancellationToken.None));

        Assert.Equal("NoSuchConfigRuleException", error.ErrorCode);
        Assert.Equal("The ConfigRule 'x' provided in the request is invalid.", error.ServiceMessage);
        Assert.Equal("0f1e2d3c-EXAMPLE", error.RequestId);
        Assert.Equal(("config", "StartConfigRulesEvaluation", 400), (error.Service, error.Operation, error.StatusCode));
    }

    [Fact]
    public async Task Error_TypeInHeader_WinsOverBody()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson("""{"__type":"SomethingElse","Message":"1 validation error detected"}""",
            HttpStatusCode.BadRequest, ("x-amzn-ErrorType", "ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Config.StartConfigRulesEvaluationAsync(["x"], CancellationToken.None));

        Assert.Equal(("ValidationException", "1 validation error detected"), (error.ErrorCode, error.ServiceMessage));
    }

    [Fact]
    public async Task Error_LimitExceededOnStartEvaluation_IsNotRetried()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson("""{"__type":"LimitExceededException","message":"An evaluation is already in progress."}""", HttpStatusCode.BadRequest);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => aws.Clients.Config.StartConfigRulesEvaluationAsync(["x"], CancellationToken.None));

        Assert.Equal("LimitExceededException", error.ErrorCode);
        Assert.Single(aws.Handler.Requests);
    }

    [Fact]
    public async Task Error_ThrottlingException_IsRetried()
    {
        using var aws = new AwsTestContext();
        aws.Handler
            .RespondJson("""{"__type":"ThrottlingException","message":"Rate exceeded"}""", HttpStatusCode.BadRequest)
            .RespondJson("{}");

        await aws.Clients.Config.StartConfigRulesEvaluationAsync(["x"], CancellationToken.None);

        Assert.Equal(2, aws.Handler.Requests.Count);
    }

    [Fact]
    public async Task Response_EmptyBody_ReadsAsEmptyObject()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson(string.Empty);

        await aws.Clients.Config.StartConfigRulesEvaluationAsync(["x"], CancellationToken.None);

        Assert.Single(aws.Handler.Requests);
    }

    [Fact]
    public async Task Response_NotJson_IsMalformed()
    {
        using var aws = new AwsTestContext();
        aws.Handler.RespondJson("<html>gateway</html>");

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            aws.Clients.Config.PutEvaluationsAsync([], "token", testMode: true, CancellationToken.None));

        Assert.Equal(AwsTransport.MalformedResponseCode, error.ErrorCode);
    }
}

public sealed class EpochSecondsConverterTests
{
    private static readonly JsonSerializerOptions Options = JsonSerializerOptions.Default;

    [Theory]
    [InlineData("1474565312.911", "2016-09-22T17:28:32.911Z")]
    [InlineData("1.474565312911E9", "2016-09-22T17:28:32.911Z")]
    [InlineData("1414708529.9219999", "2014-10-30T22:35:29.922Z")]
    [InlineData("1795897560", "2026-11-28T20:26:00.000Z")]
    public void Read_EpochSecondsNumber_IsTheInstantToTheMillisecond(string json, string expected)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();

        var time = new EpochSecondsConverter().Read(ref reader, typeof(DateTimeOffset), Options);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), time);
    }

    [Fact]
    public void Read_String_IsRejected()
    {
        Assert.Throws<JsonException>(() =>
        {
            var reader = new Utf8JsonReader("\"2016-09-22T17:28:32Z\""u8);
            reader.Read();
            new EpochSecondsConverter().Read(ref reader, typeof(DateTimeOffset), Options);
        });
    }

    [Theory]
    [InlineData(1700000000123, "1700000000.123")]
    [InlineData(1700000000000, "1700000000")]
    [InlineData(1700000000100, "1700000000.1")]
    public void Write_Instant_IsEpochSecondsWithMillisecondFraction(long unixMilliseconds, string expected)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
            new EpochSecondsConverter().Write(writer, DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds), Options);

        Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));
    }
}

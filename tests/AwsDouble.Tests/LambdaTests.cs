using System.Net;
using System.Text.Json.Nodes;
using AwsDouble.Auth;
using AwsDouble.Faults;
using AwsDouble.Lambda;
using AwsDouble.Tests.Support;

namespace AwsDouble.Tests;

/// <summary>
/// Lambda's Invoke as the double serves it, signed by AWSSDK.Core's own signer: the three ways to name a function, who
/// may invoke (the invoker roles in the function's account, an Organization statement across accounts, nobody else),
/// the function's error, Event and DryRun, and the errors' wire shape.
/// </summary>
public sealed class LambdaTests : DoubleTest
{
    private const string Region = "us-east-1";
    private const string Invoker = "mfa-rule-invoker";

    private readonly List<string> _received = [];

    private LambdaRegion Lambda => Account.Lambda(Region);

    private string AddEcho(string name = "remediate", LambdaRegion? lambda = null, IEnumerable<string>? invokers = null) =>
        (lambda ?? Lambda).AddFunction(name, (payload, _) =>
        {
            lock (_received) _received.Add(payload);
            return Task.FromResult(new LambdaInvokeResult($$"""{"echo":{{payload}}}"""));
        }, invokers ?? [$"arn:aws:iam::{Account.AccountId}:role/{Invoker}"]);

    private async Task<RestAnswer> InvokeAsync(Principal? who, string functionName, string payload = """{"user":"alice"}""", string? type = null, string? query = null, string region = Region)
    {
        using var client = AwsClient.For(Server, who);
        var path = $"2015-03-31/functions/{Uri.EscapeDataString(functionName)}/invocations{query}";
        return type is null
            ? await client.RestAsync("lambda", region, path, payload)
            : await client.RestAsync("lambda", region, path, payload, ("X-Amz-Invocation-Type", type));
    }

    private static void AssertError(RestAnswer answer, HttpStatusCode status, string code, string message)
    {
        Assert.True(answer.Status == status, $"{answer.Status}: {answer.Body}");
        Assert.Equal(code, answer.Header("x-amzn-ErrorType"));
        Assert.Equal("User", answer.Json["Type"]!.GetValue<string>());
        Assert.Equal(message, (answer.Json["Message"] ?? answer.Json["message"])!.GetValue<string>());
    }

    [Fact]
    public async Task Invoke_ByNameFullArnAndPartialArn_ReachesTheHandlerWithThePayload()
    {
        var arn = AddEcho();

        var byName = await InvokeAsync(null, "remediate", """{"n":1}""");
        var byArn = await InvokeAsync(null, arn, """{"n":2}""");
        var byPartialArn = await InvokeAsync(null, $"{Account.AccountId}:function:remediate", """{"n":3}""", query: "?Qualifier=%24LATEST");

        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:remediate", arn);
        Assert.All(new[] { byName, byArn, byPartialArn }, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal("""{"echo":{"n":2}}""", byArn.Body);
        Assert.Equal("$LATEST", byArn.Header("X-Amz-Executed-Version"));
        Assert.Null(byArn.Header("X-Amz-Function-Error"));
        Assert.Equal(["""{"n":1}""", """{"n":2}""", """{"n":3}"""], _received);
        Assert.Equal(3, Lambda.Invocations("remediate"));
        Assert.Equal(3, Server.State.Requests.Snapshot()["lambda:Invoke"]);
    }

    [Fact]
    public async Task Invoke_UnknownFunctionOtherVersionOrOtherRegion_IsResourceNotFound()
    {
        var arn = AddEcho();

        AssertError(await InvokeAsync(null, "ghost"), HttpStatusCode.NotFound, "ResourceNotFoundException",
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost");
        AssertError(await InvokeAsync(null, "remediate:v1"), HttpStatusCode.NotFound, "ResourceNotFoundException",
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:remediate:v1");
        AssertError(await InvokeAsync(null, arn, region: "eu-west-1"), HttpStatusCode.NotFound, "ResourceNotFoundException",
            "Functions from 'us-east-1' are not reachable in this region ('eu-west-1')");
        Assert.Equal(0, Lambda.Invocations("remediate"));
    }

    [Fact]
    public async Task Invoke_SameAccountRoleNotGranted_IsAccessDeniedForWantOfAnIdentityPolicy()
    {
        var arn = AddEcho();
        Account.AddRole("other-role");
        var session = Account.StartRoleSession("other-role", "s1", TimeSpan.FromHours(1));

        var answer = await InvokeAsync(session, arn);

        AssertError(answer, HttpStatusCode.Forbidden, "AccessDeniedException",
            $"User: arn:aws:sts::123456789012:assumed-role/other-role/s1 is not authorized to perform: lambda:InvokeFunction on resource: {arn} because no identity-based policy allows the lambda:InvokeFunction action");
        Assert.Equal(0, Lambda.Invocations("remediate"));
    }

    [Fact]
    public async Task Invoke_InvokerRoleSession_IsAllowedByItsRoleArnNotTheSessionArn()
    {
        var arn = AddEcho();
        Account.AddRole(Invoker);
        var session = Account.StartRoleSession(Invoker, "member-222222222222", TimeSpan.FromHours(1));

        var answer = await InvokeAsync(session, arn, """{"user":"bob"}""");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("""{"echo":{"user":"bob"}}""", answer.Body);
    }

    [Fact]
    public async Task Invoke_FromAnotherAccount_IsAccessDeniedForWantOfAResourcePolicy_EvenForAMissingFunction()
    {
        var arn = AddEcho();
        var member = Server.State.AddAccount("222222222222");

        var existing = await InvokeAsync(member.RootCredentials, arn);
        var missing = await InvokeAsync(member.RootCredentials, "arn:aws:lambda:us-east-1:123456789012:function:ghost");

        AssertError(existing, HttpStatusCode.Forbidden, "AccessDeniedException",
            $"User: arn:aws:iam::222222222222:root is not authorized to perform: lambda:InvokeFunction on resource: {arn} because no resource-based policy allows the lambda:InvokeFunction action");
        AssertError(missing, HttpStatusCode.Forbidden, "AccessDeniedException",
            "User: arn:aws:iam::222222222222:root is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:ghost because no resource-based policy allows the lambda:InvokeFunction action");
    }

    [Fact]
    public async Task Invoke_OrganizationStatement_AdmitsEveryPrincipalOfAMemberAndNoOutsider()
    {
        var arn = AddEcho();
        var organization = Server.State.CreateOrganization(Account);
        var member = Server.State.AddAccount("222222222222");
        organization.Join(member);
        var outsider = Server.State.AddAccount("999999999999");
        member.AddRole("AnyRoleAtAll");
        Account.AddRole("other-role");
        Lambda.AllowOrganization("remediate", organization.Id);

        var fromMemberRole = await InvokeAsync(member.StartRoleSession("AnyRoleAtAll", "s", TimeSpan.FromHours(1)), arn);
        var fromOutsider = await InvokeAsync(outsider.RootCredentials, arn);
        var fromOwnAccountsOtherRole = await InvokeAsync(Account.StartRoleSession("other-role", "s", TimeSpan.FromHours(1)), arn);

        Assert.Equal(HttpStatusCode.OK, fromMemberRole.Status);
        Assert.Equal(HttpStatusCode.Forbidden, fromOutsider.Status);
        Assert.Equal(HttpStatusCode.OK, fromOwnAccountsOtherRole.Status);
        Assert.Equal(2, Lambda.Invocations("remediate"));
    }

    [Fact]
    public async Task Invoke_FailingFunction_AnswersItsErrorPayloadWithFunctionErrorUnhandled()
    {
        Lambda.AddFunction("fails", (_, _) => Task.FromResult(new LambdaInvokeResult("""{"errorMessage":"boom","errorType":"Error"}""", "Unhandled")), []);
        Lambda.AddFunction("throws", (_, _) => throw new InvalidOperationException("thrown"), []);

        var failed = await InvokeAsync(null, "fails");
        var thrown = await InvokeAsync(null, "throws");

        Assert.Equal(HttpStatusCode.OK, failed.Status);
        Assert.Equal("Unhandled", failed.Header("X-Amz-Function-Error"));
        Assert.Equal("""{"errorMessage":"boom","errorType":"Error"}""", failed.Body);
        Assert.Equal("Unhandled", thrown.Header("X-Amz-Function-Error"));
        Assert.Equal("thrown", thrown.Json["errorMessage"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invoke_EventIs202AndRunsInTheBackground_DryRunIs204AndRunsNothing()
    {
        var ran = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Lambda.AddFunction("async", (payload, _) =>
        {
            ran.TrySetResult(payload);
            return Task.FromResult(new LambdaInvokeResult("ignored"));
        }, []);
        Account.AddRole("other-role");

        var dryRun = await InvokeAsync(null, "async", type: "DryRun");
        var deniedDryRun = await InvokeAsync(Account.StartRoleSession("other-role", "s", TimeSpan.FromHours(1)), "async", type: "DryRun");
        Assert.Equal(0, Lambda.Invocations("async"));
        var queued = await InvokeAsync(null, "async", """{"queued":true}""", type: "Event");

        Assert.Equal(HttpStatusCode.NoContent, dryRun.Status);
        Assert.Equal(HttpStatusCode.Forbidden, deniedDryRun.Status);
        Assert.Equal(HttpStatusCode.Accepted, queued.Status);
        Assert.Equal(string.Empty, queued.Body);
        Assert.Equal("""{"queued":true}""", await ran.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Invoke_Throttled_IsTooManyRequests429_AndABodyThatIsNotJson_IsInvalidRequestContent()
    {
        AddEcho();
        using var fault = Server.Faults.Inject("lambda", "Invoke", Fault.Throttling(), FaultSchedule.NextCalls(1));

        var throttled = await InvokeAsync(null, "remediate");
        var notJson = await InvokeAsync(null, "remediate", "not json");

        AssertError(throttled, (HttpStatusCode)429, "TooManyRequestsException", "Rate Exceeded.");
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        Assert.Equal("InvalidRequestContentException", notJson.Header("x-amzn-ErrorType"));
        Assert.StartsWith("Could not parse request body into json", notJson.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, Lambda.Invocations("remediate"));
        Assert.Equal(2, Server.State.Requests.Snapshot()["lambda:Invoke"]);
    }

    [Fact]
    public async Task Invoke_SignedWithAnUnknownKey_IsUnrecognizedClient403()
    {
        AddEcho();
        var stranger = Account.RootCredentials with { AccessKeyId = "AKIAUNKNOWNEXAMPLE12" };

        var answer = await InvokeAsync(stranger, "remediate");

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("UnrecognizedClientException", answer.Header("x-amzn-ErrorType"));
        Assert.Equal("The security token included in the request is invalid.", answer.Json["message"]!.GetValue<string>());
        Assert.Equal(0, Lambda.Invocations("remediate"));
    }
}

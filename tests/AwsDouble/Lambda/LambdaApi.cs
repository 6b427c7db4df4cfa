using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AwsDouble.Protocol;

namespace AwsDouble.Lambda;

/// <summary>What Invoke answers: the status, the function's raw output (or nothing), and its error kind when it failed.</summary>
internal sealed record LambdaResponse(int Status, byte[] Body, string? FunctionError);

/// <summary>A Lambda error: <c>x-amzn-ErrorType</c> carries the code, the body the modeled members (botocore's lambda service-2.json).</summary>
internal sealed class LambdaErrorException(int status, string code, string message, bool capitalMessage = false)
    : AwsErrorException(status, code, message, senderFault: status < 500)
{
    /// <summary>
    /// <c>{"Type":"User","Message":…}</c> for the shapes that model <c>Message</c> (ResourceNotFoundException, and
    /// AccessDeniedException as Lambda sends it), else <c>{"Type":"User","message":…}</c>; botocore reads either.
    /// </summary>
    public string Body() => new JsonObject
    {
        ["Type"] = Status < 500 ? "User" : "Service",
        [capitalMessage ? "Message" : "message"] = Message,
    }.ToJsonString();
}

/// <summary>
/// Lambda's <c>Invoke</c> (REST-JSON, signing name <c>lambda</c>): <c>POST /2015-03-31/functions/{FunctionName}/invocations</c>,
/// the function by name, full ARN or partial ARN (<c>ACCOUNT:function:NAME</c>), with an optional <c>:QUALIFIER</c> or
/// <c>Qualifier</c> query (only <c>$LATEST</c> exists here); <c>X-Amz-Invocation-Type</c> RequestResponse (200, the
/// function's output as the body, <c>X-Amz-Function-Error</c> when it failed), Event (202, empty, run in the background)
/// or DryRun (204, after the permission check). <c>X-Amz-Log-Type: Tail</c> is accepted and no log is returned.
/// Who may invoke is <see cref="LambdaRegion"/>'s decision.
/// </summary>
internal sealed partial class LambdaApi(AwsDoubleState state)
{
    public const string SigningName = "lambda";
    public const string InvokeOperation = "Invoke";
    public const int MaxSyncPayloadBytes = 6 * 1024 * 1024;
    public const int MaxAsyncPayloadBytes = 1024 * 1024;
    private const string PathPrefix = "/2015-03-31/functions/";

    public static bool IsLambdaPath(string path) => path.StartsWith(PathPrefix, StringComparison.Ordinal);

    /// <summary>The function name segment of an Invoke path (already URL-decoded), or null when the path is no Invoke.</summary>
    public static string? InvokeTarget(string method, string path)
    {
        var match = InvokePath().Match(path);
        return method == "POST" && match.Success ? match.Groups[1].Value : null;
    }

    public async Task<LambdaResponse> InvokeAsync(AwsCall call, string functionName, string? qualifier, string? invocationType, byte[] body, CancellationToken cancellationToken)
    {
        var type = invocationType is null or "" ? "RequestResponse" : invocationType;
        if (type is not ("RequestResponse" or "Event" or "DryRun"))
            throw Validation($"Value '{type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]");
        var (accountId, name, arnQualifier) = Parse(call, functionName);
        if (qualifier is not null && arnQualifier is not null && qualifier != arnQualifier)
            throw new LambdaErrorException(400, "InvalidParameterValueException", "The derived qualifier from the function name does not match the specified qualifier.");
        var version = qualifier ?? arnQualifier;
        var lambda = state.FindAccount(accountId)?.Lambda(call.Region);
        var arn = $"arn:aws:lambda:{call.Region}:{accountId}:function:{name}";
        var named = arn + (version is null ? string.Empty : ":" + version);
        var function = lambda?.Find(name);
        if (accountId == call.Caller.AccountId && function is null)
            throw NotFound(named);
        var refusal = function is null ? "no resource-based policy allows the lambda:InvokeFunction action" : lambda!.Refusal(call.Caller, function);
        if (refusal is not null)
        {
            throw new LambdaErrorException(403, "AccessDeniedException",
                $"User: {call.Caller.Arn} is not authorized to perform: lambda:InvokeFunction on resource: {named} because {refusal}",
                capitalMessage: true);
        }
        if (version is not null && version != "$LATEST") throw NotFound(named);
        if (type == "DryRun") return new LambdaResponse(204, [], null);

        var limit = type == "Event" ? MaxAsyncPayloadBytes : MaxSyncPayloadBytes;
        if (body.Length > limit)
            throw new LambdaErrorException(413, "RequestTooLargeException", $"Request must be smaller than {limit} bytes for the InvokeFunction operation");
        var payload = body.Length == 0 ? "{}" : Encoding.UTF8.GetString(body);
        try
        {
            using var document = JsonDocument.Parse(payload);
        }
        catch (JsonException e)
        {
            throw new LambdaErrorException(400, "InvalidRequestContentException", $"Could not parse request body into json: Could not parse payload into json: {e.Message}");
        }

        if (type == "Event")
        {
            // Lambda queues the event and answers at once; the function's result goes nowhere the caller sees.
            _ = Task.Run(() => function!.InvokeAsync(payload, CancellationToken.None), CancellationToken.None);
            return new LambdaResponse(202, [], null);
        }
        var result = await function!.InvokeAsync(payload, cancellationToken);
        return new LambdaResponse(200, Encoding.UTF8.GetBytes(result.Payload), result.FunctionError);
    }

    /// <summary>The account, name and qualifier a FunctionName names; a full ARN must be in the signed Region.</summary>
    private static (string AccountId, string Name, string? Qualifier) Parse(AwsCall call, string functionName)
    {
        var match = FunctionName().Match(functionName);
        if (!match.Success || functionName.Length > 256 || (!match.Groups["account"].Success && match.Groups["name"].Value.Length > 64))
        {
            throw Validation($"Value '{functionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                + @"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?");
        }
        if (match.Groups["region"].Success && match.Groups["region"].Value != call.Region)
            throw NotFoundRaw($"Functions from '{match.Groups["region"].Value}' are not reachable in this region ('{call.Region}')");
        var accountId = match.Groups["account"].Success ? match.Groups["account"].Value : call.Caller.AccountId;
        return (accountId, match.Groups["name"].Value, match.Groups["qualifier"].Success ? match.Groups["qualifier"].Value : null);
    }

    private static LambdaErrorException NotFound(string arn) => NotFoundRaw($"Function not found: {arn}");

    private static LambdaErrorException NotFoundRaw(string message) => new(404, "ResourceNotFoundException", message, capitalMessage: true);

    private static LambdaErrorException Validation(string detail) => new(400, "ValidationException", "1 validation error detected: " + detail);

    [GeneratedRegex(@"^/2015-03-31/functions/([^/]+)/invocations/?$")]
    private static partial Regex InvokePath();

    /// <summary>Botocore's NamespacedFunctionName pattern, anchored, with its parts named.</summary>
    [GeneratedRegex(@"^(?:arn:aws[a-zA-Z-]*:lambda:(?<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(?:(?<account>\d{12}):function:)?(?<name>[a-zA-Z0-9_.-]+)(?::(?<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?$")]
    private static partial Regex FunctionName();
}

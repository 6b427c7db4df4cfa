using System.Text;
using System.Text.Json.Nodes;
using AwsDouble.Auth;
using AwsDouble.CloudTrail;
using AwsDouble.Config;
using AwsDouble.Faults;
using AwsDouble.Iam;
using AwsDouble.Protocol;
using AwsDouble.SecurityHub;
using AwsDouble.Sts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AwsDouble.Hosting;

/// <summary>
/// One HTTP request through the double: which service and protocol it is for, whether its signature holds, which
/// faults fire, then the operation, answered in the service's own wire format.
/// </summary>
internal sealed class RequestPipeline
{
    private const string IamVersion = "2010-05-08";
    private const string StsVersion = "2011-06-15";
    private const string SqsVersion = Sqs.SqsApi.QueryVersion;
    private const string IamRegion = "us-east-1";

    private readonly AwsDoubleState _state;
    private readonly FaultInjector _faults;
    private readonly ControlEndpoint? _control;
    private readonly Authenticator _authenticator;
    private readonly IamApi _iam;
    private readonly StsApi _sts;
    private readonly ConfigApi _config;
    private readonly CloudTrailApi _cloudTrail;
    private readonly SecurityHubApi _securityHub;
    private readonly Organizations.OrganizationsApi _organizations;
    private readonly Ssm.SsmApi _ssm;
    private readonly Sqs.SqsApi _sqs;
    private readonly Lambda.LambdaApi _lambda;

    public RequestPipeline(AwsDoubleState state, FaultInjector faults, ControlEndpoint? control)
    {
        _state = state;
        _faults = faults;
        _control = control;
        _authenticator = new Authenticator(state.Credentials, state.Clock, state.Options.SigningClock, state.Options.MaxSigningSkew);
        _iam = new IamApi(state);
        _sts = new StsApi(state);
        _config = new ConfigApi(state);
        _cloudTrail = new CloudTrailApi(state);
        _securityHub = new SecurityHubApi(state);
        _organizations = new Organizations.OrganizationsApi(state);
        _ssm = new Ssm.SsmApi(state);
        _sqs = new Sqs.SqsApi(state);
        _lambda = new Lambda.LambdaApi(state);
    }

    public async Task HandleAsync(HttpContext context)
    {
        if (_control is not null && ControlEndpoint.Route(context.Request.Path.Value) is not null)
        {
            await _control.HandleAsync(context);
            return;
        }
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;

        var target = context.Request.Headers["X-Amz-Target"].ToString();
        if (target.Length > 0) await HandleJsonAsync(context, target, body, requestId);
        else if (SecurityHubApi.IsSecurityHubPath(context.Request.Path.Value ?? string.Empty)) await HandleRestJsonAsync(context, body, requestId);
        else if (Lambda.LambdaApi.IsLambdaPath(context.Request.Path.Value ?? string.Empty)) await HandleLambdaAsync(context, body, requestId);
        else await HandleQueryAsync(context, body, requestId);
    }

    private async Task HandleQueryAsync(HttpContext context, byte[] body, string requestId)
    {
        var form = context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : string.Empty;
        if (context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
            form = form.Length == 0 ? Encoding.UTF8.GetString(body) : form + "&" + Encoding.UTF8.GetString(body);
        var parameters = QueryParameters.ParseForm(form);
        var (service, xmlNamespace) = parameters.Optional("Version") switch
        {
            StsVersion => (AwsServiceNames.Sts, QueryXml.StsNamespace),
            SqsVersion => (AwsServiceNames.Sqs, Sqs.SqsApi.XmlNamespace),
            IamVersion => (AwsServiceNames.Iam, QueryXml.IamNamespace),
            _ => (ScopeService(context) == AwsServiceNames.Sts ? AwsServiceNames.Sts : AwsServiceNames.Iam,
                ScopeService(context) == AwsServiceNames.Sts ? QueryXml.StsNamespace : QueryXml.IamNamespace),
        };
        try
        {
            var action = parameters.Optional("Action") ?? throw new AwsErrorException(400, "MissingAction", "Missing Action");
            var call = Authenticate(context, body, service, action, requestId, service == AwsServiceNames.Iam ? IamRegion : null, json: false);
            _state.Requests.Add(service, action);
            var decision = _faults.Decide(service, action);
            if (!await ApplyDelayAndDropAsync(context, decision)) return;
            if (decision.Error is { } fault) throw QueryFault(fault);
            var result = service switch
            {
                AwsServiceNames.Sts => _sts.Handle(call, parameters),
                AwsServiceNames.Sqs => _sqs.Handle(call, parameters),
                _ => _iam.Handle(call, parameters),
            };
            await WriteAsync(context, 200, "text/xml", QueryXml.Response(action, xmlNamespace, requestId, result));
        }
        catch (AwsErrorException error)
        {
            await WriteAsync(context, error.Status, "text/xml", QueryXml.Error(xmlNamespace, requestId, error));
        }
    }

    private async Task HandleJsonAsync(HttpContext context, string target, byte[] body, string requestId)
    {
        try
        {
            var dot = target.LastIndexOf('.');
            var prefix = dot < 0 ? target : target[..dot];
            var operation = dot < 0 ? string.Empty : target[(dot + 1)..];
            var service = prefix switch
            {
                ConfigApi.TargetPrefix => AwsServiceNames.Config,
                CloudTrailApi.TargetPrefix => AwsServiceNames.CloudTrail,
                Organizations.OrganizationsApi.TargetPrefix => AwsServiceNames.Organizations,
                Ssm.SsmApi.TargetPrefix => AwsServiceNames.Ssm,
                Sqs.SqsApi.TargetPrefix => AwsServiceNames.Sqs,
                _ => throw new AwsErrorException(400, "UnknownOperationException", string.Empty),
            };
            var call = Authenticate(context, body, service, operation, requestId,
                requiredRegion: service == AwsServiceNames.Organizations ? Organizations.OrganizationsApi.SigningRegion : null, json: true);
            _state.Requests.Add(service, operation);
            var decision = _faults.Decide(service, operation);
            if (!await ApplyDelayAndDropAsync(context, decision)) return;
            if (decision.Error is { } fault) throw JsonFault(fault);
            var request = JsonRequest.Parse(body);
            JsonObject result = service switch
            {
                AwsServiceNames.Config => _config.Handle(call, request, decision.FailEvaluations),
                AwsServiceNames.Organizations => _organizations.Handle(call, request),
                AwsServiceNames.Ssm => _ssm.Handle(call, request),
                AwsServiceNames.Sqs => _sqs.Handle(call, request),
                _ => _cloudTrail.Handle(call, request),
            };
            await WriteAsync(context, 200, ContentTypeOf(target), result.ToJsonString());
        }
        catch (Sqs.SqsErrorException error)
        {
            // JSON 1.0 with the Query code kept for query-compatible clients, as SQS answers.
            context.Response.Headers["x-amzn-query-error"] = $"{error.Code};{(error.SenderFault ? "Sender" : "Receiver")}";
            await WriteAsync(context, error.Status, Sqs.SqsApi.JsonContentType,
                new JsonObject { ["__type"] = "com.amazonaws.sqs#" + error.JsonType, ["message"] = error.Message }.ToJsonString());
        }
        catch (AwsErrorException error)
        {
            await WriteAsync(context, error.Status, ContentTypeOf(target), JsonBody.Error(error));
        }
    }

    /// <summary>REST-JSON (Security Hub): the operation is the method and path; errors carry x-amzn-ErrorType and {"Code","Message"}.</summary>
    private async Task HandleRestJsonAsync(HttpContext context, byte[] body, string requestId)
    {
        try
        {
            var operation = SecurityHubApi.Operation(context.Request.Method, context.Request.Path.Value ?? string.Empty)
                ?? throw new AwsErrorException(404, "UnknownOperationException", $"No operation at {context.Request.Method} {context.Request.Path}");
            var call = Authenticate(context, body, SecurityHubApi.SigningName, operation, requestId, requiredRegion: null, json: true);
            var decision = _faults.Decide(SecurityHubApi.SigningName, operation);
            if (!await ApplyDelayAndDropAsync(context, decision)) return;
            if (decision.Error is { } fault)
                throw fault.Throttle ? new AwsErrorException(429, "TooManyRequestsException", fault.Message) : JsonFault(fault);
            await WriteAsync(context, 200, "application/json", _securityHub.Handle(call, body).ToJsonString());
        }
        catch (AwsErrorException error)
        {
            context.Response.Headers["x-amzn-ErrorType"] = error.Code;
            await WriteAsync(context, error.Status, "application/json", new JsonObject { ["Code"] = error.Code, ["Message"] = error.Message }.ToJsonString());
        }
    }

    /// <summary>
    /// REST-JSON (Lambda Invoke): the function is in the path, the invocation type in a header; the answer is the function's
    /// raw output; errors carry x-amzn-ErrorType and {"Type","message"} (or "Message", as each error shape is modeled).
    /// </summary>
    private async Task HandleLambdaAsync(HttpContext context, byte[] body, string requestId)
    {
        try
        {
            var functionName = Lambda.LambdaApi.InvokeTarget(context.Request.Method, context.Request.Path.Value ?? string.Empty)
                ?? throw new Lambda.LambdaErrorException(404, "UnknownOperationException", $"No operation at {context.Request.Method} {context.Request.Path}");
            var call = Authenticate(context, body, AwsServiceNames.Lambda, Lambda.LambdaApi.InvokeOperation, requestId, requiredRegion: null, json: true);
            _state.Requests.Add(AwsServiceNames.Lambda, Lambda.LambdaApi.InvokeOperation);
            var decision = _faults.Decide(AwsServiceNames.Lambda, Lambda.LambdaApi.InvokeOperation);
            if (!await ApplyDelayAndDropAsync(context, decision)) return;
            if (decision.Error is { } fault) throw LambdaFault(fault);
            var qualifier = context.Request.Query.TryGetValue("Qualifier", out var q) ? q.ToString() : null;
            var answer = await _lambda.InvokeAsync(call, functionName, qualifier, context.Request.Headers["X-Amz-Invocation-Type"].ToString(), body, context.RequestAborted);
            context.Response.StatusCode = answer.Status;
            if (answer.Status == 200)
            {
                context.Response.ContentType = "application/json";
                context.Response.Headers["X-Amz-Executed-Version"] = "$LATEST";
                if (answer.FunctionError is { } error) context.Response.Headers["X-Amz-Function-Error"] = error;
            }
            if (answer.Body.Length > 0) await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted);
        }
        catch (Lambda.LambdaErrorException error)
        {
            context.Response.Headers["x-amzn-ErrorType"] = error.Code;
            await WriteAsync(context, error.Status, "application/json", error.Body());
        }
        catch (AwsErrorException error)
        {
            // Signature failures, named by the JSON protocols' codes; Lambda's REST front end answers them 403.
            context.Response.Headers["x-amzn-ErrorType"] = error.Code;
            await WriteAsync(context, 403, "application/json", new JsonObject { ["message"] = error.Message }.ToJsonString());
        }
    }

    private static Lambda.LambdaErrorException LambdaFault(ErrorFault fault) => fault switch
    {
        { Throttle: true } => new(429, "TooManyRequestsException", "Rate Exceeded."),
        { Code: { } code } => new(fault.Status, code, fault.Message),
        _ => new(fault.Status, fault.Status == 503 ? "ServiceUnavailableException" : "ServiceException", fault.Message, capitalMessage: true),
    };

    private AwsCall Authenticate(HttpContext context, byte[] body, string service, string operation, string requestId, string? requiredRegion, bool json)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var headers = request.Headers.SelectMany(h => h.Value.Select(v => KeyValuePair.Create(h.Key, v ?? string.Empty))).ToList();
        var signed = new SignedRequest(request.Method,
            question < 0 ? rawTarget : rawTarget[..question],
            question < 0 ? string.Empty : rawTarget[(question + 1)..],
            headers, body);
        try
        {
            var principal = _authenticator.Authenticate(signed, service, requiredRegion, out var region);
            return new AwsCall(service, operation, principal, region, requestId, _state.Clock.GetUtcNow(),
                context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1", request.Headers.UserAgent.ToString());
        }
        catch (AuthenticationException e)
        {
            throw json ? JsonAuthError(e) : QueryAuthError(e);
        }
    }

    private static string ContentTypeOf(string target) =>
        target.StartsWith(Sqs.SqsApi.TargetPrefix + ".", StringComparison.Ordinal) ? Sqs.SqsApi.JsonContentType : JsonBody.ContentType;

    /// <summary>False when the connection was dropped (nothing more to write).</summary>
    private static async Task<bool> ApplyDelayAndDropAsync(HttpContext context, FaultDecision decision)
    {
        if (decision.Latency > TimeSpan.Zero) await Task.Delay(decision.Latency, context.RequestAborted);
        if (!decision.DropConnection) return true;
        context.Abort();
        return false;
    }

    private static AwsErrorException QueryFault(ErrorFault fault)
    {
        var code = fault.Code ?? (fault.Throttle ? "Throttling" : fault.Status == 503 ? "ServiceUnavailable" : "ServiceFailure");
        return new AwsErrorException(fault.Status, code, fault.Message, senderFault: fault.Status < 500 && !fault.Throttle);
    }

    private static AwsErrorException JsonFault(ErrorFault fault)
    {
        var code = fault.Code ?? (fault.Throttle ? "ThrottlingException" : fault.Status == 503 ? "ServiceUnavailable" : "InternalFailure");
        return new AwsErrorException(fault.Status, code, fault.Message, senderFault: fault.Status < 500);
    }

    private static AwsErrorException QueryAuthError(AuthenticationException e) => e.Failure switch
    {
        AuthFailure.MissingAuthentication => new AwsErrorException(403, "MissingAuthenticationToken", e.Message),
        AuthFailure.IncompleteSignature => new AwsErrorException(400, "IncompleteSignature", e.Message),
        AuthFailure.UnknownAccessKey => new AwsErrorException(403, "InvalidClientTokenId", e.Message),
        AuthFailure.ExpiredToken => new AwsErrorException(403, "ExpiredToken", e.Message),
        _ => new AwsErrorException(403, "SignatureDoesNotMatch", e.Message),
    };

    private static AwsErrorException JsonAuthError(AuthenticationException e) => e.Failure switch
    {
        AuthFailure.MissingAuthentication => new AwsErrorException(400, "MissingAuthenticationTokenException", e.Message),
        AuthFailure.IncompleteSignature => new AwsErrorException(400, "IncompleteSignatureException", e.Message),
        AuthFailure.UnknownAccessKey => new AwsErrorException(400, "UnrecognizedClientException", e.Message),
        AuthFailure.ExpiredToken => new AwsErrorException(400, "ExpiredTokenException", e.Message),
        _ => new AwsErrorException(400, "InvalidSignatureException", e.Message),
    };

    private static string? ScopeService(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.Length > 0 && SigV4.Parse(header, out _) is { } authorization ? authorization.Service : null;
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body, context.RequestAborted);
    }
}

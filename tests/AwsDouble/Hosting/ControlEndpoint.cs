using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AwsDouble.Faults;
using AwsDouble.Protocol;
using Microsoft.AspNetCore.Http;

namespace AwsDouble.Hosting;

/// <summary>
/// An unsigned JSON endpoint under <c>/_double/</c> for driving a running double by hand (curl): read and move the
/// clock, inject and clear faults, hand out result tokens, read what the rule reported. Tests use the C# API instead.
/// </summary>
internal sealed class ControlEndpoint(AwsDoubleState state, FaultInjector faults)
{
    public const string PathPrefix = "/_double/";

    /// <summary>For people reading curl output: indented, and '+' in times left as it is.</summary>
    private static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The control path with any doubled leading slash removed (an endpoint URL ending in '/' makes "//_double"), or null.</summary>
    public static string? Route(string? path)
    {
        var normalized = "/" + (path ?? string.Empty).TrimStart('/');
        return normalized.StartsWith(PathPrefix, StringComparison.Ordinal) ? normalized : null;
    }

    public async Task HandleAsync(HttpContext context)
    {
        JsonNode response;
        var status = 200;
        try
        {
            var body = await ReadAsync(context);
            response = (context.Request.Method, Route(context.Request.Path.Value)) switch
            {
                ("GET", "/_double/state") => State(),
                ("POST", "/_double/clock") => Clock(body),
                ("POST", "/_double/faults") => AddFault(body),
                ("DELETE", "/_double/faults") => ClearFaults(),
                ("POST", "/_double/config/result-token") => ResultToken(body),
                ("GET", "/_double/behaviours") => Behaviours(),
                ("POST", "/_double/behaviours") => SetBehaviours(body),
                ("GET", "/_double/config/evaluations") => Evaluations(context.Request.Query),
                _ => throw new ArgumentException(
                    "unknown control call; use GET /_double/state, POST /_double/clock, POST|DELETE /_double/faults, POST /_double/config/result-token, GET /_double/config/evaluations?region=&rule=, GET|POST /_double/behaviours"),
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or JsonException or FormatException or AwsErrorException)
        {
            status = 400;
            response = new JsonObject { ["error"] = e.Message };
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.ToJsonString(Readable), context.RequestAborted);
    }

    private JsonObject State() => new()
    {
        ["now"] = state.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
        ["followsRealTime"] = state.Clock.FollowsRealTime,
        ["accounts"] = new JsonArray(state.Accounts.Select(a => (JsonNode)new JsonObject
        {
            ["accountId"] = a.AccountId,
            ["accessKeyId"] = a.RootCredentials.AccessKeyId,
            ["secretAccessKey"] = a.RootCredentials.SecretAccessKey,
            ["users"] = a.Users.Count,
            ["cloudTrailEvents"] = a.CloudTrailEvents.Count,
        }).ToArray()),
        ["behaviours"] = Behaviours(),
        ["faults"] = new JsonArray(faults.Active.Select(f => (JsonNode)new JsonObject
        {
            ["service"] = f.Service,
            ["operation"] = f.Operation,
            ["fault"] = f.Fault.ToString(),
            ["schedule"] = f.Schedule.ToString(),
            ["timesFired"] = f.TimesFired,
        }).ToArray()),
    };

    /// <summary>{"advanceSeconds": 14400} | {"set": "2026-01-15T13:00:00Z"} | {"followRealTime": true}</summary>
    private JsonObject Clock(JsonObject body)
    {
        if (body["advanceSeconds"] is JsonValue seconds) state.Clock.Advance(TimeSpan.FromSeconds(seconds.GetValue<double>()));
        if (body["set"] is JsonValue set) state.Clock.Set(DateTimeOffset.Parse(set.GetValue<string>(), CultureInfo.InvariantCulture));
        if (body["followRealTime"] is JsonValue follow && follow.GetValue<bool>()) state.Clock.FollowRealTime();
        return new JsonObject { ["now"] = state.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) };
    }

    /// <summary>
    /// {"service":"iam","operation":"ListUsers","fault":"throttling|server-error|latency|drop|fail-evaluations|error",
    ///  "status":503,"code":"LimitExceeded","message":"…","latencyMs":2000,"count":3,
    ///  "schedule":"next|probability|always","calls":3,"probability":0.2,"seed":7}
    /// </summary>
    private JsonObject AddFault(JsonObject body)
    {
        string? Text(string name) => body[name]?.GetValue<string>();
        int Number(string name, int fallback) => body[name] is JsonValue v ? v.GetValue<int>() : fallback;
        var fault = Text("fault") switch
        {
            "throttling" => Fault.Throttling(),
            "server-error" => Fault.ServerError(Number("status", 500)),
            "latency" => Fault.Latency(TimeSpan.FromMilliseconds(Number("latencyMs", 1000))),
            "drop" => Fault.DropConnection(),
            "fail-evaluations" => Fault.FailEvaluations(Number("count", 1)),
            "error" => Fault.Error(Number("status", 400), Text("code") ?? throw new ArgumentException("an error fault needs a code"),
                Text("message") ?? string.Empty),
            var other => throw new ArgumentException($"unknown fault '{other}'"),
        };
        var schedule = Text("schedule") switch
        {
            null or "always" => FaultSchedule.UntilCleared(),
            "next" => FaultSchedule.NextCalls(Number("calls", 1)),
            "probability" => FaultSchedule.WithProbability(body["probability"]?.GetValue<double>() ?? 0.5, Number("seed", 1)),
            var other => throw new ArgumentException($"unknown schedule '{other}'"),
        };
        faults.Inject(Text("service"), Text("operation"), fault, schedule);
        return new JsonObject { ["faults"] = faults.Active.Count };
    }

    private JsonObject ClearFaults()
    {
        faults.Clear();
        return new JsonObject { ["faults"] = 0 };
    }

    private JsonObject Behaviours() => new(state.Behaviours.ToNames().Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));

    /// <summary>
    /// {"ordering":"last-write-wins","cloudtrail-delay-seconds":"900",…}: sets the named switches (AwsBehaviours.Names), all
    /// or none, and answers every switch's value.
    /// </summary>
    private JsonObject SetBehaviours(JsonObject body)
    {
        var behaviours = state.Behaviours;
        foreach (var (name, value) in body)
        {
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s
                : value?.ToJsonString() ?? throw new ArgumentException($"behaviour {name} needs a value");
            behaviours = behaviours.With(name, text);
        }
        state.Behaviours = behaviours;
        return Behaviours();
    }

    /// <summary>{"region":"us-east-1","ruleName":"mfa-for-console-users","accountId":"123456789012","periodic":true}; creates the rule if absent.</summary>
    private JsonObject ResultToken(JsonObject body)
    {
        var account = Account(body["accountId"]?.GetValue<string>());
        var region = body["region"]?.GetValue<string>() ?? "us-east-1";
        var ruleName = body["ruleName"]?.GetValue<string>() ?? throw new ArgumentException("ruleName is required");
        var config = account.Config(region);
        if (config.FindRule(ruleName) is null) config.PutCustomLambdaRule(ruleName);
        var periodic = body["periodic"] is JsonValue flag && flag.GetValue<bool>();
        return new JsonObject { ["resultToken"] = config.IssueResultToken(ruleName, periodic) };
    }

    private JsonArray Evaluations(IQueryCollection query)
    {
        var account = Account(query["accountId"].FirstOrDefault());
        var config = account.Config(query["region"].FirstOrDefault() ?? "us-east-1");
        var rule = query["rule"].FirstOrDefault() ?? throw new ArgumentException("rule is required");
        return new JsonArray(config.Results(rule).Select(r => (JsonNode)new JsonObject
        {
            ["resourceType"] = r.ResourceType,
            ["resourceId"] = r.ResourceId,
            ["complianceType"] = r.ComplianceType,
            ["annotation"] = r.Annotation,
            ["orderingTimestamp"] = r.OrderingTimestamp.ToString("O", CultureInfo.InvariantCulture),
        }).ToArray());
    }

    private DoubleAccount Account(string? accountId) =>
        accountId is null ? state.DefaultAccount : state.FindAccount(accountId) ?? throw new ArgumentException($"no account {accountId}");

    private static async Task<JsonObject> ReadAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        return text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? throw new ArgumentException("the body must be a JSON object");
    }
}

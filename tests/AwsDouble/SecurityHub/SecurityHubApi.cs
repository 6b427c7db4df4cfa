using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AwsDouble.Protocol;

namespace AwsDouble.SecurityHub;

/// <summary>
/// Security Hub's REST-JSON operations the project uses: <c>POST /findings/import</c> (BatchImportFindings) and
/// <c>POST /findings</c> (GetFindings). Findings are checked as Security Hub checks them: ASFF's required attributes,
/// its field limits, the 100-finding and 6 MB batch limits, the 240 KB finding limit, the caller's own account and
/// default product, and 10 requests a second with bursts of 30 per account and Region.
/// </summary>
internal sealed partial class SecurityHubApi(AwsDoubleState state)
{
    public const string SigningName = "securityhub";
    public const int MaxFindingsPerBatch = 100;
    public const int MaxBatchBytes = 6 * 1000 * 1000;
    public const int MaxFindingBytes = 240 * 1000;

    private static readonly string[] Required = ["SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "CreatedAt", "UpdatedAt", "Title", "Description", "Resources"];
    private static readonly string[] Namespaces = ["Software and Configuration Checks", "TTPs", "Effects", "Unusual Behaviors", "Sensitive Data Identifications"];
    private static readonly string[] SeverityLabels = ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"];

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (double Tokens, long At)> _buckets = new(StringComparer.Ordinal);

    /// <summary>The operation a path names, or null when it is not one of Security Hub's the double serves.</summary>
    public static string? Operation(string method, string path) => (method, path.TrimEnd('/')) switch
    {
        ("POST", "/findings/import") => "BatchImportFindings",
        ("POST", "/findings") => "GetFindings",
        _ => null,
    };

    public static bool IsSecurityHubPath(string path) => path.StartsWith("/findings", StringComparison.Ordinal);

    public JsonObject Handle(AwsCall call, byte[] body)
    {
        var account = state.Account(call.Caller.AccountId);
        var hub = account.SecurityHub(call.Region);
        if (!hub.Enabled)
            throw new AwsErrorException(401, "InvalidAccessException", $"Account {account.AccountId} is not subscribed to AWS Security Hub");
        if (!Admit($"{account.AccountId}/{call.Region}/{call.Operation}", call.Operation == "GetFindings" ? (3, 6) : (10, 30)))
        {
            hub.CountThrottled();
            throw new AwsErrorException(429, "TooManyRequestsException", "Rate exceeded");
        }
        var request = Parse(body);
        return call.Operation switch
        {
            "BatchImportFindings" => Import(hub, request, body.Length, call.Now),
            "GetFindings" => GetFindings(hub, request),
            _ => throw new AwsErrorException(404, "UnknownOperationException", string.Empty),
        };
    }

    private JsonObject Import(SecurityHubRegion hub, JsonObject request, int bodyBytes, DateTimeOffset now)
    {
        if (bodyBytes > MaxBatchBytes)
            throw Invalid($"The request is {bodyBytes} bytes; BatchImportFindings accepts at most {MaxBatchBytes} bytes (6 MB).");
        if (request["Findings"] is not JsonArray findings)
            throw Invalid("1 validation error detected: Value null at 'findings' failed to satisfy constraint: Member must not be null");
        if (findings.Count is 0 or > MaxFindingsPerBatch)
            throw Invalid($"1 validation error detected: Value at 'findings' failed to satisfy constraint: Member must have length between 1 and {MaxFindingsPerBatch}");

        var valid = new List<JsonObject>();
        var invalid = new List<(string Id, string ErrorCode, string Message)>();
        foreach (var node in findings)
        {
            if (node is not JsonObject finding) throw Invalid("Findings must be objects");
            var id = finding["Id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "(no Id)";
            var problem = Validate(finding, hub);
            if (problem is null) valid.Add(finding);
            else invalid.Add((id, problem.Value.Code, problem.Value.Message));
        }
        var refused = hub.Import(valid, invalid, bodyBytes, now);
        return new JsonObject
        {
            ["FailedCount"] = refused.Count,
            ["SuccessCount"] = findings.Count - refused.Count,
            ["FailedFindings"] = new JsonArray(refused.Select(r => (JsonNode)new JsonObject
            {
                ["Id"] = r.Id,
                ["ErrorCode"] = r.ErrorCode,
                ["ErrorMessage"] = r.Message,
            }).ToArray()),
        };
    }

    /// <summary>The reason a finding is refused, worded as Security Hub words it, or null when it is accepted.</summary>
    private static (string Code, string Message)? Validate(JsonObject finding, SecurityHubRegion hub)
    {
        static (string, string) Format(string detail) => ("InvalidInput", $"Finding does not adhere to Amazon Finding Format. {detail}");

        var size = Encoding.UTF8.GetByteCount(finding.ToJsonString());
        if (size > MaxFindingBytes) return Format($"The finding is {size} bytes; the maximum is {MaxFindingBytes} (240 KB).");
        foreach (var name in Required)
        {
            if (finding[name] is null) return Format($"data should have required property '{name}'.");
        }
        foreach (var name in Required.Where(n => n != "Resources"))
        {
            if (!NonEmptyString(finding[name])) return Format($"data.{name} should be a non-empty string.");
        }
        var severity = finding["Severity"] as JsonObject;
        var providerSeverity = finding["FindingProviderFields"]?["Severity"] as JsonObject;
        if (severity?["Label"] is null && severity?["Normalized"] is null && providerSeverity?["Label"] is null)
            return Format("data should have required property 'FindingProviderFields', data should match some schema in anyOf.");
        foreach (var label in new[] { severity?["Label"], providerSeverity?["Label"] }.OfType<JsonNode>())
        {
            if (!SeverityLabels.Contains(label.GetValue<string>(), StringComparer.Ordinal))
                return Format($"data.Severity.Label should be equal to one of the allowed values ({string.Join(", ", SeverityLabels)}).");
        }
        var types = (finding["Types"] as JsonArray) ?? (finding["FindingProviderFields"]?["Types"] as JsonArray);
        if (types is null || types.Count == 0)
            return Format("data should have required property 'Types', data should match some schema in anyOf.");
        foreach (var type in types)
        {
            var text = type?.GetValue<string>() ?? string.Empty;
            if (!Namespaces.Any(n => text == n || text.StartsWith(n + "/", StringComparison.Ordinal)) || text.Split('/').Length > 3)
                return Format($"data.Types '{text}' is not namespace/category/classifier with a valid namespace.");
        }

        var schema = finding["SchemaVersion"]!.GetValue<string>();
        if (schema != "2018-10-08") return Format($"data.SchemaVersion should be equal to '2018-10-08', not '{schema}'.");
        if (Length(finding["Title"]) > 256) return Format("data.Title should NOT be longer than 256 characters.");
        if (Length(finding["Description"]) > 1024) return Format("data.Description should NOT be longer than 1024 characters.");
        if (Length(finding["Id"]) > 512) return Format("data.Id should NOT be longer than 512 characters.");
        if (Length(finding["GeneratorId"]) > 512) return Format("data.GeneratorId should NOT be longer than 512 characters.");
        if (finding["Remediation"]?["Recommendation"] is JsonObject recommendation)
        {
            if (recommendation["Text"] is { } text && Length(text) is 0 or > 512)
                return Format(Length(text) == 0 ? "data.Remediation.Recommendation.Text should NOT be shorter than 1 characters."
                    : "data.Remediation.Recommendation.Text should NOT be longer than 512 characters.");
        }
        foreach (var name in new[] { "CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt" })
        {
            if (finding[name] is { } value && !Rfc3339().IsMatch(value.GetValue<string>()))
                return Format($"data.{name} should match format \"date-time\".");
        }
        if (finding["Compliance"]?["Status"] is { } status && status.GetValue<string>() is not ("PASSED" or "WARNING" or "FAILED" or "NOT_AVAILABLE"))
            return Format("data.Compliance.Status should be equal to one of the allowed values.");
        if (finding["RecordState"] is { } record && record.GetValue<string>() is not ("ACTIVE" or "ARCHIVED"))
            return Format("data.RecordState should be equal to one of the allowed values.");
        if (finding["Resources"] is not JsonArray resources || resources.Count is 0 or > 32)
            return Format("data.Resources should be an array of 1 to 32 resources.");
        foreach (var resource in resources)
        {
            if (!NonEmptyString(resource?["Type"]) || !NonEmptyString(resource?["Id"]))
                return Format("data.Resources[] should have required properties 'Type' and 'Id'.");
        }

        // Only the account the finding is about may import it, and only into its own default product.
        if (finding["AwsAccountId"]!.GetValue<string>() != hub.AccountId)
            return ("InvalidAccess", $"The AwsAccountId of the finding must be the calling account {hub.AccountId}.");
        if (finding["ProductArn"]!.GetValue<string>() != hub.DefaultProductArn)
            return ("InvalidAccess", $"Account {hub.AccountId} may import findings only for {hub.DefaultProductArn} in this Region.");
        return null;
    }

    private static JsonObject GetFindings(SecurityHubRegion hub, JsonObject request)
    {
        var max = request["MaxResults"] is JsonValue m ? m.GetValue<int>() : 100;
        if (max is < 1 or > 100)
            throw Invalid($"1 validation error detected: Value '{max}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100");
        var filters = request["Filters"] as JsonObject ?? [];
        if (filters.Count > 10) throw Invalid("You can filter by up to 10 finding attributes.");
        var matching = hub.Findings.Where(f => filters.All(filter => Matches(f.Finding, filter.Key, filter.Value as JsonArray))).ToList();
        var start = request["NextToken"] is JsonValue token ? int.Parse(token.GetValue<string>(), CultureInfo.InvariantCulture) : 0;
        var page = matching.Skip(start).Take(max).ToList();
        var response = new JsonObject { ["Findings"] = new JsonArray(page.Select(f => f.Finding.DeepClone()).ToArray()) };
        if (start + page.Count < matching.Count) response["NextToken"] = (start + page.Count).ToString(CultureInfo.InvariantCulture);
        return response;
    }

    /// <summary>String filters on the attributes tests use; EQUALS and PREFIX join by OR, the NOT_ forms by AND, as Security Hub does.</summary>
    private static bool Matches(JsonObject finding, string attribute, JsonArray? conditions)
    {
        if (conditions is null) throw Invalid($"Filter {attribute} must be a list of filters");
        if (conditions.Count > 20) throw Invalid($"Filter {attribute}: up to 20 values");
        var value = attribute switch
        {
            "Id" or "ProductArn" or "AwsAccountId" or "GeneratorId" or "Title" or "RecordState" or "Region" or "ProductName" => finding[attribute]?.GetValue<string>(),
            "ComplianceStatus" => finding["Compliance"]?["Status"]?.GetValue<string>(),
            "SeverityLabel" => finding["Severity"]?["Label"]?.GetValue<string>(),
            "WorkflowStatus" => finding["Workflow"]?["Status"]?.GetValue<string>(),
            "ResourceType" => finding["Resources"]?[0]?["Type"]?.GetValue<string>(),
            "ResourceId" => finding["Resources"]?[0]?["Id"]?.GetValue<string>(),
            "ResourceAwsIamUserUserName" => finding["Resources"]?[0]?["Details"]?["AwsIamUser"]?["UserName"]?.GetValue<string>(),
            _ => throw Invalid($"The double does not filter on {attribute}"),
        } ?? string.Empty;
        var positive = new List<bool>();
        foreach (var condition in conditions)
        {
            var wanted = condition?["Value"]?.GetValue<string>() ?? throw Invalid($"Filter {attribute} needs a Value");
            switch (condition["Comparison"]?.GetValue<string>())
            {
                case "EQUALS": positive.Add(value == wanted); break;
                case "PREFIX": positive.Add(value.StartsWith(wanted, StringComparison.Ordinal)); break;
                case "NOT_EQUALS": if (value == wanted) return false; break;
                case "PREFIX_NOT_EQUALS": if (value.StartsWith(wanted, StringComparison.Ordinal)) return false; break;
                case var other: throw Invalid($"Comparison '{other}' is not EQUALS, PREFIX, NOT_EQUALS or PREFIX_NOT_EQUALS");
            }
        }
        return positive.Count == 0 || positive.Contains(true);
    }

    /// <summary>A token bucket per account, Region and operation on the wall clock (clients pace themselves in real time).</summary>
    private bool Admit(string key, (double PerSecond, int Burst) limit)
    {
        var clock = state.Options.SigningClock;
        lock (_gate)
        {
            var now = clock.GetTimestamp();
            var (tokens, at) = _buckets.TryGetValue(key, out var bucket) ? bucket : (limit.Burst, now);
            tokens = Math.Min(limit.Burst, tokens + clock.GetElapsedTime(at, now).TotalSeconds * limit.PerSecond);
            var admitted = tokens >= 1;
            _buckets[key] = (admitted ? tokens - 1 : tokens, now);
            return admitted;
        }
    }

    private static JsonObject Parse(byte[] body)
    {
        if (body.Length == 0) return [];
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw Invalid("The request body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw Invalid($"The request body is not JSON: {e.Message}");
        }
    }

    private static bool NonEmptyString(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s);

    private static int Length(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s.Length : 0;

    private static AwsErrorException Invalid(string message) => new(400, "InvalidInputException", message);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}(:?\d{2})?)$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}

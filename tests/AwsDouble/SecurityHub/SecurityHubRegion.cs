using System.Globalization;
using System.Text.Json.Nodes;

namespace AwsDouble.SecurityHub;

/// <summary>A finding as Security Hub holds it now, and how many imports created or changed it.</summary>
public sealed record StoredFinding(string ProductArn, string Id, JsonObject Finding, DateTimeOffset UpdatedAt, int Versions)
{
    public string? Title => Text("Title");
    public string? Description => Text("Description");
    public string? RecordState => Text("RecordState");
    public string? ComplianceStatus => (Finding["Compliance"] as JsonObject)?["Status"]?.GetValue<string>();
    public string? SeverityLabel => (Finding["Severity"] as JsonObject)?["Label"]?.GetValue<string>();
    public string? WorkflowStatus => (Finding["Workflow"] as JsonObject)?["Status"]?.GetValue<string>();
    public string? ResourceId => (Finding["Resources"] as JsonArray)?.FirstOrDefault()?["Id"]?.GetValue<string>();

    /// <summary><c>Resources[0].Details.AwsIamUser.UserId</c>: the IAM user the finding is about.</summary>
    public string? UserId => (Finding["Resources"] as JsonArray)?.FirstOrDefault()?["Details"]?["AwsIamUser"]?["UserId"]?.GetValue<string>();

    private string? Text(string name) => Finding[name]?.GetValue<string>();
}

/// <summary>One BatchImportFindings call as it reached the double: how many findings, which were refused, and why.</summary>
public sealed record FindingImportCall(int Findings, int RequestBytes, IReadOnlyList<(string Id, string ErrorCode)> Failed, DateTimeOffset At);

/// <summary>
/// Security Hub in one Region of one account: enabled or not, the findings imported into it (by product ARN and Id), the
/// imports as they came, and FailedFindings a test asks for. Findings are updated as Security Hub updates them: only by a
/// newer <c>UpdatedAt</c>, keeping the customer's workflow, which goes back to NEW when the finding becomes active or
/// fails again.
/// </summary>
public sealed class SecurityHubRegion
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string ProductArn, string Id), StoredFinding> _findings = new();
    private readonly List<FindingImportCall> _imports = [];
    private int _throttled;
    private int _failCalls;
    private int _failPerCall;
    private string _failCode = "InternalException";

    internal SecurityHubRegion(string accountId, string region)
    {
        AccountId = accountId;
        Region = region;
    }

    public string AccountId { get; }
    public string Region { get; }

    /// <summary>Calls refused because they came faster than Security Hub's throttle allows.</summary>
    public int ThrottledCalls => Volatile.Read(ref _throttled);

    internal void CountThrottled() => Interlocked.Increment(ref _throttled);

    /// <summary>False: every call is refused with InvalidAccessException, as for an account that never enabled Security Hub.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The account's default product, the one custom integration it may import findings for.</summary>
    public string DefaultProductArn => $"arn:aws:securityhub:{Region}:{AccountId}:product/{AccountId}/default";

    public IReadOnlyList<StoredFinding> Findings
    {
        get
        {
            lock (_gate) return [.. _findings.Values.OrderBy(f => f.Id, StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<FindingImportCall> Imports
    {
        get
        {
            lock (_gate) return [.. _imports];
        }
    }

    /// <summary>The next <paramref name="calls"/> imports refuse their last <paramref name="perCall"/> valid findings with <paramref name="errorCode"/>.</summary>
    public void FailFindings(int calls, int perCall, string errorCode = "InternalException")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(calls, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perCall, 1);
        lock (_gate)
        {
            _failCalls = calls;
            _failPerCall = perCall;
            _failCode = errorCode;
        }
    }

    /// <summary>Stores the findings that passed validation; returns the ids refused by a FailFindings plan.</summary>
    internal IReadOnlyList<(string Id, string ErrorCode, string Message)> Import(
        IReadOnlyList<JsonObject> valid, IReadOnlyList<(string Id, string ErrorCode, string Message)> invalid, int requestBytes, DateTimeOffset now)
    {
        lock (_gate)
        {
            var refused = new List<(string Id, string ErrorCode, string Message)>(invalid);
            var accepted = valid;
            if (_failCalls > 0)
            {
                _failCalls--;
                var cut = Math.Max(0, valid.Count - _failPerCall);
                accepted = valid.Take(cut).ToList();
                refused.AddRange(valid.Skip(cut).Select(f => (f["Id"]!.GetValue<string>(), _failCode, "Internal server error, please retry")));
            }
            foreach (var finding in accepted) Upsert(finding, now);
            _imports.Add(new FindingImportCall(valid.Count + invalid.Count, requestBytes, refused.Select(r => (r.Id, r.ErrorCode)).ToList(), now));
            return refused;
        }
    }

    private void Upsert(JsonObject incoming, DateTimeOffset now)
    {
        var productArn = incoming["ProductArn"]!.GetValue<string>();
        var id = incoming["Id"]!.GetValue<string>();
        var updatedAt = Time(incoming["UpdatedAt"]!.GetValue<string>());
        var finding = (JsonObject)incoming.DeepClone();
        // What Security Hub fills in itself.
        finding["Region"] = Region;
        finding["ProductName"] ??= "Default";
        finding["CompanyName"] ??= "Personal";
        finding["RecordState"] ??= "ACTIVE";
        if (finding["FindingProviderFields"] is JsonObject provider)
        {
            if (provider["Severity"] is JsonObject severity) finding["Severity"] = WithNormalized((JsonObject)severity.DeepClone());
            if (provider["Types"] is JsonArray types) finding["Types"] = types.DeepClone();
        }
        else if (finding["Severity"] is JsonObject severity)
        {
            finding["Severity"] = WithNormalized(severity);
        }
        finding["ProcessedAt"] = now.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        if (!_findings.TryGetValue((productArn, id), out var stored))
        {
            finding["Workflow"] = new JsonObject { ["Status"] = "NEW" };
            finding["WorkflowState"] = "NEW";
            _findings[(productArn, id)] = new StoredFinding(productArn, id, finding, updatedAt, 1);
            return;
        }
        // An update counts only with a newer UpdatedAt; an older or equal one is ignored, the call still succeeds.
        if (updatedAt <= stored.UpdatedAt) return;
        // Workflow, notes and the customer's fields are theirs (BatchUpdateFindings); a provider cannot change them.
        foreach (var customerOwned in new[] { "Note", "UserDefinedFields", "VerificationState" })
        {
            if (stored.Finding[customerOwned] is { } value) finding[customerOwned] = value.DeepClone();
            else finding.Remove(customerOwned);
        }
        var workflow = stored.WorkflowStatus ?? "NEW";
        var reactivated = stored.RecordState == "ARCHIVED" && finding["RecordState"]?.GetValue<string>() == "ACTIVE";
        var newStatus = (finding["Compliance"] as JsonObject)?["Status"]?.GetValue<string>();
        var failsAgain = stored.ComplianceStatus == "PASSED" && newStatus is "FAILED" or "WARNING" or "NOT_AVAILABLE";
        if (workflow is "NOTIFIED" or "RESOLVED" && (reactivated || failsAgain)) workflow = "NEW";
        finding["Workflow"] = new JsonObject { ["Status"] = workflow };
        finding["WorkflowState"] = workflow;
        _findings[(productArn, id)] = new StoredFinding(productArn, id, finding, updatedAt, stored.Versions + 1);
    }

    /// <summary>Sets a stored finding's workflow, as a customer's BatchUpdateFindings would.</summary>
    public void SetWorkflowStatus(string id, string status)
    {
        lock (_gate)
        {
            var key = _findings.Keys.Single(k => k.Id == id);
            var stored = _findings[key];
            var finding = (JsonObject)stored.Finding.DeepClone();
            finding["Workflow"] = new JsonObject { ["Status"] = status };
            finding["WorkflowState"] = status;
            _findings[key] = stored with { Finding = finding };
        }
    }

    /// <summary>Label and Normalized both present, as Security Hub fills the one a provider left out.</summary>
    private static JsonObject WithNormalized(JsonObject severity)
    {
        if (severity["Label"] is JsonValue label && severity["Normalized"] is null)
        {
            severity["Normalized"] = label.GetValue<string>() switch
            {
                "LOW" => 1,
                "MEDIUM" => 40,
                "HIGH" => 70,
                "CRITICAL" => 90,
                _ => 0,
            };
        }
        return severity;
    }

    internal static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}

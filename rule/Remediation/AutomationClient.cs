using System.Text.Json.Serialization;
using MfaConfigRule.Aws;

namespace MfaConfigRule.Remediation;

/// <summary>One SSM Automation execution as <c>GetAutomationExecution</c> describes it: what ran, how far, with which parameters.</summary>
internal sealed record AutomationExecution(string Id, string DocumentName, string Status, IReadOnlyDictionary<string, IReadOnlyList<string>> Parameters)
{
    public const string InProgress = "InProgress";
}

/// <summary>
/// Systems Manager over JSON 1.1 (target prefix <c>AmazonSSM</c>), in the caller's Region: the one read the Organization's
/// central remediate function makes in a member, to see the automation that asked it to act.
/// </summary>
internal sealed class AutomationClient
{
    public const string TargetPrefix = "AmazonSSM";
    public const string NotFoundCode = "AutomationExecutionNotFoundException";

    private readonly JsonProtocolClient _json;

    public AutomationClient(JsonProtocolClient json)
    {
        ArgumentNullException.ThrowIfNull(json);
        _json = json;
    }

    public static AutomationClient Over(IAwsConnection aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        return new AutomationClient(new JsonProtocolClient(aws.Transport, AwsService.Ssm, aws.Endpoints.Resolve(AwsService.Ssm), TargetPrefix));
    }

    /// <summary>The execution, or null when this account and Region have none with that ID (<see cref="NotFoundCode"/>).</summary>
    public async Task<AutomationExecution?> GetAutomationExecutionAsync(string executionId, CancellationToken cancellationToken)
    {
        const string operation = "GetAutomationExecution";
        ArgumentException.ThrowIfNullOrWhiteSpace(executionId);
        GetAutomationExecutionResponse response;
        try
        {
            response = await _json.InvokeAsync(operation, new GetAutomationExecutionRequest(executionId),
                AutomationJsonContext.Default.GetAutomationExecutionRequest, AutomationJsonContext.Default.GetAutomationExecutionResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.ErrorCode == NotFoundCode)
        {
            return null;
        }
        var execution = response.AutomationExecution ?? throw _json.MalformedResponse(operation, "the response has no AutomationExecution");
        return new AutomationExecution(
            execution.AutomationExecutionId ?? throw _json.MalformedResponse(operation, "the execution has no AutomationExecutionId"),
            execution.DocumentName ?? throw _json.MalformedResponse(operation, "the execution has no DocumentName"),
            execution.AutomationExecutionStatus ?? throw _json.MalformedResponse(operation, "the execution has no AutomationExecutionStatus"),
            (execution.Parameters ?? new Dictionary<string, IReadOnlyList<string>>()).ToDictionary(p => p.Key, p => p.Value ?? [], StringComparer.Ordinal));
    }
}

internal sealed record GetAutomationExecutionRequest(string AutomationExecutionId);

internal sealed record GetAutomationExecutionResponse(WireAutomationExecution? AutomationExecution);

internal sealed record WireAutomationExecution(
    string? AutomationExecutionId,
    string? DocumentName,
    string? AutomationExecutionStatus,
    Dictionary<string, IReadOnlyList<string>>? Parameters);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GetAutomationExecutionRequest))]
[JsonSerializable(typeof(GetAutomationExecutionResponse))]
internal sealed partial class AutomationJsonContext : JsonSerializerContext;

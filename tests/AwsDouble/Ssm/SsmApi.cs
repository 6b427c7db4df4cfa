using System.Text.Json.Nodes;
using AwsDouble.Protocol;

namespace AwsDouble.Ssm;

/// <summary>
/// Systems Manager's JSON 1.1 operations the project calls (target prefix <c>AmazonSSM</c>, signing name <c>ssm</c>):
/// <c>GetAutomationExecution</c>, answered from the caller's own account and the signed Region, with SSM's validation
/// (the ID is 36 characters) and its <c>AutomationExecutionNotFoundException</c>.
/// </summary>
internal sealed class SsmApi(AwsDoubleState state)
{
    public const string TargetPrefix = "AmazonSSM";

    public JsonObject Handle(AwsCall call, JsonRequest request)
    {
        var ssm = state.Account(call.Caller.AccountId).Ssm(call.Region);
        return call.Operation switch
        {
            "GetAutomationExecution" => GetAutomationExecution(ssm, request),
            _ => throw new AwsErrorException(400, "UnknownOperationException", string.Empty),
        };
    }

    private static JsonObject GetAutomationExecution(SsmRegion ssm, JsonRequest request)
    {
        var id = request.RequiredString("AutomationExecutionId");
        if (id.Length != 36)
        {
            throw JsonErrors.Validation(
                $"1 validation error detected: Value '{id}' at 'automationExecutionId' failed to satisfy constraint: Member must have length {(id.Length > 36 ? "less" : "greater")} than or equal to 36");
        }
        var execution = ssm.Find(id) ?? throw new AwsErrorException(400, "AutomationExecutionNotFoundException", $"Automation Execution {id} is not found.");
        var parameters = new JsonObject();
        foreach (var (name, values) in execution.Parameters) parameters[name] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
        var body = new JsonObject
        {
            ["AutomationExecutionId"] = execution.AutomationExecutionId,
            ["DocumentName"] = execution.DocumentName,
            ["DocumentVersion"] = execution.DocumentVersion,
            ["ExecutionStartTime"] = JsonBody.Time(execution.ExecutionStartTime),
            ["AutomationExecutionStatus"] = execution.Status,
            ["Parameters"] = parameters,
            ["Mode"] = "Auto",
            ["ExecutedBy"] = execution.ExecutedBy,
            ["StepExecutionsTruncated"] = false,
        };
        if (execution.ExecutionEndTime is { } ended) body["ExecutionEndTime"] = JsonBody.Time(ended);
        return new JsonObject { ["AutomationExecution"] = body };
    }
}

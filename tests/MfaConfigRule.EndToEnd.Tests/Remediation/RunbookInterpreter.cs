using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests.Remediation;

/// <summary>How an automation ended, with every step output by <c>Step.Output</c>, as SSM shows them.</summary>
internal sealed record AutomationExecution(string Status, string? FailureMessage, IReadOnlyDictionary<string, JsonNode?> Outputs)
{
    /// <summary>The execution's ID in the account's SSM, when the run was registered there (<see cref="AutomationHost"/>).</summary>
    public string? ExecutionId { get; init; }

    public bool Succeeded => Status == "Success";
}

/// <summary>
/// Runs an SSM Automation runbook (schemaVersion 0.3) for exactly the actions the remediation runbook uses:
/// <c>aws:invokeLambdaFunction</c> sends the resolved <c>InputPayload</c> to the rule's binary running as a Lambda runtime,
/// and <c>aws:executeScript</c> runs the embedded Python with python3 (events = the resolved <c>InputPayload</c>), so the
/// JSON the function returns is exactly what the assert step reads. A script runs with the automation's credentials
/// against the double (<see cref="AutomationHost.AutomationSession"/>), or with none; never with the machine's AWS setup. Parameters are checked against their
/// <c>allowedPattern</c> and <c>allowedValues</c>; <c>{{ name }}</c> references resolve to parameters and earlier outputs;
/// a failed step with <c>onFailure: Abort</c> fails the automation. Anything else in a runbook is refused, not guessed.
/// </summary>
/// <summary>
/// Where an automation runs, as SSM would record it: the run is an execution of <paramref name="DocumentName"/> in that
/// account's and Region's SSM in the double (InProgress while the steps run, then Success or Failed), and the system
/// variables <c>automation:EXECUTION_ID</c>, <c>global:ACCOUNT_ID</c> and <c>global:REGION</c> resolve to it.
/// </summary>
internal sealed record AutomationHost(AwsDouble.Ssm.SsmRegion Ssm, string DocumentName)
{
    /// <summary>
    /// The credentials Automation runs with: a session of the runbook's <c>assumeRole</c> (from
    /// <c>account.StartRoleSession(role, session, duration)</c>). Every <c>aws:executeScript</c> step gets exactly these keys,
    /// the host's Region and <see cref="Endpoint"/>; without it a script has no AWS credentials at all.
    /// </summary>
    public AwsDouble.Auth.Principal? AutomationSession { get; init; }

    /// <summary>The double's base URL (<c>Aws.BaseUrl</c>), every script's <c>AWS_ENDPOINT_URL</c>; required with <see cref="AutomationSession"/>.</summary>
    public Uri? Endpoint { get; init; }
}

internal sealed partial class RunbookInterpreter(JsonObject runbook, IReadOnlyDictionary<string, LambdaFunction> functions, AutomationHost? host = null)
{
    public static JsonObject Parse(string content)
    {
        var runbook = JsonNode.Parse(content) as JsonObject ?? throw new InvalidOperationException("the runbook is not a JSON (YAML flow) object");
        if (runbook["schemaVersion"]?.GetValue<string>() != "0.3") throw new InvalidOperationException("not an Automation runbook (schemaVersion 0.3)");
        return runbook;
    }

    public async Task<AutomationExecution> RunAsync(IReadOnlyDictionary<string, JsonNode?> given)
    {
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, declared) in runbook["parameters"]!.AsObject())
        {
            var value = given.TryGetValue(name, out var supplied) ? supplied?.DeepClone() : declared!["default"]?.DeepClone();
            if (value is null) return Failed($"InvalidParameters: {name} is required");
            if (declared!["allowedPattern"]?.GetValue<string>() is { } pattern && !Regex.IsMatch(value.GetValue<string>(), pattern))
                return Failed($"InvalidParameters: {name} '{value}' does not match {pattern}");
            if (declared["allowedValues"] is JsonArray allowed && !allowed.Any(a => a!.GetValue<string>() == value.GetValue<string>()))
                return Failed($"InvalidParameters: {name} '{value}' is not one of the allowed values");
            values[name] = value;
        }
        foreach (var name in given.Keys.Where(k => !values.ContainsKey(k)))
            return Failed($"InvalidParameters: {name} is not a parameter of the runbook");

        string? executionId = null;
        if (host is not null)
        {
            // StartAutomationExecution's parameters are lists of strings, as given (defaults are not added).
            var started = host.Ssm.StartAutomationExecution(host.DocumentName,
                given.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)[p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString() ?? string.Empty], StringComparer.Ordinal));
            executionId = started.AutomationExecutionId;
            values["automation:EXECUTION_ID"] = executionId;
            values["global:ACCOUNT_ID"] = host.Ssm.AccountId;
            values["global:REGION"] = host.Ssm.Region;
            CheckAssumeRole(values);
        }
        var execution = await RunStepsAsync(values);
        if (host is not null) host.Ssm.Finish(executionId!, execution.Status);
        return execution with { ExecutionId = executionId };
    }

    private async Task<AutomationExecution> RunStepsAsync(Dictionary<string, JsonNode?> values)
    {
        var steps = runbook["mainSteps"]!.AsArray().Select(s => s!.AsObject()).ToList();
        var outputs = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        for (var index = 0; index < steps.Count;)
        {
            var step = steps[index];
            var name = step["name"]!.GetValue<string>();
            var inputs = Resolve(step["inputs"]!, values, outputs)!.AsObject();
            var (ok, stepOutputs, failure) = step["action"]!.GetValue<string>() switch
            {
                "aws:invokeLambdaFunction" => await InvokeAsync(inputs),
                "aws:executeScript" => await ExecuteScriptAsync(inputs, step["outputs"] as JsonArray, ScriptEnvironment()),
                var other => throw new NotSupportedException($"the interpreter does not run {other}"),
            };
            foreach (var (output, value) in stepOutputs) outputs[$"{name}.{output}"] = value;
            if (!ok && (step["onFailure"]?.GetValue<string>() ?? "Abort") == "Abort")
                return new AutomationExecution("Failed", $"Step {name} failed: {failure}", outputs);
            if (step["isEnd"]?.GetValue<bool>() == true) break;
            index = step["nextStep"]?.GetValue<string>() is { } next ? steps.FindIndex(s => s["name"]!.GetValue<string>() == next) : index + 1;
            if (index < 0) throw new InvalidOperationException($"{name}: nextStep names no step");
        }
        return new AutomationExecution("Success", null, outputs);
    }

    private async Task<(bool Ok, Dictionary<string, JsonNode?> Outputs, string? Failure)> InvokeAsync(JsonObject inputs)
    {
        var functionName = inputs["FunctionName"]!.GetValue<string>();
        if (!functions.TryGetValue(functionName, out var function)) return (false, [], $"ResourceNotFoundException: no function {functionName}");
        if ((inputs["InvocationType"]?.GetValue<string>() ?? "RequestResponse") != "RequestResponse")
            throw new NotSupportedException("only RequestResponse invocations return a payload to assert on");
        var outcome = await function.InvokeAsync((inputs["InputPayload"] ?? new JsonObject()).ToJsonString());
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal) { ["StatusCode"] = 200, ["Payload"] = outcome.Body };
        if (!outcome.Succeeded) result["FunctionError"] = "Unhandled";
        return (true, result, null);
    }

    /// <summary>Automation runs as the role its <c>assumeRole</c> names: a session of another role would prove nothing.</summary>
    private void CheckAssumeRole(Dictionary<string, JsonNode?> values)
    {
        if (host?.AutomationSession is not { } session) return;
        if (host.Endpoint is null) throw new InvalidOperationException("AutomationHost.AutomationSession needs AutomationHost.Endpoint (the double's BaseUrl)");
        if (runbook["assumeRole"] is not { } declared) return;
        var role = Resolve(declared, values, [])?.GetValue<string>();
        if (role != session.IdentityArn)
            throw new InvalidOperationException($"the runbook's assumeRole is {role ?? "(none)"}, but AutomationSession is a session of {session.IdentityArn}: Automation runs as the role the parameter names");
    }

    /// <summary>
    /// Exactly what a script may see of AWS: the automation's keys, Region and the double's endpoint, or nothing; no config
    /// or credentials file and no instance metadata. Every inherited AWS_* variable is dropped before these are set, and
    /// Tool adds none of its own (<c>exactAwsEnvironment</c>).
    /// </summary>
    private Dictionary<string, string> ScriptEnvironment() =>
        Boto3.Environment(host?.Endpoint, host?.Ssm.Region,
            host?.AutomationSession?.AccessKeyId, host?.AutomationSession?.SecretAccessKey, host?.AutomationSession?.SessionToken);

    private static async Task<(bool Ok, Dictionary<string, JsonNode?> Outputs, string? Failure)> ExecuteScriptAsync(JsonObject inputs, JsonArray? declaredOutputs, Dictionary<string, string> environment)
    {
        if (inputs["Runtime"]!.GetValue<string>() is not "python3.11") throw new NotSupportedException("only python3.11 scripts are run");
        var directory = Directory.CreateTempSubdirectory("runbook-script-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "runbook_step.py"), inputs["Script"]!.GetValue<string>());
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "events.json"), (inputs["InputPayload"] ?? new JsonObject()).ToJsonString());
            // The handler's return value goes to a file, so whatever the script prints (its log, in SSM) cannot corrupt it.
            var driver = $"import json, runbook_step\njson.dump(runbook_step.{inputs["Handler"]!.GetValue<string>()}(json.load(open('events.json')), None), open('result.json', 'w'))";
            ToolRun python;
            try
            {
                // Exactly the script's AWS variables (ScriptEnvironment), none of Tool's own or the shell's.
                python = await Tool.RunAsync("python3", ["-c", driver], TimeSpan.FromMinutes(2), environment, directory.FullName, exactAwsEnvironment: true);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("python3 is needed to run the runbook's aws:executeScript step, and it is not on PATH", e);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"the aws:executeScript step ran over 2 minutes: {e.Message}", e);
            }
            if (python.ExitCode != 0)
            {
                // Automation reports the exception's message; the last line of a Python traceback is "Exception: message".
                var last = python.Stderr.TrimEnd().Split('\n')[^1];
                return (false, [], last.StartsWith("Exception: ", StringComparison.Ordinal) ? last["Exception: ".Length..] : last);
            }
            var payload = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory.FullName, "result.json")));
            var outputs = new Dictionary<string, JsonNode?>(StringComparer.Ordinal) { ["Payload"] = payload?.DeepClone() };
            foreach (var output in declaredOutputs ?? [])
                outputs[output!["Name"]!.GetValue<string>()] = Select(payload, output["Selector"]!.GetValue<string>());
            return (true, outputs, null);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The JSONPath subset the runbook uses: <c>$.Payload.name</c>.</summary>
    private static JsonNode? Select(JsonNode? payload, string selector)
    {
        if (!selector.StartsWith("$.Payload.", StringComparison.Ordinal)) throw new NotSupportedException($"selector {selector}");
        var node = payload;
        foreach (var part in selector["$.Payload.".Length..].Split('.')) node = node?[part];
        return node?.DeepClone();
    }

    /// <summary>A string that is exactly one reference takes the referenced value (keeping its type); references inside text are replaced as text.</summary>
    private static JsonNode? Resolve(JsonNode? node, Dictionary<string, JsonNode?> parameters, Dictionary<string, JsonNode?> outputs)
    {
        switch (node)
        {
            case JsonObject obj:
                return new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Resolve(p.Value, parameters, outputs))));
            case JsonArray array:
                return new JsonArray(array.Select(i => Resolve(i, parameters, outputs)).ToArray());
            case JsonValue value when value.TryGetValue<string>(out var text):
                JsonNode? Lookup(string name) =>
                    parameters.TryGetValue(name, out var p) ? p : outputs.TryGetValue(name, out var o) ? o
                    : throw new InvalidOperationException($"{{{{ {name} }}}} names neither a parameter nor an output of an earlier step");
                var whole = Reference().Match(text);
                if (whole.Success && whole.Length == text.Length) return Lookup(whole.Groups[1].Value)?.DeepClone();
                return Reference().Replace(text, m => Lookup(m.Groups[1].Value) is JsonValue v && v.TryGetValue<string>(out var s) ? s : Lookup(m.Groups[1].Value)?.ToJsonString() ?? string.Empty);
            default:
                return node?.DeepClone();
        }
    }

    private static AutomationExecution Failed(string message) => new("Failed", message, new Dictionary<string, JsonNode?>());

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.:]+)\s*\}\}")]
    private static partial Regex Reference();
}

using System.Text.Encodings.Web;
using System.Text.Json;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Infra.Constructs.Remediation;

/// <summary>
/// The SSM Automation runbook (schemaVersion 0.3): one step invokes the <c>remediate</c> function, which decides and acts;
/// one step asserts its structured result and fails the automation unless it is ok. The decision lives in the function,
/// in C#, with the rule's own evaluator; the runbook only carries the request and the verdict.
/// </summary>
/// <remarks>
/// Written as JSON and declared YAML: YAML is a superset of JSON, and only a YAML runbook may embed an
/// <c>aws:executeScript</c> script (a JSON runbook needs an attachment). The assert step parses the function's answer
/// itself, so it holds whether or not Automation fails the invoke step when the function reports an error
/// (FunctionError), which the documentation does not say.
/// </remarks>
internal static class RemediationDocument
{
    public const string InvokeStep = "Remediate";
    public const string AssertStep = "AssertResult";
    public const string ScriptRuntime = "python3.11";
    public const string ScriptHandler = "assert_result";

    /// <summary>The payload keys an Organization member's runbook adds (MemberRemediationRequest reads them).</summary>
    public const string OrganizationAccountIdKey = "AccountId";
    public const string OrganizationExecutionIdKey = "AutomationExecutionId";

    /// <summary>Fails the step (so the automation, and Config's remediation, show failed) unless the function said ok.</summary>
    public const string AssertScript = """
        import json


        def assert_result(events, context):
            raw = events.get("Result")
            try:
                result = json.loads(raw) if isinstance(raw, str) else raw
            except ValueError:
                raise Exception("the remediate function did not answer with JSON: " + str(raw)[:500])
            if not isinstance(result, dict) or "outcome" not in result:
                raise Exception("the remediate function failed: " + json.dumps(result)[:1000])
            if result.get("ok") is not True:
                raise Exception(result["outcome"] + ": " + result.get("why", ""))
            return {
                "outcome": result["outcome"],
                "changed": result.get("changed") is True,
                "why": result.get("why", ""),
                "result": json.dumps(result),
            }
        """;

    public static string Description(RemediationAction action, string ruleName) =>
        "# MFA for IAM console users: remediation\n\n" +
        $"Remediates one IAM user that the Config rule **{ruleName}** found NON_COMPLIANT (a console password without MFA). " +
        "The remediate function re-reads the user live and judges it with the rule's own logic and parameters; it changes " +
        "nothing for a user who now has MFA, has no password, is exempt, or is inside the grace period, and it never touches " +
        "a user whose verdict it cannot re-confirm. The automation fails unless the result is ok; its outputs say what was " +
        "found, what was done and why.\n\n" +
        (action == RemediationAction.EnforceMfa
            ? "**EnforceMfa**: attaches the stack's enforcement policy. Until the user signs in with MFA they can only change " +
              "their own password and set up their own MFA device. The policy comes off by itself within the hour once MFA " +
              "is on. **Undo**: `aws iam detach-user-policy --user-name USER --policy-arn POLICY_ARN` (the result's `undo`)."
            : "**DisableConsoleAccess**: deletes the user's console password (login profile); access keys are untouched. " +
              "The result records when the password was created. **Undo**: `aws iam create-login-profile --user-name USER " +
              "--password-reset-required --password TEMPORARY` and hand the temporary password over.") +
        "\n\n`DryRun=true` reports what would be done and changes nothing.";

    /// <summary>The runbook as the text CloudFormation stores; <paramref name="functionArn"/> may be a CDK token.</summary>
    /// <param name="organization">
    /// An Organization member's runbook: it invokes the admin account's central function by ARN, and adds the account it
    /// runs in and its own execution ID, which the function checks against that account's SSM before it acts.
    /// </param>
    public static string Content(string functionArn, RemediationAction action, string ruleName, bool organization = false)
    {
        var payload = new Dictionary<string, object>
        {
            ["IAMResourceId"] = "{{ IAMResourceId }}",
            ["Action"] = "{{ Action }}",
            ["DryRun"] = "{{ DryRun }}",
        };
        if (organization)
        {
            payload[OrganizationAccountIdKey] = "{{ global:ACCOUNT_ID }}";
            payload[OrganizationExecutionIdKey] = "{{ automation:EXECUTION_ID }}";
        }
        var document = new Dictionary<string, object>
        {
            ["schemaVersion"] = "0.3",
            ["description"] = Description(action, ruleName),
            ["assumeRole"] = "{{ AutomationAssumeRole }}",
            ["parameters"] = new Dictionary<string, object>
            {
                ["IAMResourceId"] = new Dictionary<string, object>
                {
                    ["type"] = "String",
                    ["description"] = "(Required) The IAM user ID (AIDA...) to remediate: Config passes the resource ID.",
                    ["allowedPattern"] = "^AIDA[A-Z0-9]{16,124}$",
                },
                ["AutomationAssumeRole"] = new Dictionary<string, object>
                {
                    ["type"] = "String",
                    ["description"] = "(Required) The role Automation runs as; it may only invoke the remediate function.",
                    ["allowedPattern"] = "^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$",
                },
                ["Action"] = new Dictionary<string, object>
                {
                    ["type"] = "String",
                    ["description"] = "(Optional) The remediation this deployment enables.",
                    ["default"] = action.ToWire(),
                    ["allowedValues"] = new[] { action.ToWire() },
                },
                ["DryRun"] = new Dictionary<string, object>
                {
                    ["type"] = "Boolean",
                    ["description"] = "(Optional) true: report what would be done and change nothing.",
                    ["default"] = false,
                },
            },
            ["mainSteps"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["name"] = InvokeStep,
                    ["action"] = "aws:invokeLambdaFunction",
                    ["description"] = "Re-reads the user live, decides, and makes at most one IAM change.",
                    ["timeoutSeconds"] = 120,
                    ["maxAttempts"] = 1,
                    ["onFailure"] = "Abort",
                    ["inputs"] = new Dictionary<string, object>
                    {
                        ["FunctionName"] = functionArn,
                        ["InvocationType"] = "RequestResponse",
                        ["InputPayload"] = payload,
                    },
                    ["nextStep"] = AssertStep,
                },
                new Dictionary<string, object>
                {
                    ["name"] = AssertStep,
                    ["action"] = "aws:executeScript",
                    ["description"] = "Fails the automation unless the function's result is ok.",
                    ["timeoutSeconds"] = 60,
                    ["onFailure"] = "Abort",
                    ["isEnd"] = true,
                    ["inputs"] = new Dictionary<string, object>
                    {
                        ["Runtime"] = ScriptRuntime,
                        ["Handler"] = ScriptHandler,
                        ["InputPayload"] = new Dictionary<string, object> { ["Result"] = $"{{{{ {InvokeStep}.Payload }}}}" },
                        ["Script"] = AssertScript,
                    },
                    ["outputs"] = new object[]
                    {
                        Output("Outcome", "$.Payload.outcome", "String"),
                        Output("Changed", "$.Payload.changed", "Boolean"),
                        Output("Why", "$.Payload.why", "String"),
                        Output("Result", "$.Payload.result", "String"),
                    },
                },
            },
            ["outputs"] = new[] { $"{AssertStep}.Outcome", $"{AssertStep}.Changed", $"{AssertStep}.Why", $"{AssertStep}.Result" },
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static Dictionary<string, object> Output(string name, string selector, string type) =>
        new() { ["Name"] = name, ["Selector"] = selector, ["Type"] = type };
}

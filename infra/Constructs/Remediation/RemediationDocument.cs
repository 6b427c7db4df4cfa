using System.Text.Encodings.Web;
using System.Text.Json;
using MfaConfigRule.Contract;

namespace MfaConfigRule.Infra.Constructs.Remediation;

/// <summary>
/// The SSM Automation runbook (schemaVersion 0.3): one step (<see cref="InvokeStep"/>) invokes the <c>remediate</c>
/// function, which decides and acts; one step asserts its structured result and fails the automation unless it is ok. The
/// decision lives in the function, in C#, with the rule's own evaluator; the runbook only carries the request and the
/// verdict. In one account (<see cref="Content"/>) the first step is <c>aws:invokeLambdaFunction</c> on the function of the
/// same account. In an Organization member (<see cref="OrganizationContent"/>) it is an <c>aws:executeScript</c>
/// (<see cref="InvokeScript"/>) that assumes the admin account's invoker role and invokes the central function as that
/// role: the central function then needs no resource-based policy, and the invoker role's trust can name the members'
/// Automation role (aws:PrincipalArn), which a Lambda permission cannot.
/// </summary>
/// <remarks>
/// Written as JSON and declared YAML: YAML is a superset of JSON, and only a YAML runbook may embed an
/// <c>aws:executeScript</c> script (a JSON runbook needs an attachment). The assert step parses the function's answer
/// itself, so it holds whether or not Automation fails the invoke step when the function reports an error
/// (FunctionError), which the documentation does not say. Either way <c>{{ Remediate.Payload }}</c> is the function's
/// answer: aws:invokeLambdaFunction's Payload output, or aws:executeScript's Payload output, "the JSON representation of
/// the object returned by your function" (AWS Systems Manager User Guide, "aws:executeScript – Run a script"), which
/// <see cref="InvokeScript"/> makes the function's answer itself. The script declares no output of its own named Payload:
/// whether a declared output may shadow that predefined one is not documented.
/// </remarks>
internal static class RemediationDocument
{
    public const string InvokeStep = "Remediate";
    public const string AssertStep = "AssertResult";
    public const string ScriptRuntime = "python3.11";
    public const string ScriptHandler = "assert_result";

    /// <summary>The Organization members' Automation role: fixed, so the admin account's invoker role can trust it by name.</summary>
    public const string MemberAutomationRoleName = "MfaConfigRule-RemediationAutomation";

    /// <summary>The admin account's role the Organization runbook's first step assumes to invoke the central function.</summary>
    public const string CentralInvokerRoleName = "MfaConfigRule-RemediationInvoker";

    public const string InvokeHandler = "invoke_central_function";

    /// <summary>
    /// The Organization runbook's invoke step may run this long: the script's own budget is at most about 230 s (AssumeRole
    /// 3 x 15 s, Invoke's throttling back-off 30 s and connects 4 x 5 s, then <see cref="InvokeReadTimeoutSeconds"/>).
    /// aws:executeScript allows at most 600 s.
    /// </summary>
    public const int InvokeStepTimeoutSeconds = 300;

    /// <summary>How long the script waits for the central function's answer: what the single-account step allows the function.</summary>
    public const int InvokeReadTimeoutSeconds = 120;

    /// <summary>
    /// The Organization runbook's invoke step: assume the invoker role (in the function's Region, with the automation's own
    /// credentials, which Automation gives the script from AutomationAssumeRole), invoke the central function with the
    /// request, and return its answer. It decides nothing: it carries the request and the answer, and any failure to get
    /// an answer fails the step.
    /// </summary>
    /// <remarks>
    /// Retries are chosen, not defaulted. botocore's defaults (legacy mode, 60 s read timeout, retries on a read timeout)
    /// would send the request again while the first invocation may still run. Here: AssumeRole retries as botocore's
    /// standard mode does (it changes nothing). Invoke has botocore's retries off (both its modes would send Invoke again
    /// after a read timeout) and retries by itself only what never reached the function: throttling
    /// (TooManyRequestsException, HTTP 429: the function's reserved concurrency is in use, it did not run; aws:executeScript
    /// has no automatic throttling retry of its own) and a connection that could not be made (botocore's ConnectionError),
    /// with back-off 2, 4, 8, 16 s. A read timeout or a closed connection (HTTPClientError) is not retried: the request may
    /// have reached the function. The function reads this automation once more right before it writes, so once this step
    /// has failed (and with it the automation) it changes nothing in its name; Config's automatic remediation, or the
    /// operator, runs the automation again. What the function answers is returned as the step's output as it is:
    /// the answer itself when it is a JSON object and the function reported no error, else the FunctionError and the
    /// body, which the assert step then fails on.
    /// </remarks>
    public static readonly string InvokeScript = $$"""
        import json
        import re
        import time

        import boto3
        from botocore.config import Config
        from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

        READ_TIMEOUT = {{InvokeReadTimeoutSeconds}}
        INVOKE_ATTEMPTS = 5


        def invoke_central_function(events, context):
            function_arn = events["FunctionArn"]
            invoker_role_arn = events["InvokerRoleArn"]
            payload = events["Payload"]
            region = function_arn.split(":")[3]
            session_name = re.sub(r"[^\w+=,.@-]", "-", "%s-%s" % (payload["AccountId"], payload["AutomationExecutionId"]))[:64]
            sts = boto3.client("sts", region_name=region,
                               config=Config(connect_timeout=5, read_timeout=10, retries={"mode": "standard", "max_attempts": 3}))
            try:
                credentials = sts.assume_role(RoleArn=invoker_role_arn, RoleSessionName=session_name, DurationSeconds=900)["Credentials"]
            except ClientError as error:
                if "AccessDenied" in error.response.get("Error", {}).get("Code", ""):
                    raise Exception(
                        "AccessDenied: this automation's role may not assume the invoker role " + invoker_role_arn + ". That role trusts "
                        "only a role named {{MemberAutomationRoleName}} (aws:PrincipalArn) in an account of the Organization the admin "
                        "stack was deployed for (aws:PrincipalOrgID): check that this account is in that Organization, that "
                        "AutomationAssumeRole is this account's {{MemberAutomationRoleName}}, and that the invoker role exists. " + str(error))
                raise Exception("could not assume the invoker role " + invoker_role_arn + ": " + str(error))
            client = boto3.client("lambda", region_name=region,
                                  aws_access_key_id=credentials["AccessKeyId"],
                                  aws_secret_access_key=credentials["SecretAccessKey"],
                                  aws_session_token=credentials["SessionToken"],
                                  config=Config(connect_timeout=5, read_timeout=READ_TIMEOUT,
                                                retries={"mode": "standard", "total_max_attempts": 1}))
            request = json.dumps(payload).encode()
            for attempt in range(1, INVOKE_ATTEMPTS + 1):
                try:
                    response = client.invoke(FunctionName=function_arn, InvocationType="RequestResponse", Payload=request)
                    break
                except ClientError as error:
                    throttled = (error.response.get("Error", {}).get("Code") == "TooManyRequestsException"
                                 or error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 429)
                    if throttled and attempt < INVOKE_ATTEMPTS:
                        time.sleep(2 ** attempt)
                        continue
                    raise Exception("the invoker role could not invoke the central remediate function " + function_arn + ": " + str(error))
                except ConnectionError as error:
                    if attempt < INVOKE_ATTEMPTS:
                        time.sleep(2 ** attempt)
                        continue
                    raise Exception("could not reach Lambda for " + function_arn + ": " + str(error))
                except HTTPClientError as error:
                    raise Exception("no answer from the central remediate function within %d s (%s). It checks that this automation "
                                    "is still running right before it changes anything, so it changes nothing once this automation has "
                                    "failed. Run the automation again: the function re-reads the user first." % (READ_TIMEOUT, error))
            answer = response["Payload"].read().decode("utf-8", "replace")
            function_error = response.get("FunctionError")
            if function_error is None:
                try:
                    result = json.loads(answer)
                except ValueError:
                    result = None
                if isinstance(result, dict):
                    return result
            return {"FunctionError": function_error, "Payload": answer[:4000], "RequestId": response["ResponseMetadata"].get("RequestId")}
        """;

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

    public static string Description(RemediationAction action, string ruleName, bool organization = false) =>
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
        (organization
            ? "\n\nIn this Organization, the function is the admin account's: the first step assumes its invoker role " +
              "(which trusts only this account's " + MemberAutomationRoleName + ", from the Organization) and invokes it; the " +
              "function acts here only once this account's SSM shows this automation running for this user."
            : string.Empty) +
        "\n\n`DryRun=true` reports what would be done and changes nothing.";

    /// <summary>The single-account (and per-account) runbook as the text CloudFormation stores: its first step invokes
    /// <paramref name="functionArn"/> (may be a CDK token), a function of the same account, with aws:invokeLambdaFunction.</summary>
    public static string Content(string functionArn, RemediationAction action, string ruleName) =>
        Serialize(action, ruleName, organization: false, new Dictionary<string, object>
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
                ["InputPayload"] = Payload(organization: false),
            },
            ["nextStep"] = AssertStep,
        });

    /// <summary>
    /// An Organization member's runbook: its first step (<see cref="InvokeScript"/>) assumes the admin account's invoker
    /// role <paramref name="invokerRoleArn"/> and, as that role, invokes the central function <paramref name="functionArn"/>,
    /// with the account it runs in and its own execution ID, which the function checks against that account's SSM before
    /// it acts. The central function admits no other caller (it has no resource-based policy), and the invoker role trusts
    /// only the members' Automation role, by name, from the Organization (<c>OrganizationRemediation</c>).
    /// </summary>
    public static string OrganizationContent(string functionArn, string invokerRoleArn, RemediationAction action, string ruleName) =>
        Serialize(action, ruleName, organization: true, new Dictionary<string, object>
        {
            ["name"] = InvokeStep,
            ["action"] = "aws:executeScript",
            ["description"] = "As the admin account's invoker role, asks the central remediate function, which re-reads the user live, decides, " +
                "and makes at most one IAM change; this step only carries the request and the answer.",
            ["timeoutSeconds"] = InvokeStepTimeoutSeconds,
            ["maxAttempts"] = 1,
            ["onFailure"] = "Abort",
            ["inputs"] = new Dictionary<string, object>
            {
                ["Runtime"] = ScriptRuntime,
                ["Handler"] = InvokeHandler,
                ["InputPayload"] = new Dictionary<string, object>
                {
                    ["FunctionArn"] = functionArn,
                    ["InvokerRoleArn"] = invokerRoleArn,
                    ["Payload"] = Payload(organization: true),
                },
                ["Script"] = InvokeScript,
            },
            ["nextStep"] = AssertStep,
        });

    private static Dictionary<string, object> Payload(bool organization)
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
        return payload;
    }

    private static string Serialize(RemediationAction action, string ruleName, bool organization, Dictionary<string, object> invokeStep)
    {
        var document = new Dictionary<string, object>
        {
            ["schemaVersion"] = "0.3",
            ["description"] = Description(action, ruleName, organization),
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
                    ["description"] = organization
                        ? "(Required) The role Automation runs as; it may only assume the admin account's invoker role, which may only invoke the remediate function."
                        : "(Required) The role Automation runs as; it may only invoke the remediate function.",
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
                invokeStep,
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

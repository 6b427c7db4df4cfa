using System.Text.Json.Nodes;
using AwsDouble;
using AwsDouble.Hosting;
using AwsDouble.Lambda;
using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests.Remediation;

/// <summary>
/// The interpreter's <c>aws:executeScript</c> runs with the automation's credentials against the double, as SSM runs a
/// script with the runbook's assumeRole: a small runbook whose script assumes the admin account's invoker role and
/// invokes a function there (the member runbook's coming design), and the same script without credentials. No rule
/// binary is needed: the function is a handler registered in the double.
/// </summary>
public sealed class RunbookScriptTests : IAsyncLifetime
{
    private const string Region = "us-east-1";
    private const string MemberId = "222222222222";
    private const string AutomationRole = "MfaConfigRule-Automation";
    private const string InvokerRole = "MfaConfigRule-RemediateInvoker";
    private const string DocumentName = "MfaConfigRule-Remediation";

    private const string Script = """
        import json
        import boto3

        def handler(events, context):
            caller = boto3.client("sts").get_caller_identity()["Arn"]
            issued = boto3.client("sts").assume_role(RoleArn=events["InvokerRoleArn"], RoleSessionName="mfa-rule-remediate")["Credentials"]
            client = boto3.client("lambda", aws_access_key_id=issued["AccessKeyId"], aws_secret_access_key=issued["SecretAccessKey"],
                                  aws_session_token=issued["SessionToken"])
            answer = client.invoke(FunctionName=events["FunctionArn"], InvocationType="RequestResponse", Payload=json.dumps(events["Payload"]).encode())
            body = answer["Payload"].read().decode()
            if answer.get("FunctionError"):
                raise Exception(answer["FunctionError"] + ": " + body)
            return {"caller": caller, "result": body}
        """;

    private readonly List<string> _received = [];
    private AwsDoubleServer? _aws;

    private AwsDoubleServer Aws => _aws ?? throw new InvalidOperationException("the double has not started");

    public async Task InitializeAsync() => _aws = await AwsDoubleServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_aws is not null) await _aws.DisposeAsync();
    }

    private static JsonObject Runbook() => new()
    {
        ["schemaVersion"] = "0.3",
        ["assumeRole"] = "{{ AutomationAssumeRole }}",
        ["parameters"] = new JsonObject
        {
            ["AutomationAssumeRole"] = new JsonObject { ["type"] = "String" },
            ["InvokerRoleArn"] = new JsonObject { ["type"] = "String" },
            ["FunctionArn"] = new JsonObject { ["type"] = "String" },
            ["IAMResourceId"] = new JsonObject { ["type"] = "String" },
        },
        ["mainSteps"] = new JsonArray(new JsonObject
        {
            ["name"] = "Remediate",
            ["action"] = "aws:executeScript",
            ["onFailure"] = "Abort",
            ["isEnd"] = true,
            ["inputs"] = new JsonObject
            {
                ["Runtime"] = "python3.11",
                ["Handler"] = "handler",
                ["Script"] = Script,
                ["InputPayload"] = new JsonObject
                {
                    ["InvokerRoleArn"] = "{{ InvokerRoleArn }}",
                    ["FunctionArn"] = "{{ FunctionArn }}",
                    ["Payload"] = new JsonObject
                    {
                        ["IAMResourceId"] = "{{ IAMResourceId }}",
                        ["AccountId"] = "{{ global:ACCOUNT_ID }}",
                        ["AutomationExecutionId"] = "{{ automation:EXECUTION_ID }}",
                    },
                },
            },
            ["outputs"] = new JsonArray(
                new JsonObject { ["Name"] = "Caller", ["Selector"] = "$.Payload.caller", ["Type"] = "String" },
                new JsonObject { ["Name"] = "Result", ["Selector"] = "$.Payload.result", ["Type"] = "String" }),
        }),
    };

    /// <summary>An Organization of the admin (default) account and one member with its Automation role; the invoker role trusts that role name.</summary>
    private (DoubleAccount Member, string FunctionArn) Deploy(IEnumerable<string>? invokers = null)
    {
        var admin = Aws.DefaultAccount;
        var organization = Aws.State.CreateOrganization(admin);
        var member = Aws.State.AddAccount(MemberId);
        organization.Join(member);
        member.AddRole(AutomationRole);
        member.AddRole("SomeOtherRole");
        admin.AddRole(InvokerRole, $$$$"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole",
              "Condition":{"StringEquals":{"aws:PrincipalOrgID":"{{{{organization.Id}}}}"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/{{{{AutomationRole}}}}"}}}]}
            """);
        var arn = admin.Lambda(Region).AddFunction("remediate", (payload, _) =>
        {
            lock (_received) _received.Add(payload);
            return Task.FromResult(new LambdaInvokeResult("""{"outcome":"Remediated"}"""));
        }, invokers ?? [InvokerRoleArn]);
        return (member, arn);
    }

    private string InvokerRoleArn => $"arn:aws:iam::{Aws.DefaultAccount.AccountId}:role/{InvokerRole}";

    private Task<AutomationExecution> RunAsync(DoubleAccount member, string functionArn, string role, AwsDouble.Auth.Principal? session)
    {
        var host = new AutomationHost(member.Ssm(Region), DocumentName) { AutomationSession = session, Endpoint = Aws.BaseUrl };
        return new RunbookInterpreter(Runbook(), new Dictionary<string, LambdaFunction>(StringComparer.Ordinal), host).RunAsync(new Dictionary<string, JsonNode?>
        {
            ["AutomationAssumeRole"] = $"arn:aws:iam::{member.AccountId}:role/{role}",
            ["InvokerRoleArn"] = InvokerRoleArn,
            ["FunctionArn"] = functionArn,
            ["IAMResourceId"] = "AIDAEXAMPLEUSERID0001",
        });
    }

    [Boto3Fact]
    public async Task Script_WithTheAutomationSession_AssumesTheInvokerRoleAndInvokesTheFunctionWithThePayload()
    {
        var (member, arn) = Deploy();
        var session = member.StartRoleSession(AutomationRole, "automation-run", TimeSpan.FromHours(1));

        var execution = await RunAsync(member, arn, AutomationRole, session);

        Assert.True(execution.Succeeded, execution.FailureMessage);
        Assert.Equal($"arn:aws:sts::{MemberId}:assumed-role/{AutomationRole}/automation-run", execution.Outputs["Remediate.Caller"]!.GetValue<string>());
        Assert.Equal("""{"outcome":"Remediated"}""", execution.Outputs["Remediate.Result"]!.GetValue<string>());
        var received = Assert.Single(_received);
        Assert.Equal(new JsonObject { ["IAMResourceId"] = "AIDAEXAMPLEUSERID0001", ["AccountId"] = MemberId, ["AutomationExecutionId"] = execution.ExecutionId }.ToJsonString(),
            JsonNode.Parse(received)!.ToJsonString());
        Assert.Equal("Success", member.Ssm(Region).Find(execution.ExecutionId!)!.Status);
    }

    [Boto3Fact]
    public async Task Script_UnauthorizedCallers_FailTheStepWithAccessDenied()
    {
        var (member, arn) = Deploy(invokers: []);
        var automation = member.StartRoleSession(AutomationRole, "automation-run", TimeSpan.FromHours(1));
        var other = member.StartRoleSession("SomeOtherRole", "automation-run", TimeSpan.FromHours(1));

        var invokerNotGranted = await RunAsync(member, arn, AutomationRole, automation);
        var roleNotTrusted = await RunAsync(member, arn, "SomeOtherRole", other);

        Assert.Equal("Failed", invokerNotGranted.Status);
        Assert.StartsWith("Step Remediate failed: botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when calling the Invoke operation", invokerNotGranted.FailureMessage, StringComparison.Ordinal);
        Assert.EndsWith($": User: arn:aws:sts::123456789012:assumed-role/{InvokerRole}/mfa-rule-remediate is not authorized to perform: lambda:InvokeFunction on resource: {arn} because no identity-based policy allows the lambda:InvokeFunction action",
            invokerNotGranted.FailureMessage, StringComparison.Ordinal);
        Assert.Equal("Failed", roleNotTrusted.Status);
        Assert.StartsWith("Step Remediate failed: botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the AssumeRole operation", roleNotTrusted.FailureMessage, StringComparison.Ordinal);
        Assert.EndsWith($": User: arn:aws:sts::{MemberId}:assumed-role/SomeOtherRole/automation-run is not authorized to perform: sts:AssumeRole on resource: {InvokerRoleArn}",
            roleNotTrusted.FailureMessage, StringComparison.Ordinal);
        Assert.Empty(_received);
    }

    [Boto3Fact]
    public async Task Script_WithoutAnAutomationSession_HasNoCredentialsAtAll()
    {
        var (member, arn) = Deploy();

        var execution = await RunAsync(member, arn, AutomationRole, session: null);

        Assert.Equal("Failed", execution.Status);
        Assert.Equal("Step Remediate failed: botocore.exceptions.NoCredentialsError: Unable to locate credentials", execution.FailureMessage);
        Assert.Empty(_received);
    }

    [Fact]
    public async Task AutomationSessionOfAnotherRole_ThanTheAssumeRoleParameter_IsRefusedBeforeAnyStep()
    {
        var (member, arn) = Deploy();
        var other = member.StartRoleSession("SomeOtherRole", "automation-run", TimeSpan.FromHours(1));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(member, arn, AutomationRole, other));

        Assert.Contains($"AutomationSession is a session of arn:aws:iam::{MemberId}:role/SomeOtherRole", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_received);
    }
}

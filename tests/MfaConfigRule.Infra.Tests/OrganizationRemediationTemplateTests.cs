using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;
using MfaConfigRule.Infra.Constructs.Remediation;
using MfaConfigRule.Infra.Settings;
using MfaConfigRule.Infra.Stacks;
using Match = Amazon.CDK.Assertions.Match;

namespace MfaConfigRule.Infra.Tests;

/// <summary>Remediation in the Organization deployment: the central remediate function and every member's pieces.</summary>
public sealed class OrganizationRemediationTemplateTests
{
    private readonly MfaConfigRuleOrganizationStack _stack = Build("manual");

    private static MfaConfigRuleOrganizationStack Build(string? remediation, string action = "EnforceMfa")
    {
        var context = new Dictionary<string, object>
        {
            [OrganizationDeployment.DeploymentKey] = OrganizationDeployment.Organization,
            [OrganizationDeployment.OrganizationalUnitIdsKey] = "ou-ab12-cdef3456",
            [RemediationSettings.ActionKey] = action,
        };
        if (remediation is not null) context[RemediationSettings.ModeKey] = remediation;
        var app = new App(new AppProps { Context = context });
        var settings = MfaRuleSettings.FromContext(app.Node, SynthesizedApp.Account, "eu-west-1");
        return MfaRuleApp.AddOrganizationStack(app, settings, OrganizationDeployment.FromContext(app.Node, settings)!, SynthesizedApp.StandInCode);
    }

    private JsonElement AdminJson => SynthesizedApp.Json(_stack);
    private Template Member => Template.FromString(_stack.Members.TemplateBody);
    private JsonElement MemberJson => JsonDocument.Parse(_stack.Members.TemplateBody).RootElement;

    private static JsonElement Role(JsonElement template, string roleName) =>
        Cfn.Resources(template, "AWS::IAM::Role").Single(r => r.Resource.GetProperty("Properties").TryGetProperty("RoleName", out var name) && name.GetString() == roleName).Resource;

    private static string RoleId(JsonElement template, Func<JsonElement, bool> which) =>
        Cfn.Resources(template, "AWS::IAM::Role").Single(r => which(r.Resource.GetProperty("Properties"))).LogicalId;

    /// <summary>Every "action on resource [condition]" the policies attached to a role allow.</summary>
    private static SortedSet<string> Grants(JsonElement template, string roleId)
    {
        var grants = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (_, policy) in Cfn.Resources(template, "AWS::IAM::Policy"))
        {
            var properties = policy.GetProperty("Properties");
            if (!properties.GetProperty("Roles").EnumerateArray().Any(r => r.TryGetProperty("Ref", out var id) && id.GetString() == roleId)) continue;
            foreach (var statement in Cfn.Statements(properties.GetProperty("PolicyDocument")))
            {
                Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
                var condition = !statement.TryGetProperty("Condition", out var c) ? string.Empty
                    : c.TryGetProperty("ArnEquals", out var arn) ? " if " + Cfn.Render(arn.GetProperty("iam:PolicyARN"))
                    : " if org " + Cfn.Render(c.GetProperty("StringEquals").GetProperty("aws:ResourceOrgID"));
                foreach (var action in Cfn.Strings(statement.GetProperty("Action")))
                    foreach (var resource in Cfn.Items(statement.GetProperty("Resource")))
                        grants.Add($"{action} on {Cfn.Render(resource)}{condition}");
            }
        }
        return grants;
    }

    [Fact]
    public void RemediationOff_MembersAndAdminHaveNoRemediationPieces()
    {
        var off = Build(null);
        var member = Template.FromString(off.Members.TemplateBody);

        member.ResourceCountIs("AWS::SSM::Document", 0);
        member.ResourceCountIs("AWS::Config::RemediationConfiguration", 0);
        Template.FromStack(off).ResourceCountIs("AWS::Config::RemediationConfiguration", 0);
        Assert.DoesNotContain(Cfn.Resources(SynthesizedApp.Json(off), "AWS::Lambda::Function"),
            f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "remediate");
    }

    [Fact]
    public void MemberTemplate_RunbookFirstStepAssumesTheInvokerRoleAndInvokesTheCentralFunctionWithItsAccountAndExecutionId()
    {
        var document = Cfn.Single(MemberJson, "AWS::SSM::Document").GetProperty("Properties");
        var runbook = JsonNode.Parse(Cfn.Render(document.GetProperty("Content")))!;
        var invoke = runbook["mainSteps"]![0]!;
        var inputs = invoke["inputs"]!;
        var payload = inputs["InputPayload"]!;

        Assert.Equal(("MfaConfigRule-Remediation", "NewVersion", "Automation"),
            (document.GetProperty("Name").GetString(), document.GetProperty("UpdateMethod").GetString(), document.GetProperty("DocumentType").GetString()));
        Assert.Equal("0.3", runbook["schemaVersion"]!.GetValue<string>());
        Assert.Equal(("Remediate", "aws:executeScript", "AssertResult", "Abort", 1),
            (invoke["name"]!.GetValue<string>(), invoke["action"]!.GetValue<string>(), invoke["nextStep"]!.GetValue<string>(), invoke["onFailure"]!.GetValue<string>(), invoke["maxAttempts"]!.GetValue<int>()));
        Assert.Equal(("python3.11", "invoke_central_function", RemediationDocument.InvokeScript),
            (inputs["Runtime"]!.GetValue<string>(), inputs["Handler"]!.GetValue<string>(), inputs["Script"]!.GetValue<string>()));
        Assert.Equal(["FunctionArn", "InvokerRoleArn", "Payload"], payload.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(("${CentralRemediateFunctionArn}", "${CentralRemediationInvokerRoleArn}"), (payload["FunctionArn"]!.GetValue<string>(), payload["InvokerRoleArn"]!.GetValue<string>()));
        // The same request as the single-account runbook's, plus the account and the execution the function checks.
        Assert.Equal(new Dictionary<string, string>
        {
            ["AccountId"] = "{{ global:ACCOUNT_ID }}",
            ["Action"] = "{{ Action }}",
            ["AutomationExecutionId"] = "{{ automation:EXECUTION_ID }}",
            ["DryRun"] = "{{ DryRun }}",
            ["IAMResourceId"] = "{{ IAMResourceId }}",
        }, payload["Payload"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()));
        // No output of its own: {{ Remediate.Payload }} is aws:executeScript's Payload, the object the script returns,
        // which is the function's answer; the assert step and the runbook's outputs are the single-account ones.
        Assert.Null(invoke["outputs"]);
        var assert = runbook["mainSteps"]![1]!;
        Assert.Equal(("AssertResult", "{{ Remediate.Payload }}", RemediationDocument.AssertScript),
            (assert["name"]!.GetValue<string>(), assert["inputs"]!["InputPayload"]!["Result"]!.GetValue<string>(), assert["inputs"]!["Script"]!.GetValue<string>()));
        Assert.Equal(["AssertResult.Outcome", "AssertResult.Changed", "AssertResult.Why", "AssertResult.Result"], runbook["outputs"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Equal(2, runbook["mainSteps"]!.AsArray().Count);
    }

    /// <summary>The script's own waits fit the step: it fails with its own message before Automation times the step out.</summary>
    [Fact]
    public void MemberTemplate_InvokeScript_WaitsForTheFunctionWithinTheStepsTimeoutAndRetriesOnlyWhatNeverRan()
    {
        var runbook = JsonNode.Parse(Cfn.Render(Cfn.Single(MemberJson, "AWS::SSM::Document").GetProperty("Properties").GetProperty("Content")))!;
        var timeout = runbook["mainSteps"]![0]!["timeoutSeconds"]!.GetValue<int>();
        var script = RemediationDocument.InvokeScript;

        Assert.Equal(300, timeout);
        Assert.InRange(timeout, 1, 600);
        Assert.Contains($"READ_TIMEOUT = {RemediationDocument.InvokeReadTimeoutSeconds}\n", script, StringComparison.Ordinal);
        // AssumeRole 3 x (5 + 10) s, Invoke's back-off 2 + 4 + 8 + 16 s and connects 5 x 5 s, then the read timeout.
        Assert.True(3 * (5 + 10) + (2 + 4 + 8 + 16) + 5 * 5 + RemediationDocument.InvokeReadTimeoutSeconds < timeout);
        Assert.Contains("retries={\"mode\": \"standard\", \"total_max_attempts\": 1}", script, StringComparison.Ordinal);
        Assert.Contains("DurationSeconds=900", script, StringComparison.Ordinal);
        Assert.Contains("InvocationType=\"RequestResponse\"", script, StringComparison.Ordinal);
        Assert.Contains("only a role named MfaConfigRule-RemediationAutomation", script, StringComparison.Ordinal);
        // Automation substitutes {{ ... }} in step inputs, the script included: the script must hold none.
        Assert.DoesNotContain("{{", script, StringComparison.Ordinal);
        Assert.DoesNotContain("}}", script, StringComparison.Ordinal);
        // The JSON text is declared YAML: no escape that YAML 1.1 reads differently ("\/", surrogate pairs).
        var content = Cfn.Render(Cfn.Single(MemberJson, "AWS::SSM::Document").GetProperty("Properties").GetProperty("Content"));
        Assert.DoesNotContain("\\/", content, StringComparison.Ordinal);
        Assert.DoesNotContain("\\uD8", content, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MemberTemplate_RemediationConfigurationIsOnTheMembersRuleAfterItAndItsRoles()
    {
        var (configId, configuration) = Assert.Single(Cfn.Resources(MemberJson, "AWS::Config::RemediationConfiguration"));
        var rule = Assert.Single(Cfn.Resources(MemberJson, "AWS::Config::ConfigRule")).LogicalId;
        var document = Assert.Single(Cfn.Resources(MemberJson, "AWS::SSM::Document")).LogicalId;
        var properties = configuration.GetProperty("Properties");

        Assert.Equal("mfa-enabled-for-iam-console-users", properties.GetProperty("ConfigRuleName").GetString());
        Assert.Equal("${" + document + "}", Cfn.Render(properties.GetProperty("TargetId")));
        Assert.False(properties.GetProperty("Automatic").GetBoolean());
        Assert.Equal("RESOURCE_ID", properties.GetProperty("Parameters").GetProperty("IAMResourceId").GetProperty("ResourceValue").GetProperty("Value").GetString());
        Assert.True(Cfn.CreatedBefore(MemberJson, rule, configId), "the rule must exist before its remediation configuration");
        foreach (var (policyId, _) in Cfn.Resources(MemberJson, "AWS::IAM::Policy").Where(p => p.LogicalId.Contains("Remediation", StringComparison.Ordinal)))
            Assert.True(Cfn.CreatedBefore(MemberJson, policyId, configId), $"{policyId} must exist before Config may start a remediation");
    }

    [Fact]
    public void MemberTemplate_AutomationRoleHasTheFixedNameIsTrustedByThisAccountsSsmOnlyAndMayOnlyAssumeTheInvokerRole()
    {
        var automation = RoleId(MemberJson, p => p.GetProperty("AssumeRolePolicyDocument").GetRawText().Contains("ssm.amazonaws.com", StringComparison.Ordinal));
        var properties = MemberJson.GetProperty("Resources").GetProperty(automation).GetProperty("Properties");
        var trust = Assert.Single(Cfn.Statements(properties.GetProperty("AssumeRolePolicyDocument")));

        Assert.Equal("MfaConfigRule-RemediationAutomation", properties.GetProperty("RoleName").GetString());
        // Path "/" (none given): the invoker role's trust names arn:...:role/MfaConfigRule-RemediationAutomation, no path.
        Assert.False(properties.TryGetProperty("Path", out _));
        Assert.Equal("${AWS::AccountId}", Cfn.Render(trust.GetProperty("Condition").GetProperty("StringEquals").GetProperty("aws:SourceAccount")));
        Assert.Equal("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:automation-execution/*",
            Cfn.Render(trust.GetProperty("Condition").GetProperty("ArnLike").GetProperty("aws:SourceArn")));
        // No lambda:InvokeFunction: the invoke is the invoker role's.
        Assert.Equal(["sts:AssumeRole on ${CentralRemediationInvokerRoleArn}"], Grants(MemberJson, automation));
        Assert.Equal("^arn:aws[a-z-]*:iam::[0-9]{12}:role/MfaConfigRule-RemediationInvoker$",
            MemberJson.GetProperty("Parameters").GetProperty("CentralRemediationInvokerRoleArn").GetProperty("AllowedPattern").GetString());
    }

    [Fact]
    public void MemberTemplate_RemediationRoleIsSeparateTrustedByTheCentralRemediateRoleInTheOrganizationWithTheExternalId()
    {
        var trust = Assert.Single(Cfn.Statements(Role(MemberJson, "MfaConfigRule-Remediation").GetProperty("Properties").GetProperty("AssumeRolePolicyDocument")));
        var conditions = trust.GetProperty("Condition").GetProperty("StringEquals");

        Assert.Equal("${CentralRemediateRoleArn}", Cfn.Render(trust.GetProperty("Principal").GetProperty("AWS")));
        Assert.Equal("mfa-config-rule", conditions.GetProperty("sts:ExternalId").GetString());
        Assert.Equal("${OrganizationId}", Cfn.Render(conditions.GetProperty("aws:PrincipalOrgID")));
        // The evaluation role is not the remediation role: the central remediate role is not among those it trusts.
        var evaluationTrust = Cfn.Statements(Role(MemberJson, "MfaConfigRule-Member").GetProperty("Properties").GetProperty("AssumeRolePolicyDocument"))
            .Select(t => Cfn.Render(t.GetProperty("Principal").GetProperty("AWS"))).Order(StringComparer.Ordinal);
        Assert.Equal(["${CentralRoleArn}", "${CentralTriggerRoleArn}"], evaluationTrust);
    }

    [Fact]
    public void MemberTemplate_RemediationRoleMayDoWhatTheSingleAccountRemediateRoleMayAndReadItsAutomations()
    {
        var role = RoleId(MemberJson, p => p.TryGetProperty("RoleName", out var n) && n.GetString() == "MfaConfigRule-Remediation");
        var policy = Assert.Single(Cfn.Resources(MemberJson, "AWS::IAM::ManagedPolicy")).LogicalId;
        var users = "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*";

        Assert.Equal(new SortedSet<string>(StringComparer.Ordinal)
        {
            $"iam:AttachUserPolicy on {users} if ${{{policy}}}",
            $"iam:DetachUserPolicy on {users} if ${{{policy}}}",
            $"iam:GetLoginProfile on {users}",
            $"iam:GetUser on {users}",
            $"iam:ListAttachedUserPolicies on {users}",
            $"iam:ListEntitiesForPolicy on ${{{policy}}}",
            $"iam:ListMFADevices on {users}",
            $"iam:ListUserTags on {users}",
            "iam:ListUsers on *",
            "ssm:GetAutomationExecution on arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:automation-execution/*",
        }, Grants(MemberJson, role));
        Member.HasResourceProperties("AWS::IAM::ManagedPolicy", new Dictionary<string, object>
        {
            ["ManagedPolicyName"] = "MfaConfigRule-EnforceMfa",
            ["Path"] = "/mfa-config-rule/",
        });
    }

    [Fact]
    public void MemberTemplate_WithRemediation_StillFitsATemplateBodyAndTakesTheCentralValues()
    {
        var body = _stack.Members.TemplateBody;

        Assert.InRange(Encoding.UTF8.GetByteCount(body), 1, OrganizationMemberStack.MaxTemplateBodyBytes);
        // Remediation adds no function to the member: its one function stays the forwarder's inline provider.
        Assert.Single(Cfn.Resources(MemberJson, "AWS::Lambda::Function"));
        Assert.Equal(["CentralFunctionArn", "CentralRemediateFunctionArn", "CentralRemediateRoleArn", "CentralRemediationInvokerRoleArn", "CentralRoleArn", "CentralTriggerBusArn", "CentralTriggerRoleArn", "OrganizationId"],
            MemberJson.GetProperty("Parameters").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var stackSet = Cfn.Single(AdminJson, "AWS::CloudFormation::StackSet");
        var passed = stackSet.GetProperty("Properties").GetProperty("Parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("ParameterKey").GetString()!, p => Cfn.Render(p.GetProperty("ParameterValue")));
        Assert.Equal("${" + SynthesizedApp.LogicalId(_stack.Node.FindChild("CentralRemediation").Node.FindChild("Remediate").Node.FindChild("Function")) + ".Arn}",
            passed["CentralRemediateFunctionArn"]);
        Assert.Equal("${" + SynthesizedApp.LogicalId(_stack.Node.FindChild("CentralRemediation").Node.FindChild("InvokerRole")) + ".Arn}",
            passed["CentralRemediationInvokerRoleArn"]);
    }

    [Fact]
    public void CentralFunction_NoLambdaPermissionAdmitsTheOrganization_OnlyTheInvokerRolesPolicyInvokesIt()
    {
        var (functionId, _) = Cfn.Resources(AdminJson, "AWS::Lambda::Function")
            .Single(f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "remediate");

        // No permission admits a principal of another account any more (Principal "*" with PrincipalOrgID before).
        Assert.DoesNotContain(Cfn.Resources(AdminJson, "AWS::Lambda::Permission"), p =>
            p.Resource.GetProperty("Properties").TryGetProperty("PrincipalOrgID", out _) || p.Resource.GetProperty("Properties").GetProperty("Principal").GetString() == "*");
        // The remediate function's resource policy is EventBridge's, for the hourly lift, and nothing else.
        var onFunction = Cfn.Resources(AdminJson, "AWS::Lambda::Permission")
            .Where(p => Cfn.Render(p.Resource.GetProperty("Properties").GetProperty("FunctionName")) == "${" + functionId + ".Arn}")
            .Select(p => p.Resource.GetProperty("Properties")).ToList();
        var lift = Assert.Single(onFunction);
        Assert.Equal(("events.amazonaws.com", "${" + SynthesizedApp.LogicalId(_stack.Node.FindChild("CentralRemediation").Node.FindChild("LiftSchedule")) + ".Arn}"),
            (lift.GetProperty("Principal").GetString(), Cfn.Render(lift.GetProperty("SourceArn"))));

        var invoker = RoleId(AdminJson, p => p.TryGetProperty("RoleName", out var n) && n.GetString() == "MfaConfigRule-RemediationInvoker");
        Assert.Equal(["lambda:InvokeFunction on ${" + functionId + ".Arn}"], Grants(AdminJson, invoker));
    }

    /// <summary>The invoker role's trust, exactly: any principal only when it is in the Organization and is a role of the Automation role's name.</summary>
    [Fact]
    public void InvokerRole_TrustsOnlyTheAutomationRoleNameFromTheOrganization_ForAnHour()
    {
        var role = Role(AdminJson, "MfaConfigRule-RemediationInvoker").GetProperty("Properties");
        var trust = role.GetProperty("AssumeRolePolicyDocument");
        var statement = Assert.Single(Cfn.Statements(trust));
        var identity = Assert.Single(Cfn.Resources(AdminJson, "Custom::OrganizationId")).LogicalId;

        Assert.Equal(3600, role.GetProperty("MaxSessionDuration").GetInt32());
        Assert.Equal(["Action", "Condition", "Effect", "Principal"], statement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(("Allow", "sts:AssumeRole"), (statement.GetProperty("Effect").GetString(), statement.GetProperty("Action").GetString()));
        Assert.Equal("""{"AWS":"*"}""", statement.GetProperty("Principal").GetRawText());
        var condition = statement.GetProperty("Condition");
        Assert.Equal(["ArnLike", "StringEquals"], condition.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["aws:PrincipalOrgID"], condition.GetProperty("StringEquals").EnumerateObject().Select(p => p.Name));
        Assert.Equal("${" + identity + ".Id}", Cfn.Render(condition.GetProperty("StringEquals").GetProperty("aws:PrincipalOrgID")));
        Assert.Equal(["aws:PrincipalArn"], condition.GetProperty("ArnLike").EnumerateObject().Select(p => p.Name));
        Assert.Equal("arn:${AWS::Partition}:iam::*:role/MfaConfigRule-RemediationAutomation", Cfn.Render(condition.GetProperty("ArnLike").GetProperty("aws:PrincipalArn")));
    }

    [Fact]
    public void CentralFunction_AssumesOnlyTheRemediationRoleListsTheOrganizationAndKnowsTheMembersNames()
    {
        var (id, function) = Cfn.Resources(AdminJson, "AWS::Lambda::Function")
            .Single(f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "remediate");
        var variables = function.GetProperty("Properties").GetProperty("Environment").GetProperty("Variables");
        var role = Cfn.Render(function.GetProperty("Properties").GetProperty("Role"))[2..^5];

        var identity = Assert.Single(Cfn.Resources(AdminJson, "Custom::OrganizationId")).LogicalId;
        Assert.Contains(Grants(AdminJson, role), g => g.StartsWith("sts:AssumeRole on arn:${AWS::Partition}:iam::*:role/MfaConfigRule-Remediation if org ${" + identity + ".", StringComparison.Ordinal));
        Assert.Contains("organizations:ListAccounts on *", Grants(AdminJson, role));
        Assert.DoesNotContain(Grants(AdminJson, role), g => g.StartsWith("iam:", StringComparison.Ordinal));
        Assert.Equal("MfaConfigRule-Remediation", variables.GetProperty("MFA_RULE_MEMBER_REMEDIATION_ROLE_NAME").GetString());
        Assert.Equal("MfaConfigRule-Remediation", variables.GetProperty("MFA_RULE_REMEDIATION_DOCUMENT_NAME").GetString());
        Assert.Equal("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/mfa-config-rule/MfaConfigRule-EnforceMfa", Cfn.Render(variables.GetProperty("ENFORCEMENT_POLICY_ARN")));
        Assert.NotEmpty(id);
        Template.FromStack(_stack).HasResourceProperties("AWS::Events::Rule", new Dictionary<string, object> { ["ScheduleExpression"] = "rate(1 hour)" });
    }

    [Fact]
    public void ManagementAccount_GetsTheSameRemediationPiecesFromTheAdminStack()
    {
        var admin = Template.FromStack(_stack);

        admin.ResourceCountIs("AWS::Config::RemediationConfiguration", 1);
        admin.HasResourceProperties("AWS::SSM::Document", new Dictionary<string, object> { ["Name"] = "MfaConfigRule-Remediation" });
        admin.HasResourceProperties("AWS::IAM::Role", new Dictionary<string, object> { ["RoleName"] = "MfaConfigRule-Remediation" });
        // Its Automation role (member side) and the invoker role (admin side) live in one account under two names, and
        // its Automation role assumes the invoker role of the same stack.
        var automation = RoleId(AdminJson, p => p.TryGetProperty("RoleName", out var n) && n.GetString() == "MfaConfigRule-RemediationAutomation");
        var invoker = RoleId(AdminJson, p => p.TryGetProperty("RoleName", out var n) && n.GetString() == "MfaConfigRule-RemediationInvoker");
        Assert.Equal(["sts:AssumeRole on ${" + invoker + ".Arn}"], Grants(AdminJson, automation));
        var names = Cfn.Resources(AdminJson, "AWS::IAM::Role").Select(r => r.Resource.GetProperty("Properties").TryGetProperty("RoleName", out var n) ? n.GetString() : null).OfType<string>().ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void DisableConsoleAccess_MembersGetNoEnforcementPolicyAndTheCentralFunctionNoLift()
    {
        var disable = Build("automatic", "DisableConsoleAccess");
        var member = JsonDocument.Parse(disable.Members.TemplateBody).RootElement;
        var role = RoleId(member, p => p.TryGetProperty("RoleName", out var n) && n.GetString() == "MfaConfigRule-Remediation");

        Assert.Empty(Cfn.Resources(member, "AWS::IAM::ManagedPolicy"));
        Assert.Contains("iam:DeleteLoginProfile on arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*", Grants(member, role));
        Assert.True(Cfn.Single(member, "AWS::Config::RemediationConfiguration").GetProperty("Properties").GetProperty("Automatic").GetBoolean());
        Assert.Null(disable.Node.FindChild("CentralRemediation").Node.TryFindChild("LiftSchedule"));
        // Without the lift, the remediate function has no resource-based policy at all: only the invoker role's identity policy reaches it.
        var admin = SynthesizedApp.Json(disable);
        var function = Cfn.Resources(admin, "AWS::Lambda::Function").Single(f => f.Resource.GetProperty("Properties").GetProperty("Handler").GetString() == "remediate").LogicalId;
        Assert.DoesNotContain(Cfn.Resources(admin, "AWS::Lambda::Permission"), p => Cfn.Render(p.Resource.GetProperty("Properties").GetProperty("FunctionName")) == "${" + function + ".Arn}");
    }
}

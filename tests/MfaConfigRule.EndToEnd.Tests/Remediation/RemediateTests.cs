using AwsDouble.Faults;
using AwsDouble.Iam;
using AwsDouble.Protocol;

namespace MfaConfigRule.EndToEnd.Tests.Remediation;

/// <summary>
/// The <c>remediate</c> entry, the real binary as a Lambda runtime against the AWS double: every case remediation must
/// get right, with the IAM state afterwards asserted, not only the answer.
/// </summary>
public sealed class RemediateTests(ITestOutputHelper output) : RemediationTest(output)
{
    [Fact]
    public async Task Remediate_PasswordWithoutMfa_AttachesTheEnforcementPolicyOnceAndSaysSoTheSecondTime()
    {
        var alice = SeedUser("alice");
        var function = await StartRemediateAsync();

        var first = await RemediateAsync(function, Request(alice.UserId));
        var second = await RemediateAsync(function, Request(alice.UserId));

        AssertOutcome(first, "Remediated", ok: true, changed: true);
        Assert.Equal("NON_COMPLIANT", first["found"]!["verdict"]!.GetValue<string>());
        Assert.False(first["found"]!["enforcementPolicyAttached"]!.GetValue<bool>());
        Assert.Equal($"AttachUserPolicy alice {PolicyArn}", first["did"]![0]!.GetValue<string>());
        Assert.Equal($"aws iam detach-user-policy --user-name alice --policy-arn {PolicyArn}", first["undo"]!.GetValue<string>());
        AssertOutcome(second, "AlreadyRemediated", ok: true, changed: false);
        Assert.Equal([PolicyArn], AttachedTo("alice"));
        Assert.Single(Account.CloudTrailEvents, e => e.EventName == "AttachUserPolicy");
    }

    [Fact]
    public async Task Remediate_RemediatedUserWhoTurnedOnMfa_DetachesTheEnforcementPolicy()
    {
        var bob = SeedUser("bob", s => s with
        {
            MfaDevices = [new MfaDeviceSeed(MfaDeviceKind.Virtual, Now.AddMinutes(-5))],
            AttachedPolicyArns = [PolicyArn],
        });
        var function = await StartRemediateAsync();

        var result = await RemediateAsync(function, Request(bob.UserId));

        AssertOutcome(result, "Lifted", ok: true, changed: true);
        Assert.Equal("COMPLIANT", result["found"]!["verdict"]!.GetValue<string>());
        Assert.Empty(AttachedTo("bob"));
    }

    [Fact]
    public async Task Remediate_NoPasswordAndEachKindOfExemption_ChangeNothing()
    {
        var noPassword = SeedUser("carol", s => s with { LoginProfile = null });
        var byName = SeedUser("break-glass");
        var byPath = SeedUser("deployer", s => s with { Path = "/service/" });
        var byTag = SeedUser("dave", s => s with { Tags = [new("mfa-exempt-until", Now.AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))] });
        var function = await StartRemediateAsync();

        var results = new List<System.Text.Json.Nodes.JsonObject>();
        foreach (var user in new[] { noPassword, byName, byPath, byTag }) results.Add(await RemediateAsync(function, Request(user.UserId)));

        foreach (var result in results)
        {
            AssertOutcome(result, "NotNeeded", ok: true, changed: false);
            Assert.Equal("NOT_APPLICABLE", result["found"]!["verdict"]!.GetValue<string>());
        }
        Assert.False(results[0]["found"]!["consolePassword"]!.GetValue<bool>());
        Assert.Contains("ExemptUserNames", results[1]["found"]!["exemption"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("/service/", results[2]["found"]!["exemption"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("mfa-exempt-until", results[3]["found"]!["exemption"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(Account.Users, u => Assert.Empty(u.AttachedPolicyArns));
        Assert.DoesNotContain(Account.CloudTrailEvents, e => e.EventName is "AttachUserPolicy" or "DeleteLoginProfile");
    }

    [Fact]
    public async Task Remediate_NewPasswordInsideTheGracePeriod_IsLeftAloneUntilTheGraceEnds()
    {
        var erin = SeedUser("erin", s => s with { LoginProfile = new LoginProfileSeed(Now.AddHours(-2)) });
        var function = await StartRemediateAsync(parameters: """{"GracePeriodHours":"24"}""");

        var result = await RemediateAsync(function, Request(erin.UserId));

        AssertOutcome(result, "InGracePeriod", ok: true, changed: false);
        Assert.Equal("NON_COMPLIANT", result["found"]!["verdict"]!.GetValue<string>());
        Assert.NotNull(result["found"]!["graceEndsAt"]);
        Assert.Empty(AttachedTo("erin"));
    }

    [Fact]
    public async Task Remediate_UnknownUserId_FailsClearlyAndChangesNothing()
    {
        SeedUser("frank");
        var function = await StartRemediateAsync();

        var result = await RemediateAsync(function, Request("AIDAUNKNOWNUSER000000"));

        AssertOutcome(result, "UserNotFound", ok: false, changed: false);
        Assert.Contains("AIDAUNKNOWNUSER000000", result["why"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(Account.Users, u => Assert.Empty(u.AttachedPolicyArns));
    }

    [Fact]
    public async Task Remediate_UserRenamedSinceTheEvaluation_IsFoundByIdAndRemediatedUnderTheNewName()
    {
        var grace = SeedUser("grace");
        await Actions.RenameUserAsync("grace", "grace.hopper");
        var function = await StartRemediateAsync();

        var result = await RemediateAsync(function, Request(grace.UserId));

        AssertOutcome(result, "Remediated", ok: true, changed: true);
        Assert.Equal("grace.hopper", result["user"]!["userName"]!.GetValue<string>());
        Assert.Equal([PolicyArn], AttachedTo("grace.hopper"));
    }

    [Fact]
    public async Task Remediate_UserAtTheManagedPolicyQuota_ReportsPolicyQuotaReachedAndChangesNothing()
    {
        var full = Enumerable.Range(1, Account.ManagedPoliciesPerUser).Select(i => $"arn:aws:iam::aws:policy/Example{i}").ToList();
        var heidi = SeedUser("heidi", s => s with { AttachedPolicyArns = full });
        var function = await StartRemediateAsync();

        var result = await RemediateAsync(function, Request(heidi.UserId));

        AssertOutcome(result, "PolicyQuotaReached", ok: false, changed: false);
        Assert.Equal("LimitExceeded", result["errorCode"]!.GetValue<string>());
        Assert.Contains("DisableConsoleAccess", result["why"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(full, AttachedTo("heidi"));
    }

    [Fact]
    public async Task Remediate_DryRun_SaysWhatItWouldDoAndChangesNothing()
    {
        var ivan = SeedUser("ivan");
        var function = await StartRemediateAsync();

        var result = await RemediateAsync(function, Request(ivan.UserId, dryRun: true));

        AssertOutcome(result, "Remediated", ok: true, changed: false);
        Assert.True(result["dryRun"]!.GetValue<bool>());
        Assert.StartsWith("Dry run:", result["why"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(AttachedTo("ivan"));
    }

    [Fact]
    public async Task Remediate_ThrottledBriefly_RetriesAndRemediates_ThrottledThroughout_ChangesNothing()
    {
        var judy = SeedUser("judy");
        var ken = SeedUser("ken");
        var function = await StartRemediateAsync();

        using (Aws.Faults.Inject(AwsServiceNames.Iam, "ListUsers", Fault.Throttling(), FaultSchedule.NextCalls(2)))
        {
            var brief = await RemediateAsync(function, Request(judy.UserId));
            AssertOutcome(brief, "Remediated", ok: true, changed: true);
        }
        Dictionary<string, object?> persistent;
        using (Aws.Faults.Inject(AwsServiceNames.Iam, "AttachUserPolicy", Fault.Throttling(), FaultSchedule.UntilCleared()))
        {
            var result = await RemediateAsync(function, Request(ken.UserId));
            AssertOutcome(result, "CannotConfirm", ok: false, changed: false);
            Assert.Equal("Throttling", result["errorCode"]!.GetValue<string>());
            persistent = new() { ["why"] = result["why"]!.GetValue<string>() };
        }

        Assert.Equal([PolicyArn], AttachedTo("judy"));
        Assert.Empty(AttachedTo("ken"));
        Assert.Contains("nothing was changed", (string)persistent["why"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remediate_PolicyDetachedByHand_IsAttachedAgainWhileTheUserIsStillNonCompliant()
    {
        var leo = SeedUser("leo", s => s with { AttachedPolicyArns = [PolicyArn] });
        await Actions.DetachUserPolicyAsync("leo", PolicyArn);
        var function = await StartRemediateAsync();

        var result = await RemediateAsync(function, Request(leo.UserId));

        AssertOutcome(result, "Remediated", ok: true, changed: true);
        Assert.False(result["found"]!["enforcementPolicyAttached"]!.GetValue<bool>());
        Assert.Equal([PolicyArn], AttachedTo("leo"));
    }

    [Fact]
    public async Task Remediate_DisableConsoleAccess_DeletesTheLoginProfileAndRecordsWhatWasRemoved()
    {
        var created = Now.AddDays(-40);
        var mallory = SeedUser("mallory", s => s with { LoginProfile = new LoginProfileSeed(created, PasswordResetRequired: true) });
        var function = await StartRemediateAsync("DisableConsoleAccess");

        var first = await RemediateAsync(function, Request(mallory.UserId, "DisableConsoleAccess"));
        var second = await RemediateAsync(function, Request(mallory.UserId, "DisableConsoleAccess"));

        AssertOutcome(first, "Remediated", ok: true, changed: true);
        Assert.Equal("DeleteLoginProfile mallory", first["did"]![0]!.GetValue<string>());
        Assert.Equal(created.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            first["removed"]!["loginProfile"]!["createDate"]!.GetValue<string>());
        Assert.True(first["removed"]!["loginProfile"]!["passwordResetRequired"]!.GetValue<bool>());
        Assert.StartsWith("aws iam create-login-profile --user-name mallory", first["undo"]!.GetValue<string>(), StringComparison.Ordinal);
        AssertOutcome(second, "NotNeeded", ok: true, changed: false);
        Assert.Null(Account.FindUser("mallory")!.LoginProfile);
    }

    [Fact]
    public async Task Remediate_ActionTheDeploymentDoesNotEnable_IsRefusedAndChangesNothing()
    {
        var nina = SeedUser("nina");
        var function = await StartRemediateAsync();

        var result = await RemediateAsync(function, Request(nina.UserId, "DisableConsoleAccess"));

        AssertOutcome(result, "ActionNotEnabled", ok: false, changed: false);
        Assert.NotNull(Account.FindUser("nina")!.LoginProfile);
    }

    [Fact]
    public async Task Remediate_RequestWithoutAUserId_IsAnInvalidEventErrorAndTheRuntimeGoesOn()
    {
        var oscar = SeedUser("oscar");
        var function = await StartRemediateAsync();

        var bad = await function.InvokeAsync("""{"IAMResourceId":"oscar","Action":"EnforceMfa"}""");
        var good = await RemediateAsync(function, Request(oscar.UserId));

        Assert.False(bad.Succeeded);
        Assert.Equal("InvalidEvent", bad.ErrorType);
        Assert.Contains("not an IAM user ID", bad.ErrorMessage, StringComparison.Ordinal);
        AssertOutcome(good, "Remediated", ok: true, changed: true);
    }

    [Fact]
    public async Task Remediate_ScheduledLiftSweep_DetachesOnlyFromUsersNoLongerNonCompliant()
    {
        SeedUser("pat", s => s with { AttachedPolicyArns = [PolicyArn], MfaDevices = [new MfaDeviceSeed(MfaDeviceKind.Hardware, Now.AddHours(-1))] });
        SeedUser("quinn", s => s with { AttachedPolicyArns = [PolicyArn] });
        SeedUser("rita", s => s with { AttachedPolicyArns = [PolicyArn], LoginProfile = null });
        var function = await StartRemediateAsync();

        var outcome = await function.InvokeAsync("""{"version":"0","id":"1","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2026-01-15T09:00:00Z","region":"us-east-1","resources":[],"detail":{}}""");

        Assert.True(outcome.Succeeded, outcome.ToString());
        Assert.Equal(3, outcome.Json["users"]!.GetValue<int>());
        Assert.Equal(2, outcome.Json["counts"]!["Lifted"]!.GetValue<int>());
        Assert.Equal(1, outcome.Json["counts"]!["AlreadyRemediated"]!.GetValue<int>());
        Assert.Empty(AttachedTo("pat"));
        Assert.Empty(AttachedTo("rita"));
        Assert.Equal([PolicyArn], AttachedTo("quinn"));
    }
}

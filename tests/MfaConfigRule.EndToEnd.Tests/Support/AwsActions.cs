using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using AwsDouble.Hosting;

namespace MfaConfigRule.EndToEnd.Tests.Support;

/// <summary>
/// Changes a person makes in the account while the rule is deployed (remove an MFA device, set a console password),
/// sent to the double as signed IAM and Config API calls so they are recorded in CloudTrail and Config as real calls
/// are. Signed with AWSSDK.Core's own signer; nothing here comes from the rule.
/// </summary>
internal sealed class AwsActions : IDisposable
{
    public const string Password = "Correct-Horse-Battery-9!";

    private readonly Uri _endpoint;
    private readonly HttpClient _iam;
    private readonly HttpClient _config;

    /// <param name="account">Whose person acts (with that account's root key); the double's default account when null.</param>
    public AwsActions(AwsDoubleServer server, string region, AwsDouble.DoubleAccount? account = null)
    {
        _endpoint = server.BaseUrl;
        var root = (account ?? server.DefaultAccount).RootCredentials;
        var credentials = new BasicAWSCredentials(root.AccessKeyId, root.SecretAccessKey);
        _iam = new HttpClient(new SigV4SigningHandler(credentials, RegionEndpoint.USEast1, "iam", new SocketsHttpHandler()));
        _config = new HttpClient(new SigV4SigningHandler(credentials, RegionEndpoint.GetBySystemName(region), "config", new SocketsHttpHandler()));
    }

    public Task CreateUserAsync(string userName) => IamAsync("CreateUser", ("UserName", userName));

    public Task CreateLoginProfileAsync(string userName) => IamAsync("CreateLoginProfile", ("UserName", userName), ("Password", Password));

    public Task DeleteLoginProfileAsync(string userName) => IamAsync("DeleteLoginProfile", ("UserName", userName));

    public Task DeactivateMfaDeviceAsync(string userName, string serialNumber) =>
        IamAsync("DeactivateMFADevice", ("UserName", userName), ("SerialNumber", serialNumber));

    /// <summary>A hardware TOTP token: IAM takes the serial and two codes, which the double does not check for hardware.</summary>
    public Task EnableHardwareMfaDeviceAsync(string userName, string serialNumber) =>
        IamAsync("EnableMFADevice", ("UserName", userName), ("SerialNumber", serialNumber), ("AuthenticationCode1", "123456"), ("AuthenticationCode2", "654321"));

    public Task TagUserAsync(string userName, string key, string value) =>
        IamAsync("TagUser", ("UserName", userName), ("Tags.member.1.Key", key), ("Tags.member.1.Value", value));

    public Task RenameUserAsync(string userName, string newUserName) => IamAsync("UpdateUser", ("UserName", userName), ("NewUserName", newUserName));

    public Task DeleteUserAsync(string userName) => IamAsync("DeleteUser", ("UserName", userName));

    public Task DetachUserPolicyAsync(string userName, string policyArn) => IamAsync("DetachUserPolicy", ("UserName", userName), ("PolicyArn", policyArn));

    /// <summary>A virtual MFA device left unassigned, as an enrolment that was never finished leaves it.</summary>
    public Task CreateVirtualMfaDeviceAsync(string deviceName) => IamAsync("CreateVirtualMFADevice", ("VirtualMFADeviceName", deviceName));

    public Task GenerateCredentialReportAsync() => IamAsync("GenerateCredentialReport");

    /// <summary>StartConfigRulesEvaluation as someone pressing "Re-evaluate" in the console; false when Config refused it.</summary>
    public async Task<(bool Started, string Body)> StartConfigRulesEvaluationAsync(string ruleName)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        request.Content = new StringContent(new JsonObject { ["ConfigRuleNames"] = new JsonArray(ruleName) }.ToJsonString(), Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", "StarlingDoveService.StartConfigRulesEvaluation");
        using var response = await _config.SendAsync(request);
        return (response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// PutEvaluations with a result token Config issued for an invocation: how a test plays a rule run whose results reach
    /// Config later than the IAM reads they were decided on (Config records them now, whatever the run read).
    /// </summary>
    public async Task PutEvaluationsAsync(string resultToken, IEnumerable<(string ResourceType, string ResourceId, string ComplianceType, DateTimeOffset OrderingTimestamp)> evaluations)
    {
        var list = new JsonArray();
        foreach (var (type, id, compliance, ordering) in evaluations)
        {
            list.Add(new JsonObject
            {
                ["ComplianceResourceType"] = type,
                ["ComplianceResourceId"] = id,
                ["ComplianceType"] = compliance,
                ["OrderingTimestamp"] = Math.Round(ordering.ToUnixTimeMilliseconds() / 1000.0, 3),
            });
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        request.Content = new StringContent(new JsonObject { ["Evaluations"] = list, ["ResultToken"] = resultToken }.ToJsonString(), Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", "StarlingDoveService.PutEvaluations");
        using var response = await _config.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Config PutEvaluations failed with {(int)response.StatusCode}: {body}");
        if (JsonNode.Parse(body)?["FailedEvaluations"] is JsonArray { Count: > 0 } failed) throw new InvalidOperationException($"Config PutEvaluations failed evaluations: {failed.ToJsonString()}");
    }

    public void Dispose()
    {
        _iam.Dispose();
        _config.Dispose();
    }

    private async Task<XDocument> IamAsync(string action, params (string Name, string Value)[] parameters)
    {
        var form = string.Join('&', new[] { ("Action", action), ("Version", "2010-05-08") }.Concat(parameters)
            .Select(p => $"{Uri.EscapeDataString(p.Item1)}={Uri.EscapeDataString(p.Item2)}"));
        using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await _iam.PostAsync(_endpoint, content);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"IAM {action} failed with {(int)response.StatusCode}: {body}");
        return XDocument.Parse(body);
    }
}

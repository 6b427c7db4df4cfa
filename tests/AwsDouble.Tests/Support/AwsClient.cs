using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using AwsDouble.Auth;

namespace AwsDouble.Tests.Support;

/// <summary>An answer from the double: status, and the body as XML (Query) or JSON (JSON 1.1).</summary>
internal sealed record QueryAnswer(HttpStatusCode Status, XDocument Body)
{
    public static readonly XNamespace Iam = "https://iam.amazonaws.com/doc/2010-05-08/";
    public static readonly XNamespace Sts = "https://sts.amazonaws.com/doc/2011-06-15/";

    /// <summary>The error code, from either namespace; null on success.</summary>
    public string? ErrorCode => Body.Descendants().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;

    public string? ErrorType => Body.Descendants().FirstOrDefault(e => e.Name.LocalName == "Type")?.Value;

    /// <summary>The first element with this local name anywhere in the body (AWS XML is namespaced; tests need not care).</summary>
    public string? Value(string localName) => Body.Descendants().FirstOrDefault(e => e.Name.LocalName == localName)?.Value;

    public IEnumerable<XElement> All(string localName) => Body.Descendants().Where(e => e.Name.LocalName == localName);
}

internal sealed record JsonAnswer(HttpStatusCode Status, JsonObject Body)
{
    public string? ErrorType => Body["__type"]?.GetValue<string>();
}

/// <summary>A REST-JSON answer: status, headers (case-insensitive) and the raw body.</summary>
internal sealed record RestAnswer(HttpStatusCode Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);

    public JsonObject Json => (JsonObject)JsonNode.Parse(Body)!;
}

/// <summary>
/// Sends signed requests to the double with AWSSDK.Core's own SigV4 signer (an implementation independent of the
/// double's), so a signature the double accepts is one AWS would accept.
/// </summary>
internal sealed class AwsClient(Uri endpoint, AWSCredentials credentials) : IDisposable
{
    private readonly Dictionary<(string Service, string Region), HttpClient> _clients = [];
    private readonly Lock _gate = new();

    public static AwsClient For(Hosting.AwsDoubleServer server, Principal? principal = null)
    {
        var who = principal ?? server.DefaultAccount.RootCredentials;
        AWSCredentials credentials = who.SessionToken is null
            ? new BasicAWSCredentials(who.AccessKeyId, who.SecretAccessKey)
            : new SessionAWSCredentials(who.AccessKeyId, who.SecretAccessKey, who.SessionToken);
        return new AwsClient(server.BaseUrl, credentials);
    }

    public TimeSpan? Timeout { get; init; }

    public Task<QueryAnswer> IamAsync(string action, params (string Name, string Value)[] parameters) =>
        QueryAsync("iam", "us-east-1", "2010-05-08", action, parameters);

    public Task<QueryAnswer> StsAsync(string action, params (string Name, string Value)[] parameters) =>
        QueryAsync("sts", "us-east-1", "2011-06-15", action, parameters);

    public async Task<QueryAnswer> QueryAsync(string service, string region, string version, string action, params (string Name, string Value)[] parameters)
    {
        var form = string.Join('&', new[] { ("Action", action), ("Version", version) }.Concat(parameters)
            .Select(p => $"{Uri.EscapeDataString(p.Item1)}={Uri.EscapeDataString(p.Item2)}"));
        using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await Client(service, region).PostAsync(endpoint, content);
        var text = await response.Content.ReadAsStringAsync();
        return new QueryAnswer(response.StatusCode, XDocument.Parse(text));
    }

    public Task<JsonAnswer> ConfigAsync(string operation, JsonObject body, string region = "us-east-1") =>
        JsonAsync("config", region, "StarlingDoveService." + operation, body);

    public Task<JsonAnswer> CloudTrailAsync(string operation, JsonObject body, string region = "us-east-1") =>
        JsonAsync("cloudtrail", region, "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101." + operation, body);

    public async Task<JsonAnswer> JsonAsync(string service, string region, string target, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        request.Content.Headers.ContentType = new(target.StartsWith("AmazonSQS.", StringComparison.Ordinal) ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", target);
        using var response = await Client(service, region).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new JsonAnswer(response.StatusCode, (JsonObject)JsonNode.Parse(text)!);
    }

    /// <summary>A REST-JSON request (Lambda): method, path (as it goes on the wire), body bytes and extra headers; the raw answer back.</summary>
    public async Task<RestAnswer> RestAsync(string service, string region, string path, string body, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path));
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await Client(service, region).SendAsync(request);
        var answerHeaders = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(',', h.Value), StringComparer.OrdinalIgnoreCase);
        return new RestAnswer(response.StatusCode, answerHeaders, await response.Content.ReadAsStringAsync());
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var client in _clients.Values) client.Dispose();
        }
    }

    private HttpClient Client(string service, string region)
    {
        lock (_gate)
        {
            if (!_clients.TryGetValue((service, region), out var client))
            {
                var handler = new SigV4SigningHandler(credentials, RegionEndpoint.GetBySystemName(region), service,
                    new SocketsHttpHandler { AllowAutoRedirect = false });
                client = new HttpClient(handler);
                if (Timeout is { } timeout) client.Timeout = timeout;
                _clients[(service, region)] = client;
            }
            return client;
        }
    }
}

/// <summary>Plain-text unsigned requests, for what a signer would never send.</summary>
internal static class RawHttp
{
    public static async Task<(HttpStatusCode Status, string Body)> PostAsync(Uri endpoint, string body, string contentType, params (string Name, string Value)[] headers)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new(contentType);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

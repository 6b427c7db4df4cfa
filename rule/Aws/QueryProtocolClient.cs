using System.Text;
using System.Xml;
using System.Xml.Linq;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Aws;

/// <summary>
/// The AWS Query protocol (IAM, STS): a form-encoded POST of <c>Action</c>, <c>Version</c> and the parameters; the
/// answer is <c>&lt;{Action}Response&gt;&lt;{Action}Result&gt;…</c>, an error is
/// <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;</c>.
/// Elements are matched by local name, so the namespace IAM puts on some responses and not on others does not matter.
/// </summary>
internal sealed class QueryProtocolClient
{
    public const string ContentType = "application/x-www-form-urlencoded; charset=utf-8";

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
    };

    private readonly AwsTransport _transport;
    private readonly string _apiVersion;

    public QueryProtocolClient(AwsTransport transport, AwsService service, AwsEndpoint endpoint, string apiVersion)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiVersion);
        _transport = transport;
        Service = service;
        Endpoint = endpoint;
        _apiVersion = apiVersion;
    }

    public AwsService Service { get; }
    public AwsEndpoint Endpoint { get; }

    /// <summary>
    /// Calls <paramref name="action"/> and reads its <c>{Action}Result</c> element (empty when the action has none) with
    /// <paramref name="read"/>. A response that cannot be read throws <see cref="AwsServiceException"/> with
    /// <see cref="AwsTransport.MalformedResponseCode"/>.
    /// </summary>
    public async Task<T> InvokeAsync<T>(
        string action,
        IEnumerable<KeyValuePair<string, string>> parameters,
        Func<XElement, T> read,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(read);
        var body = FormBody(action, parameters);
        var response = await _transport.SendAsync(new AwsRequest(Service, Endpoint, action, body, ContentType), ReadError, cancellationToken);
        try
        {
            var root = Parse(response).Root ?? throw new FormatException("the response has no root element");
            if (root.Name.LocalName != action + "Response")
                throw new FormatException($"expected <{action}Response>, got <{root.Name.LocalName}>");
            return read(root.Child(action + "Result") ?? new XElement(action + "Result"));
        }
        catch (Exception e) when (e is FormatException or XmlException)
        {
            throw new AwsServiceException(Service.SigningName, action, AwsTransport.MalformedResponseCode, 200, e.Message, inner: e);
        }
    }

    /// <summary><c>Action=…&amp;Version=…&amp;k=v…</c>, names and values percent-encoded as RFC 3986 unreserved characters.</summary>
    internal byte[] FormBody(string action, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var form = new StringBuilder();
        form.Append("Action=").Append(Uri.EscapeDataString(action));
        form.Append("&Version=").Append(Uri.EscapeDataString(_apiVersion));
        foreach (var (name, value) in parameters)
            form.Append('&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        return Encoding.UTF8.GetBytes(form.ToString());
    }

    /// <summary>Reads <c>ErrorResponse</c>; a body that is not one (a proxy's HTML page) still yields a code from the status.</summary>
    internal static AwsError ReadError(HttpResponseMessage response, byte[] body)
    {
        var headerRequestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
        try
        {
            var root = Parse(body).Root;
            var error = root?.Name.LocalName == "Error" ? root : root?.Child("Error");
            var code = error?.ChildText("Code");
            if (!string.IsNullOrEmpty(code))
                return new AwsError(code, error!.ChildText("Message") ?? string.Empty, root!.ChildText("RequestId") ?? headerRequestId);
        }
        catch (XmlException)
        {
            // Not XML: fall through to the status code.
        }
        return new AwsError($"Http{(int)response.StatusCode}", Snippet(body), headerRequestId);
    }

    private static XDocument Parse(byte[] body)
    {
        using var stream = new MemoryStream(body, writable: false);
        using var reader = XmlReader.Create(stream, ReaderSettings);
        return XDocument.Load(reader);
    }

    private static string Snippet(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 200)).Trim();
        return text.Length == 0 ? "(empty body)" : text;
    }
}

/// <summary>Reading Query-protocol XML by local name: lists are <c>&lt;member&gt;</c> elements, values are trimmed text.</summary>
internal static class QueryXml
{
    public static XElement? Child(this XElement element, string localName) =>
        element.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    /// <summary>The trimmed text of a child element; null when absent or empty.</summary>
    public static string? ChildText(this XElement element, string localName)
    {
        var text = element.Child(localName)?.Value.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    public static string RequiredText(this XElement element, string localName) =>
        element.ChildText(localName) ?? throw new FormatException($"<{element.Name.LocalName}> lacks <{localName}>");

    /// <summary>The <c>&lt;member&gt;</c> elements of a list element; none when the list is absent.</summary>
    public static IEnumerable<XElement> Members(this XElement element, string listName) =>
        element.Child(listName)?.Elements().Where(e => e.Name.LocalName == "member") ?? [];

    public static bool ChildBool(this XElement element, string localName) =>
        element.ChildText(localName) switch
        {
            null => false,
            var text when bool.TryParse(text, out var value) => value,
            var text => throw new FormatException($"<{localName}> '{text}' is not a boolean"),
        };

    /// <summary>An ISO 8601 timestamp (IAM sends <c>2014-08-28T21:42:50Z</c>); null when absent.</summary>
    public static DateTimeOffset? ChildTime(this XElement element, string localName)
    {
        var text = element.ChildText(localName);
        if (text is null) return null;
        return UtcTime.TryParse(text, out var time)
            ? time
            : throw new FormatException($"<{localName}> '{text}' is not a timestamp");
    }
}

using System.Globalization;
using System.Text;
using System.Xml;

namespace AwsDouble.Protocol;

/// <summary>The form-encoded parameters of one Query-protocol request (IAM, STS).</summary>
internal sealed class QueryParameters(IReadOnlyDictionary<string, string> values)
{
    public static QueryParameters ParseForm(string form)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in form.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(eq < 0 ? pair : pair[..eq]);
            values[name] = eq < 0 ? string.Empty : Decode(pair[(eq + 1)..]);
        }
        return new QueryParameters(values);
    }

    public string? Optional(string name) => values.GetValueOrDefault(name);

    public string Required(string name) =>
        values.TryGetValue(name, out var value) ? value : throw QueryErrors.MissingParameter(name);

    public int? Int(string name, int min, int max)
    {
        var raw = Optional(name);
        if (raw is null) return null;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw QueryErrors.Validation($"1 validation error detected: Value '{raw}' at '{Camel(name)}' failed to satisfy constraint: Member must be a number");
        if (value < min)
            throw QueryErrors.Validation($"1 validation error detected: Value '{value}' at '{Camel(name)}' failed to satisfy constraint: Member must have value greater than or equal to {min}");
        if (value > max)
            throw QueryErrors.Validation($"1 validation error detected: Value '{value}' at '{Camel(name)}' failed to satisfy constraint: Member must have value less than or equal to {max}");
        return value;
    }

    public bool? Bool(string name) => Optional(name) switch
    {
        null => null,
        var raw when raw.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        var raw when raw.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        var raw => throw QueryErrors.Validation($"Value '{raw}' at '{Camel(name)}' is not a boolean"),
    };

    /// <summary>A list sent as <c>Name.member.1</c>, <c>Name.member.2</c>…, in index order.</summary>
    public IReadOnlyList<string> List(string name) => Members(name).Select(m => values[m.Prefix]).ToList();

    /// <summary>Tags sent as <c>Tags.member.N.Key</c> / <c>Tags.member.N.Value</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags(string name = "Tags")
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var index in MemberIndexes(name))
        {
            var key = Optional($"{name}.member.{index}.Key") ?? throw QueryErrors.MissingParameter("Key");
            result.Add(new(key, Optional($"{name}.member.{index}.Value") ?? string.Empty));
        }
        return result;
    }

    private IEnumerable<(int Index, string Prefix)> Members(string name) =>
        MemberIndexes(name).Select(i => (i, $"{name}.member.{i}")).Where(m => values.ContainsKey(m.Item2));

    private IEnumerable<int> MemberIndexes(string name)
    {
        var prefix = name + ".member.";
        return values.Keys
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => k[prefix.Length..].Split('.')[0])
            .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : -1)
            .Where(i => i > 0)
            .Distinct()
            .Order();
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}

/// <summary>Writes Query-protocol XML: <c>&lt;XResponse&gt;&lt;XResult&gt;…</c> and <c>&lt;ErrorResponse&gt;</c>.</summary>
internal static class QueryXml
{
    public const string IamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/";
    public const string StsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    public static string Response(string action, string xmlNamespace, string requestId, Action<XmlWriter>? writeResult)
    {
        return Write(w =>
        {
            w.WriteStartElement(action + "Response", xmlNamespace);
            if (writeResult is not null)
            {
                w.WriteStartElement(action + "Result");
                writeResult(w);
                w.WriteEndElement();
            }
            w.WriteStartElement("ResponseMetadata");
            w.WriteElementString("RequestId", requestId);
            w.WriteEndElement();
            w.WriteEndElement();
        });
    }

    public static string Error(string xmlNamespace, string requestId, AwsErrorException error)
    {
        return Write(w =>
        {
            w.WriteStartElement("ErrorResponse", xmlNamespace);
            w.WriteStartElement("Error");
            w.WriteElementString("Type", error.SenderFault ? "Sender" : "Receiver");
            w.WriteElementString("Code", error.Code);
            w.WriteElementString("Message", error.Message);
            w.WriteEndElement();
            w.WriteElementString("RequestId", requestId);
            w.WriteEndElement();
        });
    }

    /// <summary>IAM's timestamp form: ISO 8601 in UTC, whole seconds, with a Z.</summary>
    public static string Time(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static void Element(this XmlWriter writer, string name, string value) => writer.WriteElementString(name, value);

    public static void Element(this XmlWriter writer, string name, DateTimeOffset time) => writer.WriteElementString(name, Time(time));

    public static void Element(this XmlWriter writer, string name, bool value) => writer.WriteElementString(name, value ? "true" : "false");

    public static void Members<T>(this XmlWriter writer, string name, IEnumerable<T> items, Action<XmlWriter, T> writeItem)
    {
        writer.WriteStartElement(name);
        foreach (var item in items)
        {
            writer.WriteStartElement("member");
            writeItem(writer, item);
            writer.WriteEndElement();
        }
        writer.WriteEndElement();
    }

    private static string Write(Action<XmlWriter> write)
    {
        var builder = new StringBuilder();
        using (var writer = XmlWriter.Create(builder, new XmlWriterSettings { OmitXmlDeclaration = true, Indent = true }))
        {
            write(writer);
        }
        return builder.ToString();
    }
}

using System.Security.Cryptography;
using System.Text;
using AwsDouble.Protocol;

namespace AwsDouble.Sqs;

/// <summary>A message as SendMessage stored it: received no sooner than <see cref="VisibleAt"/> (its DelaySeconds).</summary>
public sealed record QueuedMessage(string MessageId, string Body, string Md5OfBody, DateTimeOffset SentAt, DateTimeOffset VisibleAt, string SenderId);

/// <summary>
/// One standard SQS queue. The double keeps what was sent and when each message may be received; a test plays the
/// consumer (Lambda's SQS poller) with <see cref="TakeVisible"/>. Only the owning account may send: the double models
/// no queue policy, so another account's SendMessage is refused as AWS refuses it without a policy allowing it.
/// </summary>
public sealed class DoubleQueue
{
    public const int MaxDelaySeconds = 900;

    /// <summary>SQS's largest message since August 2025: 1 MiB (it was 256 KiB).</summary>
    public const int MaxMessageBytes = 1_048_576;

    private readonly Lock _gate = new();
    private readonly List<QueuedMessage> _messages = [];
    private readonly List<QueuedMessage> _sent = [];

    internal DoubleQueue(string accountId, string region, string name)
    {
        AccountId = accountId;
        Region = region;
        Name = name;
    }

    public string AccountId { get; }
    public string Region { get; }
    public string Name { get; }
    public string Arn => $"arn:aws:sqs:{Region}:{AccountId}:{Name}";

    /// <summary>The queue's URL under <paramref name="baseUrl"/> (the double's address): <c>{base}{account}/{name}</c>.</summary>
    public string UrlUnder(Uri baseUrl) => new Uri(baseUrl, $"{AccountId}/{Name}").ToString();

    /// <summary>Every message ever sent, in order (taken ones too).</summary>
    public IReadOnlyList<QueuedMessage> Sent
    {
        get
        {
            lock (_gate) return [.. _sent];
        }
    }

    /// <summary>The messages not yet taken.</summary>
    public IReadOnlyList<QueuedMessage> Waiting
    {
        get
        {
            lock (_gate) return [.. _messages];
        }
    }

    /// <summary>Removes and returns up to <paramref name="max"/> messages receivable at <paramref name="now"/>, oldest first.</summary>
    public IReadOnlyList<QueuedMessage> TakeVisible(DateTimeOffset now, int max = 10)
    {
        lock (_gate)
        {
            var taken = _messages.Where(m => m.VisibleAt <= now).OrderBy(m => m.VisibleAt).Take(max).ToList();
            foreach (var message in taken) _messages.Remove(message);
            return taken;
        }
    }

    /// <summary>When the next waiting message becomes receivable, if any waits.</summary>
    public DateTimeOffset? NextVisibleAt
    {
        get
        {
            lock (_gate) return _messages.Count == 0 ? null : _messages.Min(m => m.VisibleAt);
        }
    }

    internal QueuedMessage Send(string body, int delaySeconds, DateTimeOffset now, string senderId)
    {
        if (delaySeconds is < 0 or > MaxDelaySeconds)
            throw SqsErrors.InvalidParameterValue($"Value {delaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.");
        var bytes = Encoding.UTF8.GetByteCount(body);
        if (bytes == 0) throw SqsErrors.MissingParameter("MessageBody");
        if (bytes > MaxMessageBytes)
            throw SqsErrors.InvalidParameterValue($"One or more parameters are invalid. Reason: Message must be shorter than {MaxMessageBytes} bytes.");
        if (!AllowedCharacters(body))
            throw SqsErrors.InvalidMessageContents("Invalid binary character in the message body. Only #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF are allowed.");
        var message = new QueuedMessage(Guid.NewGuid().ToString(), body,
            Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body))), now, now.AddSeconds(delaySeconds), senderId);
        lock (_gate)
        {
            _messages.Add(message);
            _sent.Add(message);
        }
        return message;
    }

    private static bool AllowedCharacters(string body)
    {
        foreach (var rune in body.EnumerateRunes())
        {
            var c = rune.Value;
            if (!(c is 0x9 or 0xA or 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000)) return false;
        }
        return true;
    }
}

/// <summary>The queues of one account in one Region.</summary>
public sealed class SqsRegion(string accountId, string region)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DoubleQueue> _queues = new(StringComparer.Ordinal);

    /// <summary>A standard queue, as the CDK app would create it (the double does not serve CreateQueue).</summary>
    public DoubleQueue CreateQueue(string name)
    {
        if (name.Length is 0 or > 80 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"'{name}' is not a standard queue name (1-80 of letters, digits, - and _)", nameof(name));
        lock (_gate)
        {
            if (_queues.ContainsKey(name)) throw new InvalidOperationException($"queue {name} already exists");
            return _queues[name] = new DoubleQueue(accountId, region, name);
        }
    }

    public DoubleQueue? Find(string name)
    {
        lock (_gate) return _queues.GetValueOrDefault(name);
    }
}

/// <summary>
/// SQS errors in both its protocols: the Query code (<c>AWS.SimpleQueueService.NonExistentQueue</c>) the XML and the
/// JSON protocol's <c>x-amzn-query-error</c> header carry, and the JSON 1.0 <c>__type</c> shape name.
/// </summary>
internal static class SqsErrors
{
    public static SqsErrorException NonExistentQueue() =>
        new("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "The specified queue does not exist.");

    // [UNCERTAIN] the JSON __type of errors the SQS model does not declare (InvalidParameterValue, MissingParameter,
    // AccessDenied): the query code under com.amazonaws.sqs# is assumed; clients read the code after '#' either way.
    public static SqsErrorException InvalidParameterValue(string message) => new("InvalidParameterValue", "InvalidParameterValue", message);

    public static SqsErrorException MissingParameter(string name) =>
        new("MissingParameter", "MissingParameter", $"The request must contain the parameter {name}.");

    public static SqsErrorException InvalidMessageContents(string message) => new("InvalidMessageContents", "InvalidMessageContents", message);

    public static SqsErrorException AccessDenied(string message) => new("AccessDenied", "AccessDenied", message, status: 403);
}

/// <summary>An SQS error: <see cref="AwsErrorException.Code"/> is the Query code, <see cref="JsonType"/> the JSON shape.</summary>
internal sealed class SqsErrorException(string queryCode, string jsonType, string message, int status = 400)
    : AwsErrorException(status, queryCode, message)
{
    public string JsonType { get; } = jsonType;
}

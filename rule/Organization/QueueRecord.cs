using System.Text.Json;
using MfaConfigRule.Json;

namespace MfaConfigRule.Organization;

/// <summary>One record of the SQS event Lambda's poller hands the central trigger: its ID (for batchItemFailures) and body.</summary>
internal sealed record QueueRecord(string MessageId, string Body)
{
    /// <summary>
    /// The records of Lambda's SQS event (<c>{"Records":[{"messageId":…,"body":…,"eventSource":"aws:sqs",…}]}</c>). A
    /// record without a messageId cannot be reported as failed, so the whole event is refused.
    /// </summary>
    public static IReadOnlyList<QueueRecord> ParseBatch(string json)
    {
        using var document = JsonMessage.Parse(json, "the SQS event");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Records", out var records) || records.ValueKind != JsonValueKind.Array)
            throw new JsonMessageException("the SQS event has no Records list; the Organization trigger reads its queue through an SQS event source mapping");
        var batch = new List<QueueRecord>(records.GetArrayLength());
        foreach (var record in records.EnumerateArray())
        {
            var id = JsonMessage.RequiredString(record, "messageId", "an SQS record");
            batch.Add(new QueueRecord(id, JsonMessage.OptionalString(record, "body") ?? string.Empty));
        }
        return batch;
    }
}

using System.Collections.Concurrent;
using MfaConfigRule.Aws;
using MfaConfigRule.Composition;
using MfaConfigRule.Contract;
using MfaConfigRule.Json;
using MfaConfigRule.Trigger;

namespace MfaConfigRule.Organization;

/// <summary>What the central trigger did with one queued record; <see cref="Failed"/> records go back to SQS for a retry.</summary>
internal sealed record MemberTriggerOutcome(string MessageId, string? Account, string? EventName, string? UserName, string Action, bool Failed)
{
    /// <summary>Refused or given up: a line worth an alarm, though the record is not retried.</summary>
    public bool Refused { get; init; }
}

/// <summary>Where the central trigger acts: the Config rule every member runs, in this Region, and the queue it re-sends to.</summary>
internal sealed record MemberTriggerSettings(string ConfigRuleName, string Region, string QueueUrl, TriggerOptions Options)
{
    /// <summary>An event not finished this long after the IAM call is dropped with an error line; the periodic run covers it.</summary>
    public TimeSpan MaxEventAge { get; init; } = TimeSpan.FromHours(3);
}

/// <summary>
/// The central <c>trigger</c> function's part in Organization mode. Each queued record is one member's IAM event: the
/// account EventBridge stamped on it is admitted (one of the Organization's or the allow-list's accounts) before any
/// call, the member role is assumed there, and the trigger's decision runs against that member's Config, CloudTrail
/// and IAM. Where the single-account trigger would wait, this puts the event back on the queue with a delay and the
/// progress made, so no member's waits hold another member's records. Records of one account run one after another
/// (so the instance's memory of that account's starts coalesces a burst); accounts run side by side.
/// </summary>
internal sealed class MemberTrigger(MemberClientFactory members, IMemberAccounts accounts, SqsClient queue, MemberTriggerSettings settings, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Account, string Region, string Rule), StartMemory> _starts = new();

    public async Task<IReadOnlyList<MemberTriggerOutcome>> HandleBatchAsync(IReadOnlyList<QueueRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var parsed = records.Select(Read).ToList();
        var byAccount = parsed.GroupBy(p => p.Message?.Account ?? p.Record.MessageId, StringComparer.Ordinal);
        var outcomes = await Task.WhenAll(byAccount.Select(group => InOrderAsync(group.ToList(), cancellationToken))).ConfigureAwait(false);
        var byId = outcomes.SelectMany(o => o).ToDictionary(o => o.MessageId, StringComparer.Ordinal);
        return [.. records.Select(r => byId[r.MessageId])];
    }

    private static (QueueRecord Record, ReevaluationMessage? Message, string? Error) Read(QueueRecord record)
    {
        try
        {
            return (record, ReevaluationMessage.Parse(record.Body), null);
        }
        catch (JsonMessageException e)
        {
            return (record, null, e.Message);
        }
    }

    private async Task<List<MemberTriggerOutcome>> InOrderAsync(List<(QueueRecord Record, ReevaluationMessage? Message, string? Error)> group, CancellationToken cancellationToken)
    {
        var outcomes = new List<MemberTriggerOutcome>(group.Count);
        foreach (var (record, message, error) in group)
        {
            // Unreadable: failed, so SQS keeps it and, after its retries, moves it to the dead-letter queue to be looked at.
            outcomes.Add(message is null
                ? new MemberTriggerOutcome(record.MessageId, null, null, null, $"the message cannot be read: {error}", Failed: true)
                : await HandleAsync(record, message, cancellationToken).ConfigureAwait(false));
        }
        return outcomes;
    }

    private async Task<MemberTriggerOutcome> HandleAsync(QueueRecord record, ReevaluationMessage message, CancellationToken cancellationToken)
    {
        var account = message.Account;
        MemberTriggerOutcome Outcome(string action, bool failed = false, bool refused = false) =>
            new(record.MessageId, account, message.Event.EventName, message.Event.UserName, action, failed) { Refused = refused };

        if (!MemberEventCheck.IsAccountId(account)) return Outcome($"refused: account '{account}' is not a 12-digit AWS account ID; nothing was called", refused: true);
        try
        {
            if (!await accounts.ContainsAsync(account, cancellationToken).ConfigureAwait(false))
                return Outcome($"refused: account {account} is not one of {accounts.Description}; nothing was called", refused: true);
        }
        catch (AwsServiceException e)
        {
            return Outcome($"cannot tell whether account {account} belongs to {accounts.Description}: {e.ErrorCode}: {e.ServiceMessage}", failed: true);
        }

        var clients = members.For(account, settings.Region, MemberRole.PartitionOf(settings.Region));
        try
        {
            await clients.Credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            return Outcome(new MemberRoleUnavailableException(account, clients.Credentials.RoleArn, e).Message, failed: true);
        }

        var progress = message.Progress ?? TriggerProgress.Received(message.Event, time.GetUtcNow());
        var starts = _starts.GetOrAdd((account, settings.Region, settings.ConfigRuleName), _ => new StartMemory());
        var handler = Wiring.TriggerHandler(clients.Aws, time, settings.ConfigRuleName, settings.Options);
        try
        {
            switch (await handler.PassAsync(message.Event, progress, starts, settings.ConfigRuleName, cancellationToken).ConfigureAwait(false))
            {
                case TriggerPass.Done done:
                    return Outcome(done.Outcome.Action);
                case TriggerPass.Later later:
                    return await ComeBackLaterAsync(message, later.Step, Outcome, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (AwsServiceException e)
        {
            return Outcome($"{e.Service} {e.Operation} failed in account {account}: {e.ErrorCode}: {e.ServiceMessage}", failed: true);
        }
        throw new InvalidOperationException("a trigger pass ends done or later");
    }

    private async Task<MemberTriggerOutcome> ComeBackLaterAsync(
        ReevaluationMessage message, TriggerStep.ComeBackAt step, Func<string, bool, bool, MemberTriggerOutcome> outcome, CancellationToken cancellationToken)
    {
        if (step.At - message.Event.EventTime > settings.MaxEventAge)
        {
            return outcome($"gave up: not started or covered {settings.MaxEventAge.TotalHours:0.#} h after the call ({step.Reason}); the rule's periodic run will cover it",
                false, true);
        }
        var delay = (int)Math.Clamp(Math.Ceiling((step.At - time.GetUtcNow()).TotalSeconds), 0, SqsClient.MaxDelaySeconds);
        try
        {
            await queue.SendMessageAsync(settings.QueueUrl, message.Resend(step.Progress), delay, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            // Failed: SQS delivers this record again after its visibility timeout, with the progress it came with.
            return outcome($"cannot put the event back on the queue: {e.ErrorCode}: {e.ServiceMessage}", true, false);
        }
        return outcome($"back on the queue for {delay} s: {step.Reason}", false, false);
    }
}

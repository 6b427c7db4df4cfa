using System.Text.Json;
using MfaConfigRule.Contract;
using MfaConfigRule.Json;

namespace MfaConfigRule.Remediation;

/// <summary>
/// What the SSM document passes to the <c>remediate</c> entry: <c>IAMResourceId</c> (the user ID Config's
/// <c>RESOURCE_ID</c> is, <c>AIDA…</c>), <c>Action</c> and <c>DryRun</c>. Automation may hand a Boolean parameter over as
/// a JSON boolean or as the string "true"/"false", so both are accepted.
/// </summary>
internal sealed record RemediationRequest(string UserId, RemediationAction Action, bool DryRun)
{
    public const string UserIdKey = "IAMResourceId";
    public const string ActionKey = "Action";
    public const string DryRunKey = "DryRun";

    /// <summary>
    /// Reads the request through the neutral JSON helper (<see cref="JsonMessage"/>); every error, the helper's included
    /// (not JSON, a field that is no text), is a <see cref="RemediationRequestException"/> naming what was wrong.
    /// </summary>
    public static RemediationRequest Parse(string json)
    {
        using var document = Document(json);
        return From(document.RootElement);
    }

    /// <summary>The request in an already parsed document (an Organization member's request carries more fields).</summary>
    internal static RemediationRequest From(JsonElement root) =>
        Read(() =>
        {
            if (root.ValueKind != JsonValueKind.Object)
                throw new RemediationRequestException($"the remediation request must be a JSON object, got {root.ValueKind}");

            var userId = JsonMessage.OptionalString(root, UserIdKey)?.Trim();
            if (string.IsNullOrEmpty(userId))
                throw new RemediationRequestException($"{UserIdKey} is missing: the IAM user ID (AIDA...) to remediate");
            // IAM user IDs: AIDA and at least 16 more upper-case letters and digits. A user name here is a wiring mistake.
            if (!userId.StartsWith("AIDA", StringComparison.Ordinal) || userId.Length < 20 || userId.Length > 128
                || !userId.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))
                throw new RemediationRequestException($"{UserIdKey} '{Shorten(userId)}' is not an IAM user ID (AIDA followed by letters and digits)");

            var action = RemediationAction.EnforceMfa;
            if (root.TryGetProperty(ActionKey, out var actionValue) && actionValue.ValueKind != JsonValueKind.Null)
            {
                if (actionValue.ValueKind != JsonValueKind.String || !RemediationActionNames.TryParse(JsonMessage.Text(actionValue, ActionKey), out action))
                    throw new RemediationRequestException(
                        $"{ActionKey} '{Shorten(actionValue.ToString())}' is not a remediation action; use {string.Join(" or ", RemediationActionNames.All)}");
            }

            var dryRun = false;
            if (root.TryGetProperty(DryRunKey, out var dry))
            {
                dryRun = dry.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False or JsonValueKind.Null => false,
                    JsonValueKind.String when bool.TryParse(JsonMessage.Text(dry, DryRunKey).Trim(), out var parsed) => parsed,
                    _ => throw new RemediationRequestException($"{DryRunKey} '{Shorten(dry.ToString())}' is not true or false"),
                };
            }
            return new RemediationRequest(userId, action, dryRun);
        });

    /// <summary>The request as a JSON document (<see cref="JsonMessage.Parse"/>); not JSON is a <see cref="RemediationRequestException"/>.</summary>
    internal static JsonDocument Document(string json) => Read(() => JsonMessage.Parse(json, "the remediation request"));

    /// <summary>Runs a read of the request, the JSON helper's errors turned into <see cref="RemediationRequestException"/> with the same message.</summary>
    internal static T Read<T>(Func<T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return read();
        }
        catch (JsonMessageException e)
        {
            throw new RemediationRequestException(e.Message, e);
        }
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 37), "...");
}

/// <summary>A request the function cannot act on; the message names the field.</summary>
internal sealed class RemediationRequestException(string message, Exception? inner = null) : Exception(message, inner);

namespace MfaConfigRule.Json;

/// <summary>A JSON message cannot be read: the message says which field is wrong.</summary>
internal sealed class JsonMessageException(string message) : Exception(message);

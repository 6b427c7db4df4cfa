namespace MfaConfigRule.ConfigEvents;

/// <summary>The event cannot be read: the message says which field is wrong. Nothing is reported for it.</summary>
internal sealed class ConfigEventException(string message) : Exception(message);

namespace MfaConfigRule.Cli;

/// <summary>A mistake in how the CLI was called or what it was given; shown as "error: …" with exit code 2.</summary>
internal sealed class CliException(string message) : Exception(message);

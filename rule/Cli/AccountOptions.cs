namespace MfaConfigRule.Cli;

/// <summary>Where the CLI's live mode finds the account: a named profile and Region from the standard credential chain.</summary>
internal sealed record AccountOptions(string? Profile, string? Region);

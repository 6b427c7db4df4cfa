namespace MfaConfigRule.Cli;

/// <summary>One line of a multi-account audit.</summary>
internal sealed record AccountRow(string Account, AuditRow Row);

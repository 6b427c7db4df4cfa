using System.Globalization;
using System.Text.Json.Nodes;

namespace MfaConfigRule.Benchmarks.Cost;

/// <summary>One Organization size priced from the sample: evaluations a month and Config's pooled price, per strategy.</summary>
internal sealed record OrganizationMonth(int Accounts, int UsersPerAccount, long DefaultDailyOnly, long Default, long ReportChangesOnly)
{
    public static OrganizationMonth From(OrganizationCostSettings settings, int accounts, SampleWrites byDefault, SampleWrites changesOnly) => new(
        accounts, settings.Users,
        (long)Math.Round(accounts * byDefault.MonthPerAccount(reRuns: 0)),
        (long)Math.Round(accounts * byDefault.MonthPerAccount(settings.ReRuns)),
        (long)Math.Round(accounts * changesOnly.MonthPerAccount(settings.ReRuns)));

    public JsonObject ToJson() => new()
    {
        ["accounts"] = Accounts,
        ["usersPerAccount"] = UsersPerAccount,
        ["evaluationsDefaultDailyOnly"] = DefaultDailyOnly,
        ["evaluationsDefault"] = Default,
        ["evaluationsReportChangesOnly"] = ReportChangesOnly,
        ["costDefaultDailyOnly"] = Math.Round(ConfigPricing.Monthly(DefaultDailyOnly), 2),
        ["costDefault"] = Math.Round(ConfigPricing.Monthly(Default), 2),
        ["costReportChangesOnly"] = Math.Round(ConfigPricing.Monthly(ReportChangesOnly), 2),
        ["costDefaultThirdTierAt0.0008"] = Math.Round(ConfigPricing.Monthly(Default, thirdTier: 0.0008m), 2),
    };
}

/// <summary>The Organization cost benchmark as markdown: what the sample measured, then every Organization size priced.</summary>
internal static class OrganizationCostReport
{
    public static IReadOnlyList<OrganizationMonth> Months(OrganizationCostSettings settings, IReadOnlyList<SampleWrites> samples) =>
        [.. settings.Accounts.Select(a => OrganizationMonth.From(settings, a, samples[0], samples[1]))];

    public static void Write(Markdown md, OrganizationCostSettings settings, IReadOnlyList<SampleWrites> samples)
    {
        md.Heading($"Measured: {settings.SampleAccounts} accounts × {settings.Users} users, {settings.ChangePercent.ToString(CultureInfo.InvariantCulture)}% of users changed a day");
        md.Table(
            ["strategy", "changed users", "daily sweeps wrote", "per account", "re-runs after one change wrote", "per account", "stale"],
            samples.Select(s => (IReadOnlyList<string>)
            [
                s.Strategy, Markdown.Count(s.Changed), Markdown.Count(s.DailyWritten), Markdown.Number(s.DailyPerAccount, "0.00"),
                Markdown.Count(s.ReRunWritten), Markdown.Number(s.ReRunPerAccount, "0.00"), Markdown.Count(s.Stale),
            ]));

        md.Heading($"Config evaluations a month: {OrganizationCostSettings.DailyRuns} daily runs + {settings.ReRuns} re-runs in every account, tiers pooled");
        md.Table(
            ["accounts × users", "users", "default, daily only", "default + re-runs", "ReportChangesOnly + re-runs", "cheaper"],
            Months(settings, samples).Select(m => (IReadOnlyList<string>)
            [
                $"{Markdown.Count(m.Accounts)} × {Markdown.Count(m.UsersPerAccount)}", Markdown.Count(m.Accounts * m.UsersPerAccount),
                Cell(m.DefaultDailyOnly), Cell(m.Default), Cell(m.ReportChangesOnly),
                Markdown.Number((double)m.Default / m.ReportChangesOnly, "0.0") + "×",
            ]));
        md.Line(string.Empty);
        md.Line("Prices: $0.001 each for the first 100,000 a month, $0.0008 for the next 400,000, $0.0005 beyond [UNCERTAIN third tier]; with $0.0008 beyond: " +
            string.Join(", ", Months(settings, samples).Select(m => $"{Markdown.Count(m.Accounts)} accounts {Dollars(ConfigPricing.Monthly(m.Default, 0.0008m))} / {Dollars(ConfigPricing.Monthly(m.ReportChangesOnly, 0.0008m))}")) + ".");
    }

    private static string Cell(long evaluations) => $"{evaluations.ToString("N0", CultureInfo.InvariantCulture)} ({Dollars(ConfigPricing.Monthly(evaluations))})";

    private static string Dollars(decimal amount) => "$" + amount.ToString("N2", CultureInfo.InvariantCulture);
}

using System.CommandLine;
using MfaConfigRule.Aws;
using MfaConfigRule.Compliance;
using MfaConfigRule.Composition;
using MfaConfigRule.Contract;
using MfaConfigRule.Iam;
using MfaConfigRule.Organization;
using MfaConfigRule.Reporting;

namespace MfaConfigRule.Cli;

/// <summary>
/// <c>evaluate --assume-role NAME --accounts 111…,222… | --organization</c>: the live sweep in many accounts, through each
/// account's role, as one report with an <c>account</c> column. Exit 2 when an account could not be read (or a user got
/// no verdict), else 1 when something is NON_COMPLIANT, else 0.
/// </summary>
/// <param name="connectHub">The hub's clients from --profile/--region: they list the Organization and assume the roles.</param>
/// <param name="environment">Endpoint overrides, which the member clients honour like the hub's.</param>
internal sealed class OrganizationEvaluate(TextWriter stdout, TextWriter stderr, TimeProvider time, Func<AccountOptions, AwsClients> connectHub, IEnvironmentVariables environment)
{
    /// <summary>The row of an account that could not be read at all.</summary>
    public const string WholeAccount = "(whole account)";

    private readonly Option<string?> _assumeRole = new("--assume-role") { Description = "Audit other accounts through this role in each of them (e.g. MfaConfigRule-Member); needs --accounts or --organization." };
    private readonly Option<string?> _accounts = new("--accounts") { Description = "With --assume-role: comma-separated 12-digit account IDs." };
    private readonly Option<bool> _organization = new("--organization") { Description = "With --assume-role: every active account of the Organization (organizations:ListAccounts; management account or delegated administrator)." };
    private readonly Option<string?> _externalId = new("--external-id") { Description = "With --assume-role: the external ID the role's trust policy asks for." };
    private readonly Option<int> _parallel = new("--max-parallel-accounts")
    {
        Description = $"With --assume-role: accounts audited at once (default {OrganizationAudit.DefaultMaxParallelAccounts}).",
        DefaultValueFactory = _ => OrganizationAudit.DefaultMaxParallelAccounts,
    };

    public IEnumerable<Option> Options => [_assumeRole, _accounts, _organization, _externalId, _parallel];

    /// <summary>Whether the command line asks for a multi-account audit; the single-account path is untouched otherwise.</summary>
    public bool Applies(ParseResult parse) =>
        parse.GetValue(_assumeRole) is not null || parse.GetValue(_accounts) is not null || parse.GetValue(_organization);

    public int Run(ParseResult parse, AccountOptions hub, RuleParameters parameters, OutputFormat format, bool liveOnly)
    {
        var roleName = parse.GetValue(_assumeRole) ?? throw new CliException("--accounts and --organization need --assume-role NAME: the role to assume in each account");
        var accountsText = parse.GetValue(_accounts);
        var wholeOrganization = parse.GetValue(_organization);
        if ((accountsText is null) == !wholeOrganization)
            throw new CliException("--assume-role needs exactly one of --accounts 111111111111,222222222222 or --organization");
        var parallel = parse.GetValue(_parallel);
        if (parallel is < 1 or > 64) throw new CliException($"--max-parallel-accounts {parallel} is outside 1-64");
        MemberRole role;
        IReadOnlyList<string> accountIds;
        try
        {
            role = new MemberRole(roleName, parse.GetValue(_externalId));
            accountIds = accountsText is null ? [] : [.. OrganizationSettings.ParseAccountIds(accountsText, "--accounts")];
        }
        catch (OrganizationSettingsException e)
        {
            throw new CliException(e.Message);
        }

        using var aws = connectHub(hub);
        if (wholeOrganization)
        {
            accountIds = OrganizationAudit.ActiveAccountsAsync(OrganizationsClient.Over(aws), CancellationToken.None).GetAwaiter().GetResult();
            stderr.WriteLine($"the Organization has {accountIds.Count} active account(s)");
        }
        using var members = new MemberClientFactory(aws, role, new AwsClientOptions { Region = aws.Endpoints.Region, Environment = environment, TimeProvider = time });
        var audit = new OrganizationAudit(members, time, new AssessorOptions { UseCredentialReport = !liveOnly }, parallel);
        var results = audit.RunAsync(accountIds, aws.Endpoints.Region, parameters, new AccountProgress(stderr), CancellationToken.None).GetAwaiter().GetResult();

        foreach (var failed in results.Where(a => !a.Reached)) stderr.WriteLine($"error: account {failed.AccountId}: {failed.Error}");
        var warnings = results.Where(a => a.Reached).SelectMany(a => a.Sweep!.Stats.Warnings.Select(w => $"account {a.AccountId}: {w}")).ToList();
        foreach (var warning in warnings) stderr.WriteLine($"warning: {warning}");
        var rows = Rows(results);
        if (format == OutputFormat.Html)
        {
            var subject = $"{(wholeOrganization ? "the Organization's" : "the")} {accountIds.Count} account(s), through role {roleName}";
            HtmlReport.Write(stdout, AuditReport.ForOrganization(results, subject, time.GetUtcNow(), warnings));
        }
        else
        {
            AccountAuditWriter.Write(stdout, rows, format);
        }
        return ExitCodes.For([.. rows.Select(r => r.Row)]);
    }

    /// <summary>Every account's rows, NON_COMPLIANT first across accounts, then by account and user.</summary>
    public static IReadOnlyList<AccountRow> Rows(IReadOnlyList<AccountAudit> results) =>
    [
        .. results.SelectMany(a => a.Sweep is { } sweep
                ? AuditRow.ForSweep(sweep).Select(r => new AccountRow(a.AccountId, r))
                : [new AccountRow(a.AccountId, new AuditRow(WholeAccount, string.Empty, AuditRow.InsufficientData, a.Error ?? "not read"))])
            .OrderBy(r => AuditRow.Rank(r.Row.Compliance))
            .ThenBy(r => r.Account, StringComparer.Ordinal)
            .ThenBy(r => r.Row.User, StringComparer.Ordinal),
    ];
}

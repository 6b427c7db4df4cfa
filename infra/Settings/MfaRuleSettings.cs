using Constructs;

namespace MfaConfigRule.Infra.Settings;

/// <summary>
/// Everything a person can choose about the deployment, read from CDK context (<c>cdk.json</c> or <c>-c key=value</c>)
/// by one <see cref="ContextReader"/>, a record per capability, and validated before any resource is defined, so a bad
/// value stops <c>cdk synth</c> with a message that names it.
/// </summary>
internal sealed record MfaRuleSettings
{
    public const string AccountKey = "mfaRule:account";
    public const string RegionKey = "mfaRule:region";

    public RuleSettings Rule { get; init; } = new();
    public FunctionSettings Functions { get; init; } = new();
    public SecurityHubFindingsSettings SecurityHub { get; init; } = new();
    public RemediationSettings Remediation { get; init; } = new();
    public OperationsSettings Operations { get; init; } = new();

    public string? Account { get; init; }
    public string? Region { get; init; }

    /// <summary>
    /// Reads the settings; <paramref name="defaultAccount"/> and <paramref name="defaultRegion"/> are what the CDK CLI
    /// resolved from the AWS profile (<c>CDK_DEFAULT_ACCOUNT</c>/<c>CDK_DEFAULT_REGION</c>), used unless context overrides them.
    /// </summary>
    public static MfaRuleSettings FromContext(Node node, string? defaultAccount, string? defaultRegion)
    {
        var context = new ContextReader(node);
        var settings = Read(context, defaultAccount, defaultRegion);
        context.ThrowIfInvalid();
        return settings;
    }

    /// <summary>Reads every capability's settings in the order of their keys, so the errors come out in that order.</summary>
    public static MfaRuleSettings Read(ContextReader context, string? defaultAccount, string? defaultRegion)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new MfaRuleSettings
        {
            Rule = RuleSettings.Read(context),
            Functions = FunctionSettings.Read(context),
            Account = context.Read(AccountKey, ContextReader.NullIfEmpty(defaultAccount), ParseAccount),
            Region = context.Read(RegionKey, ContextReader.NullIfEmpty(defaultRegion), v => ContextReader.NullIfEmpty(ContextReader.AsString(v))),
            SecurityHub = SecurityHubFindingsSettings.Read(context),
            Remediation = RemediationSettings.Read(context),
            Operations = OperationsSettings.Read(context),
        };
    }

    private static string? ParseAccount(object value)
    {
        var account = ContextReader.NullIfEmpty(ContextReader.AsString(value));
        if (account is not null && (account.Length != 12 || !account.All(char.IsAsciiDigit)))
            throw new FormatException($"'{account}' is not a 12-digit AWS account ID");
        return account;
    }
}

using System.Text;
using AwsDouble.Auth;
using AwsDouble.CloudTrail;
using AwsDouble.Config;
using AwsDouble.Iam;
using AwsDouble.SecurityHub;
using AwsDouble.Ssm;

namespace AwsDouble;

/// <summary>How a double starts. Every default is deterministic except the signing clock, which is real time.</summary>
public sealed record AwsDoubleOptions
{
    /// <summary>0: any free port on 127.0.0.1.</summary>
    public int Port { get; init; }

    /// <summary>Seeds every generated ID, key, token and MFA seed, so runs repeat.</summary>
    public int RandomSeed { get; init; } = 20260115;

    /// <summary>The double's "now"; null: a clock held at <see cref="DoubleClock.DefaultStart"/>.</summary>
    public DoubleClock? Clock { get; init; }

    /// <summary>The clock SigV4 signing times are checked against (clients sign with real time).</summary>
    public TimeProvider SigningClock { get; init; } = TimeProvider.System;

    /// <summary>How far a signature's time may be from the signing clock; AWS allows 15 minutes.</summary>
    public TimeSpan MaxSigningSkew { get; init; } = TimeSpan.FromMinutes(15);

    public string DefaultAccountId { get; init; } = "123456789012";
    public CredentialReportTiming CredentialReport { get; init; } = CredentialReportTiming.Default;

    /// <summary>How long after the call a CloudTrail event shows in LookupEvents (AWS: typically about 5 minutes).</summary>
    public TimeSpan CloudTrailLag { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The undocumented AWS behaviours the double plays (<see cref="AwsBehaviours"/>); null: <see cref="AwsBehaviours.Today"/>
    /// with <see cref="CloudTrailLag"/> as its CloudTrail delay.
    /// </summary>
    public AwsBehaviours? Behaviours { get; init; }

    /// <summary>How long a StartConfigRulesEvaluation stays in progress (a second call meanwhile is LimitExceeded).</summary>
    public TimeSpan ConfigEvaluationDuration { get; init; } = TimeSpan.Zero;

    public bool VerifyMfaCodes { get; init; } = true;

    /// <summary>Serve the unsigned <c>/_double/…</c> control endpoint (clock, faults, result tokens) for manual use.</summary>
    public bool EnableControlEndpoint { get; init; } = true;
}

/// <summary>Everything the double knows: accounts and the keys that sign for them. Thread-safe.</summary>
public sealed class AwsDoubleState
{
    /// <summary>The AWS documentation's example key pair: the default account's root access key.</summary>
    public const string DefaultAccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    public const string DefaultSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, DoubleAccount> _accounts = new(StringComparer.Ordinal);
    private readonly Random _random;

    /// <summary>Every authenticated request, by service and operation.</summary>
    public Hosting.RequestCounts Requests { get; } = new();

    /// <summary>Config's aggregate calls answered ThrottlingException under <see cref="AwsBehaviours.AggregatorRate"/>.</summary>
    public int AggregateCallsThrottled => AggregateRate.Refused;

    internal Config.RateLimiter AggregateRate { get; } = new();

    internal AwsDoubleState(AwsDoubleOptions options)
    {
        Options = options;
        Clock = options.Clock ?? new DoubleClock();
        _random = new Random(options.RandomSeed);
        _behaviours = options.Behaviours ?? AwsBehaviours.Today with { CloudTrailDelay = options.CloudTrailLag };
        Credentials = new CredentialStore();
        DefaultAccount = AddAccount(options.DefaultAccountId, DefaultAccessKeyId, DefaultSecretAccessKey);
    }

    private AwsBehaviours _behaviours;

    public DoubleClock Clock { get; }
    public DoubleAccount DefaultAccount { get; }

    /// <summary>
    /// The undocumented AWS behaviours the double plays, for every account from now on. Setting it also sets every
    /// account's CloudTrail delay (<see cref="DoubleAccount.CloudTrailLag"/>, which a test may still set per account).
    /// </summary>
    public AwsBehaviours Behaviours
    {
        get => Volatile.Read(ref _behaviours);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Volatile.Write(ref _behaviours, value);
            foreach (var account in Accounts) account.CloudTrailLag = value.CloudTrailDelay;
        }
    }
    internal AwsDoubleOptions Options { get; }
    internal CredentialStore Credentials { get; }

    public IReadOnlyList<DoubleAccount> Accounts
    {
        get
        {
            lock (_gate) return [.. _accounts.Values];
        }
    }

    /// <summary>Adds an account (say, an organization member) with a root access key of its own.</summary>
    public DoubleAccount AddAccount(string accountId)
    {
        var accessKeyId = "AKIA" + RandomText(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        var secret = RandomText(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        return AddAccount(accountId, accessKeyId, secret);
    }

    /// <summary>The Organization, once <see cref="CreateOrganization"/> made one (the double holds at most one).</summary>
    public Organizations.DoubleOrganization? Organization { get; private set; }

    /// <summary>Makes <paramref name="management"/> the management account of a new Organization, with all features on.</summary>
    public Organizations.DoubleOrganization CreateOrganization(DoubleAccount management)
    {
        ArgumentNullException.ThrowIfNull(management);
        lock (_gate)
        {
            if (Organization is not null) throw new InvalidOperationException("the double already has an Organization");
            Organization = new Organizations.DoubleOrganization("o-" + RandomText(10, "abcdefghijklmnopqrstuvwxyz0123456789"), management.AccountId, Clock);
            return Organization;
        }
    }

    public DoubleAccount? FindAccount(string accountId)
    {
        lock (_gate) return _accounts.GetValueOrDefault(accountId);
    }

    internal DoubleAccount Account(string accountId) =>
        FindAccount(accountId) ?? throw new InvalidOperationException($"no account {accountId} in the double");

    internal string RandomText(int length, string alphabet)
    {
        lock (_gate)
        {
            var builder = new StringBuilder(length);
            for (var i = 0; i < length; i++) builder.Append(alphabet[_random.Next(alphabet.Length)]);
            return builder.ToString();
        }
    }

    private DoubleAccount AddAccount(string accountId, string accessKeyId, string secret)
    {
        if (accountId.Length != 12 || !accountId.All(char.IsAsciiDigit))
            throw new ArgumentException($"an AWS account ID is 12 digits, not '{accountId}'", nameof(accountId));
        lock (_gate)
        {
            if (_accounts.ContainsKey(accountId)) throw new InvalidOperationException($"account {accountId} is already in the double");
            var root = new Principal(accessKeyId, secret, accountId, PrincipalKind.Root, $"arn:aws:iam::{accountId}:root", accountId);
            var account = new DoubleAccount(this, accountId, root, _random.Next());
            _accounts[accountId] = account;
            Credentials.Add(root);
            return account;
        }
    }
}

/// <summary>
/// One AWS account in the double: its IAM, its CloudTrail event history, its Config recorder and rules per Region,
/// its Lambda functions per Region, and the roles STS lets callers assume. Tests drive and inspect it through these members.
/// </summary>
public sealed class DoubleAccount
{
    private readonly Lock _gate = new();
    private readonly AwsDoubleState _state;
    private readonly Dictionary<string, ConfigRegion> _configRegions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SecurityHubRegion> _securityHubRegions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SsmRegion> _ssmRegions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Sqs.SqsRegion> _sqsRegions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Lambda.LambdaRegion> _lambdaRegions = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Region, string Name), ConfigAggregator> _aggregators = [];
    private readonly Random _random;

    internal DoubleAccount(AwsDoubleState state, string accountId, Principal root, int seed)
    {
        _state = state;
        AccountId = accountId;
        RootCredentials = root;
        _random = new Random(seed);
        var options = state.Options;
        Events = new EventHistory(accountId, state.Clock, new Random(_random.Next())) { Lag = state.Behaviours.CloudTrailDelay };
        ConfigItems = new ConfigItemStore();
        Iam = new IamState(accountId, DoubleClock.DefaultStart.AddYears(-6), state.Clock, new Random(_random.Next()), Events, ConfigItems)
        {
            ReportTiming = options.CredentialReport,
            VerifyMfaCodes = options.VerifyMfaCodes,
            Behaviours = () => state.Behaviours,
        };
        Roles = new Sts.AccountRoles(accountId, state, Iam);
    }

    public string AccountId { get; }

    /// <summary>The account's root access key: sign with it to act as the account.</summary>
    public Principal RootCredentials { get; }

    internal IamState Iam { get; }
    internal EventHistory Events { get; }
    internal ConfigItemStore ConfigItems { get; }

    /// <summary>The account's roles, for STS.</summary>
    internal Sts.AccountRoles Roles { get; }

    // ---- IAM ----

    /// <summary>Puts users straight into IAM (no CloudTrail events): the account's past. Fast enough for 5,000.</summary>
    public IReadOnlyList<IamUserSnapshot> SeedUsers(IEnumerable<UserSeed> users) => Iam.Seed(users);

    public IReadOnlyList<IamUserSnapshot> Users => Iam.Users();

    public IamUserSnapshot? FindUser(string userName) => Iam.FindUser(userName);

    public IReadOnlyList<VirtualMfaDeviceSnapshot> VirtualMfaDevices => Iam.VirtualMfaDevices();

    /// <summary>The credential report CSV as it would be generated at this moment.</summary>
    public string CredentialReportCsvNow() => Iam.BuildReportNow();

    public CredentialReportTiming CredentialReportTiming
    {
        get => Iam.ReportTiming;
        set => Iam.ReportTiming = value;
    }

    /// <summary>
    /// Edits each credential report as it is generated from now on (rows cut short, unreadable values, unknown users),
    /// so tests can check what a client does with a report it cannot fully trust. Null: reports as IAM writes them.
    /// </summary>
    public Func<string, string>? CredentialReportRewriter
    {
        get => Iam.ReportRewriter;
        set => Iam.ReportRewriter = value;
    }

    public bool VerifyMfaCodes
    {
        get => Iam.VerifyMfaCodes;
        set => Iam.VerifyMfaCodes = value;
    }

    /// <summary>Creates a customer managed policy (no CloudTrail event), as a stack would have before the test starts.</summary>
    public ManagedPolicySnapshot CreateManagedPolicy(string policyName, string document, string path = "/") => Iam.CreatePolicy(null, policyName, path, document);

    public IReadOnlyList<ManagedPolicySnapshot> ManagedPolicies => Iam.Policies();

    /// <summary>IAM's managed-policies-per-user quota (default 10); AttachUserPolicy past it answers LimitExceeded.</summary>
    public int ManagedPoliciesPerUser
    {
        get => Iam.ManagedPoliciesPerUser;
        set => Iam.ManagedPoliciesPerUser = value;
    }

    /// <summary>
    /// A role STS may assume in this account, with its trust policy (AssumeRolePolicyDocument JSON); without one, any
    /// principal of this account may assume it. Returns its ARN; adding it again replaces the trust policy.
    /// </summary>
    public string AddRole(string roleName, string? trustPolicy = null) => Roles.Add(roleName, trustPolicy);

    /// <summary>A session of the role as a service hands it over, without a trust check, valid for <paramref name="duration"/>.</summary>
    public Principal StartRoleSession(string roleName, string sessionName, TimeSpan duration) => Roles.StartSession(roleName, sessionName, duration);

    /// <summary>Deletes a role: sessions already handed out stay valid until they expire, as in IAM.</summary>
    public bool DeleteRole(string roleName) => Roles.Delete(roleName);

    /// <summary>A long-term access key for an existing IAM user, to make calls as that user.</summary>
    public Principal CreateAccessKey(string userName)
    {
        var user = Iam.FindUser(userName) ?? throw new InvalidOperationException($"no user {userName} in account {AccountId}");
        var principal = new Principal(
            "AKIA" + _state.RandomText(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            _state.RandomText(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            AccountId, PrincipalKind.User, user.Arn, user.UserId);
        _state.Credentials.Add(principal);
        return principal;
    }

    // ---- CloudTrail ----

    /// <summary>Every recorded event, visible yet or not, oldest first.</summary>
    public IReadOnlyList<CloudTrailEventRecord> CloudTrailEvents => Events.All();

    public TimeSpan CloudTrailLag
    {
        get => Events.Lag;
        set => Events.Lag = value;
    }

    // ---- Config ----

    /// <summary>Config in one Region of this account (created on first use, as if the recorder were on everywhere).</summary>
    public ConfigRegion Config(string region)
    {
        lock (_gate)
        {
            if (!_configRegions.TryGetValue(region, out var config))
            {
                config = new ConfigRegion(AccountId, region, _state.Clock, new Random(_random.Next()), () => _state.Behaviours, ConfigItems.LatestUserItems)
                {
                    EvaluationDuration = _state.Options.ConfigEvaluationDuration,
                };
                _configRegions[region] = config;
            }
            return config;
        }
    }

    /// <summary>
    /// Registers a configuration aggregator in this account (the hub) and <paramref name="region"/>: over
    /// <paramref name="sourceAccountIds"/>, or every active account of the Organization when null, in
    /// <paramref name="regions"/> (default: the aggregator's own Region).
    /// </summary>
    public ConfigAggregator AddConfigurationAggregator(string region, string name, IReadOnlyList<string>? sourceAccountIds = null, IReadOnlyList<string>? regions = null)
    {
        lock (_gate)
        {
            var id = "config-aggregator-" + _state.RandomText(8, "abcdefghijklmnopqrstuvwxyz0123456789");
            var aggregator = new ConfigAggregator(name, AccountId, region, id, sourceAccountIds, regions ?? [region]);
            _aggregators[(region, name)] = aggregator;
            return aggregator;
        }
    }

    public ConfigAggregator? FindAggregator(string region, string name)
    {
        lock (_gate) return _aggregators.GetValueOrDefault((region, name));
    }

    // ---- Security Hub ----

    /// <summary>Security Hub in one Region of this account (created on first use, enabled).</summary>
    public SecurityHubRegion SecurityHub(string region)
    {
        lock (_gate)
        {
            if (!_securityHubRegions.TryGetValue(region, out var hub)) _securityHubRegions[region] = hub = new SecurityHubRegion(AccountId, region);
            return hub;
        }
    }

    // ---- Systems Manager ----

    /// <summary>Systems Manager Automation in one Region of this account (created on first use).</summary>
    public SsmRegion Ssm(string region)
    {
        lock (_gate)
        {
            if (!_ssmRegions.TryGetValue(region, out var ssm)) _ssmRegions[region] = ssm = new SsmRegion(AccountId, region, _state.Clock, new Random(_random.Next()));
            return ssm;
        }
    }

    // ---- Lambda ----

    /// <summary>Lambda in one Region of this account: the functions a test registers and who may invoke them (created on first use).</summary>
    public Lambda.LambdaRegion Lambda(string region)
    {
        lock (_gate)
        {
            if (!_lambdaRegions.TryGetValue(region, out var lambda)) _lambdaRegions[region] = lambda = new Lambda.LambdaRegion(AccountId, region, _state);
            return lambda;
        }
    }

    // ---- SQS ----

    /// <summary>SQS in one Region of this account: its queues (created by the test, as the CDK app would).</summary>
    public Sqs.SqsRegion Sqs(string region)
    {
        lock (_gate)
        {
            if (!_sqsRegions.TryGetValue(region, out var sqs)) _sqsRegions[region] = sqs = new Sqs.SqsRegion(AccountId, region);
            return sqs;
        }
    }

    /// <summary>The configuration items Config recorded for a resource (an IAM user's ID), oldest first.</summary>
    public IReadOnlyList<ConfigurationItemRecord> ConfigurationHistory(string resourceId) => ConfigItems.History(resourceId);
}

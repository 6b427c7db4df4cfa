using System.Text.RegularExpressions;
using AwsDouble.Auth;

namespace AwsDouble.Lambda;

/// <summary>What a function returned: its raw output, and <c>Unhandled</c> in <see cref="FunctionError"/> when it failed.</summary>
public sealed record LambdaInvokeResult(string Payload, string? FunctionError = null);

/// <summary>
/// Lambda in one account and Region: the functions a test registers (the CDK app's functions, played by a handler the
/// test supplies) and who may invoke them. Lambda's <c>Invoke</c> decides as IAM would, in the one place the double can
/// know the policies:
/// <list type="bullet">
/// <item>A caller in the function's own account may invoke when an identity-based policy grants it: the double knows
/// those only as the test declares them, the <c>invokerRoleArns</c> of <see cref="AddFunction"/> (the roles whose policy in
/// the template allows <c>lambda:InvokeFunction</c> on this function). A role session is judged by its role's ARN
/// (<c>arn:aws:iam::ACCOUNT:role/NAME</c>, not the session ARN); the account's root user may always invoke. A resource-based
/// statement that admits the caller (below) also suffices within the account, as in IAM.</item>
/// <item>A caller in another account may invoke only through a resource-based statement:
/// <see cref="AllowOrganization"/> writes <c>Principal "*"</c> with <c>aws:PrincipalOrgID</c>, as <c>AWS::Lambda::Permission</c>
/// with <c>PrincipalOrgID</c> does, admitting every principal of an account in that Organization. The double does not model
/// the caller's own identity policy in its account (it assumes it allows), which is exactly why such a statement admits
/// more than the roles meant to use it.</item>
/// </list>
/// Everything else is <c>AccessDeniedException</c>. Thread-safe.
/// </summary>
public sealed partial class LambdaRegion(string accountId, string region, AwsDoubleState state)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DoubleFunction> _functions = new(StringComparer.Ordinal);

    public string AccountId { get; } = accountId;
    public string Region { get; } = region;

    /// <summary>
    /// Registers a function whose invocations <paramref name="handler"/> answers (given the payload as sent), invokable in
    /// this account by <paramref name="invokerRoleArns"/> (IAM role or user ARNs). Returns its ARN,
    /// <c>arn:aws:lambda:REGION:ACCOUNT:function:NAME</c>.
    /// </summary>
    public string AddFunction(string functionName, Func<string, CancellationToken, Task<LambdaInvokeResult>> handler, IEnumerable<string> invokerRoleArns)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(invokerRoleArns);
        if (!FunctionNamePattern().IsMatch(functionName ?? string.Empty))
            throw new ArgumentException($"a function name is 1 to 64 letters, digits, '-' or '_', not '{functionName}'", nameof(functionName));
        var invokers = invokerRoleArns.ToList();
        foreach (var arn in invokers.Where(a => !IdentityArnPattern().IsMatch(a)))
            throw new ArgumentException($"'{arn}' is not an IAM role or user ARN (arn:aws:iam::ACCOUNT:role/NAME)", nameof(invokerRoleArns));
        lock (_gate)
        {
            if (_functions.ContainsKey(functionName!))
                throw new InvalidOperationException($"function {functionName} already exists in {AccountId}/{Region} (Lambda: ResourceConflictException)");
            _functions[functionName!] = new DoubleFunction(functionName!, FunctionArn(functionName!), handler, invokers.ToHashSet(StringComparer.Ordinal));
        }
        return FunctionArn(functionName!);
    }

    /// <summary>
    /// Adds the resource-based statement <c>AWS::Lambda::Permission</c> writes for <c>PrincipalOrgID</c>: principal <c>*</c>,
    /// action <c>lambda:InvokeFunction</c>, condition <c>StringEquals aws:PrincipalOrgID</c> = <paramref name="organizationId"/>.
    /// </summary>
    public void AllowOrganization(string functionName, string organizationId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(organizationId);
        var function = Find(functionName) ?? throw new InvalidOperationException($"no function {functionName} in {AccountId}/{Region}");
        function.AllowOrganization(organizationId);
    }

    /// <summary>How many times the function's handler ran (denied, throttled and dry-run calls never reach it).</summary>
    public int Invocations(string functionName) =>
        Find(functionName)?.Invocations ?? throw new InvalidOperationException($"no function {functionName} in {AccountId}/{Region}");

    public string FunctionArn(string functionName) => $"arn:aws:lambda:{Region}:{AccountId}:function:{functionName}";

    internal DoubleFunction? Find(string functionName)
    {
        lock (_gate) return _functions.GetValueOrDefault(functionName);
    }

    /// <summary>Null when <paramref name="caller"/> may invoke <paramref name="function"/>; else the reason AWS gives after "because".</summary>
    internal string? Refusal(Principal caller, DoubleFunction function)
    {
        var organization = state.Organization;
        var orgId = organization is not null && organization.IsMember(caller.AccountId) ? organization.Id : null;
        var resourcePolicyAllows = orgId is not null && function.OrganizationIds.Contains(orgId);
        if (caller.AccountId != AccountId)
            return resourcePolicyAllows ? null : "no resource-based policy allows the lambda:InvokeFunction action";
        if (caller.Kind == PrincipalKind.Root || function.Invokers.Contains(caller.IdentityArn) || resourcePolicyAllows) return null;
        return "no identity-based policy allows the lambda:InvokeFunction action";
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex FunctionNamePattern();

    [GeneratedRegex(@"^arn:aws:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")]
    private static partial Regex IdentityArnPattern();
}

/// <summary>One registered function: its handler, the identities granted in its account, its Organization statements.</summary>
internal sealed class DoubleFunction(string name, string arn, Func<string, CancellationToken, Task<LambdaInvokeResult>> handler, IReadOnlySet<string> invokers)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _organizationIds = new(StringComparer.Ordinal);
    private int _invocations;

    public string Name { get; } = name;
    public string Arn { get; } = arn;
    public IReadOnlySet<string> Invokers { get; } = invokers;
    public int Invocations => Volatile.Read(ref _invocations);

    public IReadOnlySet<string> OrganizationIds
    {
        get
        {
            lock (_gate) return _organizationIds.ToHashSet(StringComparer.Ordinal);
        }
    }

    public void AllowOrganization(string organizationId)
    {
        lock (_gate) _organizationIds.Add(organizationId);
    }

    /// <summary>Runs the handler; an exception it throws is the function failing, as Lambda reports an unhandled error.</summary>
    public async Task<LambdaInvokeResult> InvokeAsync(string payload, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _invocations);
        try
        {
            return await handler(payload, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = new System.Text.Json.Nodes.JsonObject { ["errorMessage"] = e.Message, ["errorType"] = e.GetType().Name };
            return new LambdaInvokeResult(error.ToJsonString(), "Unhandled");
        }
    }
}

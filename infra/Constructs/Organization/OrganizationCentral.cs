using Amazon.CDK;
using Amazon.CDK.AWS.Lambda;
using Constructs;

namespace MfaConfigRule.Infra.Constructs.Organization;

/// <summary>
/// The admin account's side of an Organization deployment, as <see cref="IOrganizationMemberPart.AddCentral"/> sees it:
/// where a part creates its central pieces, and the values (<see cref="CentralValue"/>) every member gets from them.
/// </summary>
internal sealed class OrganizationCentral(Stack stack, string memberRoleName, string externalId, Code code, CentralEvaluator evaluator, OrganizationIdentity identity)
{
    private readonly Dictionary<string, (CentralValue Value, string AdminSideValue)> _values = new(StringComparer.Ordinal);
    private readonly List<IConstruct> _memberPrerequisites = [];

    public Stack Stack { get; } = stack;

    /// <summary>The role every member account has for the central functions, and the external ID it asks them for.</summary>
    public string MemberRoleName { get; } = memberRoleName;

    public string ExternalId { get; } = externalId;
    public Code Code { get; } = code;
    public CentralEvaluator Evaluator { get; } = evaluator;

    /// <summary><c>o-…</c>, read at deploy time.</summary>
    public string OrganizationId { get; } = identity.OrganizationId;

    /// <summary>Makes <paramref name="value"/> available to every member, as <paramref name="adminSideValue"/> here.</summary>
    public void Provide(CentralValue value, string adminSideValue)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!_values.TryAdd(value.ParameterName, (value, adminSideValue)))
            throw new InvalidOperationException($"the central value {value.ParameterName} is provided twice");
    }

    /// <summary>
    /// Something a member needs in its first minutes (a bus policy admitting its events, the role and policy its runbook
    /// invokes through): the StackSet, and the management account's own rule, are created only after it.
    /// </summary>
    public void RequireBeforeMembers(IConstruct prerequisite)
    {
        ArgumentNullException.ThrowIfNull(prerequisite);
        _memberPrerequisites.Add(prerequisite);
    }

    /// <summary>What <see cref="RequireBeforeMembers"/> collected, in the order the parts added it.</summary>
    public IReadOnlyList<IConstruct> MemberPrerequisites => _memberPrerequisites;

    /// <summary>The admin-side value of <paramref name="value"/>; an error naming it when no part provided it.</summary>
    public string Get(CentralValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return ParameterValue(value.ParameterName);
    }

    /// <summary>The admin-side value of the member template's parameter <paramref name="parameterName"/>: what the StackSet passes.</summary>
    public string ParameterValue(string parameterName) =>
        _values.TryGetValue(parameterName, out var provided)
            ? provided.AdminSideValue
            : throw new InvalidOperationException($"no part provides the central value {parameterName} that a member piece uses");
}

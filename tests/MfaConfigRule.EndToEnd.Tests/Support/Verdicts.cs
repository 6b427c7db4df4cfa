using System.Text;
using System.Text.Json.Nodes;
using AwsDouble.Config;
using AwsDouble.Population;

namespace MfaConfigRule.EndToEnd.Tests.Support;

/// <summary>Config's compliance types as they travel on the wire.</summary>
internal static class Verdict
{
    public const string Compliant = "COMPLIANT";
    public const string NonCompliant = "NON_COMPLIANT";
    public const string NotApplicable = "NOT_APPLICABLE";
}

/// <summary>A user the double holds, with the situation it was seeded in.</summary>
internal sealed record SeededUser(string UserName, string UserId, PopulationCase Case);

/// <summary>
/// The rule parameters a test deploys, and what they make of each population case: the verdict table in docs/verdicts.md,
/// written out again here so that a wrong rule disagrees with it (never computed by the rule's own evaluator).
/// </summary>
internal sealed record RulePolicy
{
    public IReadOnlyList<string> ExemptUserNames { get; init; } = [];
    public IReadOnlyList<string> ExemptPathPrefixes { get; init; } = [];
    public bool FidoOnly { get; init; }
    public bool NoPasswordCompliant { get; init; }
    public int GracePeriodHours { get; init; }

    /// <summary>ReportChangesOnly (cost, not verdicts: what Config holds must be the same either way).</summary>
    public bool ReportChangesOnly { get; init; }

    public int? RefreshDays { get; init; }

    /// <summary>No parameters at all: the rule's defaults (the tag exemption is on by default).</summary>
    public static RulePolicy Defaults { get; } = new();

    /// <summary>The population's exempt names and path, and a day's grace for new passwords.</summary>
    public static RulePolicy WithExemptions { get; } = new()
    {
        ExemptUserNames = Populations.ExemptUserNames,
        ExemptPathPrefixes = [Populations.ExemptPathPrefix],
        GracePeriodHours = 24,
    };

    /// <summary>The <c>ruleParameters</c> JSON string of the Config event, or null for none.</summary>
    public string? ParametersJson()
    {
        var parameters = new JsonObject();
        if (ExemptUserNames.Count > 0) parameters["ExemptUserNames"] = string.Join(',', ExemptUserNames);
        if (ExemptPathPrefixes.Count > 0) parameters["ExemptPathPrefixes"] = string.Join(',', ExemptPathPrefixes);
        if (FidoOnly) parameters["AllowedMfaTypes"] = "fido";
        if (NoPasswordCompliant) parameters["NoPasswordResult"] = "COMPLIANT";
        if (GracePeriodHours > 0) parameters["GracePeriodHours"] = GracePeriodHours.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (ReportChangesOnly) parameters["ReportChangesOnly"] = "true";
        if (RefreshDays is { } days) parameters["RefreshDays"] = days.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return parameters.Count == 0 ? null : parameters.ToJsonString();
    }

    public string VerdictFor(PopulationCase kind) => kind switch
    {
        PopulationCase.NoPassword or PopulationCase.NoPasswordWithMfa => NoPasswordCompliant ? Verdict.Compliant : Verdict.NotApplicable,
        PopulationCase.PasswordWithVirtualMfa or PopulationCase.PasswordWithHardwareMfa => FidoOnly ? Verdict.NonCompliant : Verdict.Compliant,
        // Several kinds: a FIDO key and a hardware token, so FIDO-only is satisfied too.
        PopulationCase.PasswordWithFidoMfa or PopulationCase.PasswordWithSeveralMfaKinds => Verdict.Compliant,
        PopulationCase.PasswordWithoutMfa or PopulationCase.PasswordWithAbandonedVirtualMfa or PopulationCase.FreshPasswordWithoutMfa
            or PopulationCase.ExpiredExemptionTag or PopulationCase.MalformedExemptionTag => Verdict.NonCompliant,
        PopulationCase.ExemptByName => ExemptUserNames.Count > 0 ? Verdict.NotApplicable : Verdict.NonCompliant,
        PopulationCase.ExemptByPath => ExemptPathPrefixes.Count > 0 ? Verdict.NotApplicable : Verdict.NonCompliant,
        PopulationCase.ExemptByValidTag => Verdict.NotApplicable,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a case the oracle does not know"),
    };

    /// <summary>Words the annotation must contain for the case (docs/verdicts.md: it names the exemption, the expired or malformed tag, the grace).</summary>
    public string? AnnotationMentions(PopulationCase kind) => kind switch
    {
        PopulationCase.ExpiredExemptionTag => "expired",
        PopulationCase.MalformedExemptionTag => "next-quarter",
        PopulationCase.ExemptByName or PopulationCase.ExemptByPath or PopulationCase.ExemptByValidTag when VerdictFor(kind) == Verdict.NotApplicable => "Exempt",
        PopulationCase.FreshPasswordWithoutMfa when GracePeriodHours > 0 => "grace",
        _ => null,
    };

    public Dictionary<string, string> ExpectedById(IEnumerable<SeededUser> users) =>
        users.ToDictionary(u => u.UserId, u => VerdictFor(u.Case), StringComparer.Ordinal);
}

/// <summary>Compares what Config holds with what the rule owes every user, and says exactly what differs.</summary>
internal static class VerdictAssert
{
    public const string UserResourceType = "AWS::IAM::User";
    private const int MaxAnnotation = 256;

    /// <summary>Exactly these users, with exactly these verdicts: none missing, none extra, none wrong.</summary>
    public static void Exactly(IReadOnlyDictionary<string, string> expectedById, IEnumerable<(string ResourceType, string ResourceId, string ComplianceType, string? Annotation)> actual, IReadOnlyDictionary<string, string>? namesById = null)
    {
        var actualList = actual.ToList();
        var problems = Problems(expectedById, actualList, namesById, requireAll: true);
        Assert.True(problems.Count == 0, Describe(problems, expectedById.Count, actualList.Count));
    }

    /// <summary>Whatever was written is right (a partial run): nothing wrong, nothing for unknown users, maybe some missing.</summary>
    public static void NothingWrong(IReadOnlyDictionary<string, string> expectedById, IEnumerable<(string ResourceType, string ResourceId, string ComplianceType, string? Annotation)> actual, IReadOnlyDictionary<string, string>? namesById = null)
    {
        var actualList = actual.ToList();
        var problems = Problems(expectedById, actualList, namesById, requireAll: false);
        Assert.True(problems.Count == 0, Describe(problems, expectedById.Count, actualList.Count));
    }

    public static IEnumerable<(string ResourceType, string ResourceId, string ComplianceType, string? Annotation)> Of(IEnumerable<StoredEvaluation> results) =>
        results.Select(r => (r.ResourceType, r.ResourceId, r.ComplianceType, r.Annotation));

    public static IEnumerable<(string ResourceType, string ResourceId, string ComplianceType, string? Annotation)> Of(IEnumerable<EvaluationInput> evaluations) =>
        evaluations.Select(e => (e.ComplianceResourceType, e.ComplianceResourceId, e.ComplianceType, e.Annotation));

    private static List<string> Problems(IReadOnlyDictionary<string, string> expectedById,
        List<(string ResourceType, string ResourceId, string ComplianceType, string? Annotation)> actual, IReadOnlyDictionary<string, string>? namesById, bool requireAll)
    {
        string Who(string id) => namesById is not null && namesById.TryGetValue(id, out var name) ? $"{id} ({name})" : id;
        var problems = new List<string>();
        foreach (var duplicate in actual.GroupBy(a => a.ResourceId).Where(g => g.Count() > 1))
            problems.Add($"{Who(duplicate.Key)}: {duplicate.Count()} results");
        foreach (var result in actual)
        {
            if (result.ResourceType != UserResourceType) problems.Add($"{Who(result.ResourceId)}: resource type {result.ResourceType}");
            if (!result.ResourceId.StartsWith("AIDA", StringComparison.Ordinal)) problems.Add($"{result.ResourceId}: not an IAM user ID");
            if (result.Annotation is { Length: > MaxAnnotation }) problems.Add($"{Who(result.ResourceId)}: annotation of {result.Annotation.Length} characters");
            if (!expectedById.TryGetValue(result.ResourceId, out var expected))
                problems.Add($"{Who(result.ResourceId)}: {result.ComplianceType} for a user the test does not know");
            else if (expected != result.ComplianceType)
                problems.Add($"{Who(result.ResourceId)}: {result.ComplianceType}, expected {expected}{(result.ComplianceType == Verdict.Compliant ? "  <-- WRONGLY COMPLIANT" : string.Empty)} ({result.Annotation})");
        }
        if (requireAll)
        {
            var seen = actual.Select(a => a.ResourceId).ToHashSet(StringComparer.Ordinal);
            problems.AddRange(expectedById.Keys.Where(id => !seen.Contains(id)).Select(id => $"{Who(id)}: missing, expected {expectedById[id]}"));
        }
        return problems;
    }

    private static string Describe(List<string> problems, int expected, int actual)
    {
        var text = new StringBuilder($"{problems.Count} problem(s) among {actual} result(s) for {expected} expected user(s):");
        foreach (var problem in problems.Take(40)) text.Append("\n  ").Append(problem);
        if (problems.Count > 40) text.Append($"\n  ... and {problems.Count - 40} more");
        return text.ToString();
    }
}

using BenchmarkDotNet.Attributes;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Benchmarks.Micro;

/// <summary>
/// The evaluator over 5,000 users: live states with tags (every case of the samples-style population), and the
/// credential report's view of the same users, under the default parameters and under a strict policy.
/// </summary>
[MemoryDiagnoser]
public class EvaluatorThroughput
{
    private UserCredentialState[] _live = [];
    private UserCredentialState[] _fromReport = [];
    private DateTimeOffset _now;
    private readonly RuleParameters _strict = RuleParameters.Parse(new Dictionary<string, string>
    {
        [RuleParameters.AllowedMfaTypesKey] = "fido",
        [RuleParameters.GracePeriodHoursKey] = "72",
        [RuleParameters.ExemptPathPrefixesKey] = "/break-glass/",
        [RuleParameters.ExemptUserNamesKey] = "breakglass-admin,breakglass-auditor",
    });

    [GlobalSetup]
    public void Setup()
    {
        var (csv, users, now) = MicroData.Account();
        _now = now;
        _live = [.. users.Select(Scenario.Truth.StateOf)];
        _fromReport = [.. CredentialReport.Parse(csv).Users.Select(row => row.ToState(row.Arn))];
    }

    [Benchmark(Baseline = true)]
    public int Live5000DefaultParameters() => Count(_live, RuleParameters.Default);

    [Benchmark]
    public int Live5000StrictParameters() => Count(_live, _strict);

    [Benchmark]
    public int Report5000DefaultParameters() => Count(_fromReport, RuleParameters.Default);

    private int Count(UserCredentialState[] states, RuleParameters parameters)
    {
        var nonCompliant = 0;
        foreach (var state in states)
            if (Evaluator.Evaluate(state, parameters, _now).Compliance == ComplianceType.NonCompliant) nonCompliant++;
        return nonCompliant;
    }
}

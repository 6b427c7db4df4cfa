using BenchmarkDotNet.Attributes;
using MfaConfigRule.Compliance;

namespace MfaConfigRule.Benchmarks.Micro;

/// <summary>Parsing IAM's credential report for an account at IAM's 5,000-user quota (public and unsealed for BenchmarkDotNet).</summary>
[MemoryDiagnoser]
public class CredentialReportParsing
{
    private string _csv = string.Empty;

    [GlobalSetup]
    public void Setup() => _csv = MicroData.Account().ReportCsv;

    [Benchmark]
    public int Parse5000Rows() => CredentialReport.Parse(_csv).Users.Count;
}

using MfaConfigRule.Cli;
using MfaConfigRule.Compliance;
using MfaConfigRule.Organization;
using MfaConfigRule.Reporting;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Reporting;

public sealed class ReportTests
{
    private static ReportUser Row(string account, string user, ComplianceType? verdict, bool stale = false) =>
        new(account, user, verdict, $"why {user}") { Stale = stale };

    [Fact]
    public void Totals_CountEachVerdictStaleAndAccountStatus()
    {
        var report = new Report(Now, ReportSource.ConfigAggregator, "aggregator org",
            [ReportAccount.Evaluated("111111111111"), new("222222222222", null, AccountStatus.NoResults), new("333333333333", "prod", AccountStatus.Unreachable, "AccessDenied")],
            [Row("111111111111", "a", ComplianceType.NonCompliant), Row("111111111111", "b", ComplianceType.Compliant, stale: true),
             Row("111111111111", "c", null), Row("111111111111", "d", ComplianceType.NotApplicable), Row("111111111111", "e", ComplianceType.NonCompliant)]);

        Assert.Equal(new ReportTotals(Users: 5, NonCompliant: 2, NoVerdict: 1, Compliant: 1, NotApplicable: 1, Stale: 1, Accounts: 3, AccountsUnreachable: 1, AccountsWithoutResults: 1), report.Totals);
        Assert.False(report.Totals.AllClear);
    }

    [Fact]
    public void Totals_OnlyCompliantAndFresh_IsAllClear()
    {
        var report = new Report(Now, ReportSource.LiveAccount, "x", [ReportAccount.Evaluated("111111111111")], [Row("111111111111", "a", ComplianceType.Compliant)]);

        Assert.True(report.Totals.AllClear);
    }

    [Fact]
    public void AccountsByRisk_MostNonCompliantFirst_ThenUnknownThenStale()
    {
        var report = new Report(Now, ReportSource.ConfigAggregator, "x",
            [ReportAccount.Evaluated("111111111111"), ReportAccount.Evaluated("222222222222"), new("333333333333", null, AccountStatus.NoResults),
             ReportAccount.Evaluated("444444444444"), ReportAccount.Evaluated("555555555555")],
            [Row("111111111111", "a", ComplianceType.Compliant), Row("222222222222", "b", ComplianceType.NonCompliant), Row("222222222222", "c", ComplianceType.NonCompliant),
             Row("444444444444", "d", ComplianceType.NonCompliant), Row("555555555555", "e", ComplianceType.Compliant, stale: true)]);

        Assert.Equal(["222222222222", "444444444444", "333333333333", "555555555555", "111111111111"], report.AccountsByRisk.Select(a => a.Account.AccountId));
        Assert.Equal(2, report.AccountsByRisk[0].Totals.NonCompliant);
    }

    [Fact]
    public void AccountsByRisk_UserOfAnUnlistedAccount_StillCounts()
    {
        var report = new Report(Now, ReportSource.ConfigAggregator, "x", [], [Row("999999999999", "a", ComplianceType.NonCompliant)]);

        Assert.Equal("999999999999", Assert.Single(report.AccountsByRisk).Account.AccountId);
    }

    [Fact]
    public void UsersByRisk_NonCompliantRiskiestFirst_ThenNoVerdictCompliantNotApplicable()
    {
        var graced = new Exposure(HasSomeMfaDevice: false, PasswordLastUsed: null, PasswordSetAt: Now, InGracePeriod: true);
        var used = new Exposure(HasSomeMfaDevice: false, PasswordLastUsed: Now, PasswordSetAt: Now.AddDays(-9), InGracePeriod: false);
        var report = new Report(Now, ReportSource.LiveAccount, "x", [],
            [Row("1", "na", ComplianceType.NotApplicable), Row("1", "ok", ComplianceType.Compliant), Row("1", "none", null),
             Row("1", "graced", ComplianceType.NonCompliant) with { Exposure = graced }, Row("1", "used", ComplianceType.NonCompliant) with { Exposure = used }]);

        Assert.Equal(["used", "graced", "none", "ok", "na"], report.UsersByRisk.Select(u => u.User));
    }

    [Fact]
    public void ForAccount_ReusesTheRows_AccountFromTheArns_UnknownVerdictIsNoVerdict()
    {
        var assessment = Evaluator.Evaluate(PasswordWithoutMfa(User("alice")), RuleParameters.Default, Now);
        var rows = new[] { AuditRow.From(assessment), new AuditRow("(line 7)", string.Empty, AuditRow.InsufficientData, "Unreadable report row"), new AuditRow("bob", string.Empty, "SOMETHING_NEW", "?") };

        var report = AuditReport.ForAccount(rows, ReportSource.CredentialReport, "report.csv", Now, ["w"]);

        var account = AuditReport.AccountOf(UserArn("alice"));
        Assert.NotNull(account);
        Assert.Equal(account, Assert.Single(report.Accounts).AccountId);
        Assert.Equal([ComplianceType.NonCompliant, null, null], report.Users.Select(u => u.Verdict));
        Assert.Equal(assessment.Exposure, report.Users[0].Exposure);
        Assert.Equal(["NON_COMPLIANT", "INSUFFICIENT_DATA", "INSUFFICIENT_DATA"], report.Users.Select(u => u.VerdictName));
        Assert.Equal(["w"], report.Warnings);
    }

    [Fact]
    public void ForOrganization_UnreadAccountIsUnreachableWithItsCause_NotAUserRow()
    {
        var results = new[] { new AccountAudit("222222222222", null, "AccessDenied on sts:AssumeRole") };

        var report = AuditReport.ForOrganization(results, "the Organization", Now, []);

        Assert.Equal(new ReportAccount("222222222222", null, AccountStatus.Unreachable, "AccessDenied on sts:AssumeRole"), Assert.Single(report.Accounts));
        Assert.Empty(report.Users);
        Assert.Equal(1, report.Totals.AccountsUnreachable);
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:user/ops/alice", "123456789012")]
    [InlineData("arn:aws-us-gov:iam::123456789012:user/alice", "123456789012")]
    [InlineData("", null)]
    [InlineData("arn:aws:iam::12345:user/alice", null)]
    public void AccountOf_ReadsTheAccountOfAnIamArn(string arn, string? account) => Assert.Equal(account, AuditReport.AccountOf(arn));
}

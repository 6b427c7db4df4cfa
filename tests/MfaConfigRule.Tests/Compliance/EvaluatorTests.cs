using MfaConfigRule.Compliance;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Compliance;

public sealed class EvaluatorTests
{
    public enum PasswordCase
    {
        NoneLive,
        NoneReport,
        Live,
        Report,
    }

    public enum MfaCase
    {
        NoneLive,
        Virtual,
        Hardware,
        Fido,
        VirtualAndHardware,
        VirtualAndFido,
        HardwareAndFido,
        AllThree,
        ReportActiveKindUnknown,
        ReportInactive,
        UnknownKind,
        HardwareAndUnknownKind,
    }

    private static readonly string[] AllowedMfaTypes =
        ["virtual,hardware,fido", "fido", "virtual", "hardware", "virtual,hardware", "hardware,fido", "virtual,fido"];

    public static TheoryData<PasswordCase, MfaCase, string, string> Combinations()
    {
        var data = new TheoryData<PasswordCase, MfaCase, string, string>();
        foreach (var password in Enum.GetValues<PasswordCase>())
            foreach (var mfa in Enum.GetValues<MfaCase>())
                foreach (var allowed in AllowedMfaTypes)
                    foreach (var noPassword in new[] { ComplianceTypeNames.NotApplicable, ComplianceTypeNames.Compliant })
                        data.Add(password, mfa, allowed, noPassword);
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Evaluate_PasswordMfaAndAllowedTypes_GivesTheDecidedVerdict(PasswordCase password, MfaCase mfa, string allowedMfaTypes, string noPasswordResult)
    {
        var parameters = RuleParameters.Parse(new Dictionary<string, string>
        {
            [RuleParameters.AllowedMfaTypesKey] = allowedMfaTypes,
            [RuleParameters.NoPasswordResultKey] = noPasswordResult,
        });
        var state = new UserCredentialState(User("alice"), Password(password), Mfa(mfa), NoTags);

        var assessment = Evaluator.Evaluate(state, parameters, Now);

        var (compliance, missing) = Decided(password, mfa, parameters);
        Assert.Equal(compliance, assessment.Compliance);
        Assert.Equal(missing, assessment.Missing);
        Assert.Null(assessment.Exemption);
        Assert.Same(state.User, assessment.User);
    }

    /// <summary>The decided semantics, written from the design notes rather than from the evaluator's code.</summary>
    private static (ComplianceType? Compliance, MissingEvidence Missing) Decided(PasswordCase password, MfaCase mfa, RuleParameters parameters)
    {
        if (password is PasswordCase.NoneLive or PasswordCase.NoneReport) return (parameters.NoPasswordResult, MissingEvidence.None);
        if ((KindsOf(mfa) & parameters.AllowedMfaTypes) != MfaKinds.None) return (ComplianceType.Compliant, MissingEvidence.None);
        // A serial of a kind the rule does not recognise is MFA of some kind: enough only where every kind is.
        if (KindsOf(mfa).HasFlag(MfaKinds.Unknown) && parameters.AllowedMfaTypes == MfaKinds.All) return (ComplianceType.Compliant, MissingEvidence.None);
        if (mfa == MfaCase.ReportActiveKindUnknown)
        {
            return parameters.AllowedMfaTypes == MfaKinds.All
                ? (ComplianceType.Compliant, MissingEvidence.None)
                : (null, MissingEvidence.MfaDeviceKinds);
        }
        var bothLive = password == PasswordCase.Live && mfa != MfaCase.ReportInactive;
        return (ComplianceType.NonCompliant, bothLive ? MissingEvidence.None : MissingEvidence.LiveState);
    }

    private static PasswordEvidence Password(PasswordCase password) => password switch
    {
        PasswordCase.NoneLive => PasswordEvidence.None(EvidenceSource.Live),
        PasswordCase.NoneReport => PasswordEvidence.None(EvidenceSource.CredentialReport),
        PasswordCase.Live => LivePassword(),
        _ => ReportPassword(),
    };

    private static MfaEvidence Mfa(MfaCase mfa) => mfa switch
    {
        MfaCase.ReportActiveKindUnknown => MfaEvidence.FromReport(true),
        MfaCase.ReportInactive => MfaEvidence.FromReport(false),
        _ => MfaEvidence.Live(Devices(mfa)),
    };

    private static MfaDevice[] Devices(MfaCase mfa) => mfa switch
    {
        MfaCase.Virtual => [Virtual("alice")],
        MfaCase.Hardware => [Hardware()],
        MfaCase.Fido => [Fido("alice")],
        MfaCase.VirtualAndHardware => [Virtual("alice"), Hardware()],
        MfaCase.VirtualAndFido => [Virtual("alice"), Fido("alice")],
        MfaCase.HardwareAndFido => [Hardware(), Fido("alice")],
        MfaCase.AllThree => [Virtual("alice"), Hardware(), Fido("alice")],
        MfaCase.UnknownKind => [UnknownKind("alice")],
        MfaCase.HardwareAndUnknownKind => [Hardware(), UnknownKind("alice")],
        _ => [],
    };

    private static MfaKinds KindsOf(MfaCase mfa) => Devices(mfa).Aggregate(MfaKinds.None, (kinds, d) => kinds | d.Kind);

    [Fact]
    public void Evaluate_PasswordWithoutMfa_IsNonCompliant()
    {
        var assessment = Evaluator.Evaluate(PasswordWithoutMfa(), RuleParameters.Default, Now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.True(assessment.IsFinal);
        Assert.Contains("no MFA device", assessment.Annotation, StringComparison.Ordinal);
        Assert.Contains("IAM > Users > alice > Security credentials", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_PasswordWithOnlyDisallowedKind_NamesTheKindAndWhatIsRequired()
    {
        var state = LiveState(User("alice"), Now.AddDays(-30), [Virtual("alice"), Hardware()]);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"AllowedMfaTypes":"fido"}"""), Now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.Contains("only virtual or hardware MFA, which this rule does not accept", assessment.Annotation, StringComparison.Ordinal);
        Assert.Contains("Assign a FIDO MFA device", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UnknownSerialKindWithDefaultPolicy_IsCompliantAndSaysWhatItSaw()
    {
        var state = LiveState(User("alice"), Now.AddDays(-30), [UnknownKind("alice")]);

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Equal(ComplianceType.Compliant, assessment.Compliance);
        Assert.Equal("Console password protected by unrecognised-kind MFA (1 device; serial kind sms-mfa).", assessment.Annotation);
    }

    [Fact]
    public void Evaluate_UnknownSerialKindWithHardwareOrFidoPolicy_IsNonCompliantAndSaysWhatItSaw()
    {
        var state = LiveState(User("alice"), Now.AddDays(-30), [UnknownKind("alice")]);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"AllowedMfaTypes":"hardware,fido"}"""), Now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.True(assessment.IsFinal);
        Assert.Contains("only unrecognised-kind MFA (serial kind sms-mfa), which this rule does not accept", assessment.Annotation, StringComparison.Ordinal);
        Assert.Contains("Assign a hardware or FIDO MFA device", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UnknownSerialKindBesideAnAllowedDevice_CountsOnlyTheAllowedOne()
    {
        var state = LiveState(User("alice"), Now.AddDays(-30), [UnknownKind("alice"), Fido("alice")]);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"AllowedMfaTypes":"fido"}"""), Now);

        Assert.Equal("Console password protected by FIDO MFA (1 device).", assessment.Annotation);
    }

    [Fact]
    public void Evaluate_CompliantWithDevices_AnnotationNamesTheSatisfyingKindsAndCount()
    {
        var state = LiveState(User("alice"), Now.AddDays(-30), [Virtual("alice"), Fido("alice")]);

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Equal("Console password protected by virtual or FIDO MFA (2 devices).", assessment.Annotation);
    }

    [Fact]
    public void Evaluate_ReportActiveWithAllKindsAllowed_IsCompliantFromTheReport()
    {
        var state = new UserCredentialState(User("alice"), ReportPassword(), MfaEvidence.FromReport(true), null);

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Equal(ComplianceType.Compliant, assessment.Compliance);
        Assert.True(assessment.IsFinal);
        Assert.Contains("credential report", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ReportActiveWithRestrictedKinds_AsksForTheDevices()
    {
        var state = new UserCredentialState(User("alice"), ReportPassword(), MfaEvidence.FromReport(true), null);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"AllowedMfaTypes":"fido,hardware"}"""), Now);

        Assert.Null(assessment.Compliance);
        Assert.False(assessment.IsFinal);
        Assert.Equal(MissingEvidence.MfaDeviceKinds, assessment.Missing);
        Assert.Contains("hardware or FIDO is required", assessment.Annotation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "No console password: the control covers only users who can sign in to the console.")]
    [InlineData(true, "No console password (credential report): the control covers only users who can sign in to the console.")]
    public void Evaluate_NoPassword_SaysSoAndWhereItCameFrom(bool fromReport, string annotation)
    {
        var source = fromReport ? EvidenceSource.CredentialReport : EvidenceSource.Live;
        var state = new UserCredentialState(User("ci-deployer"), PasswordEvidence.None(source), MfaEvidence.Live([]), null);

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
        Assert.True(assessment.IsFinal);
        Assert.Equal(annotation, assessment.Annotation);
    }

    [Fact]
    public void Evaluate_NoPasswordButExempt_NoPasswordResultWins()
    {
        var state = LiveState(User("ci-deployer"), null, []);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"ExemptUserNames":"ci-deployer","NoPasswordResult":"COMPLIANT"}"""), Now);

        Assert.Equal(ComplianceType.Compliant, assessment.Compliance);
        Assert.Null(assessment.Exemption);
    }

    public enum ExemptionCase
    {
        NameListed,
        PathListed,
        TagValid,
        TagExpiresToday,
        TagExpired,
        TagMalformed,
        TagAbsent,
        TagsNotRead,
    }

    public enum GraceCase
    {
        Inside,
        ExactlyAtTheEnd,
        After,
        NoPasswordDate,
    }

    public static TheoryData<ExemptionCase, PasswordCase, MfaCase, string> ExemptionCombinations()
    {
        var data = new TheoryData<ExemptionCase, PasswordCase, MfaCase, string>();
        foreach (var exemption in Enum.GetValues<ExemptionCase>())
            foreach (var password in Enum.GetValues<PasswordCase>())
                foreach (var mfa in new[] { MfaCase.NoneLive, MfaCase.Virtual, MfaCase.Fido, MfaCase.ReportActiveKindUnknown, MfaCase.ReportInactive })
                    foreach (var allowed in new[] { "virtual,hardware,fido", "fido" })
                        data.Add(exemption, password, mfa, allowed);
        return data;
    }

    [Theory]
    [MemberData(nameof(ExemptionCombinations))]
    public void Evaluate_ExemptionsWithAnyEvidence_ApplyOnlyToWouldBeFindings(ExemptionCase exemption, PasswordCase password, MfaCase mfa, string allowedMfaTypes)
    {
        var parameters = RuleParameters.Parse(new Dictionary<string, string>
        {
            [RuleParameters.AllowedMfaTypesKey] = allowedMfaTypes,
            [RuleParameters.ExemptUserNamesKey] = exemption == ExemptionCase.NameListed ? "ALICE" : "someone-else",
            [RuleParameters.ExemptPathPrefixesKey] = exemption == ExemptionCase.PathListed ? "/break-glass/" : "/elsewhere/",
        });
        IReadOnlyDictionary<string, string>? tags = exemption switch
        {
            ExemptionCase.TagValid => Tags(("mfa-exempt-until", "2027-01-01")),
            ExemptionCase.TagExpiresToday => Tags(("mfa-exempt-until", "2026-11-29")),
            ExemptionCase.TagExpired => Tags(("mfa-exempt-until", "2026-11-28")),
            ExemptionCase.TagMalformed => Tags(("mfa-exempt-until", "someday")),
            ExemptionCase.TagsNotRead => null,
            _ => NoTags,
        };
        var state = new UserCredentialState(User("alice", "/break-glass/team/"), Password(password), Mfa(mfa), tags);

        var assessment = Evaluator.Evaluate(state, parameters, Now);

        var (decided, missing) = Decided(password, mfa, parameters);
        if (decided != ComplianceType.NonCompliant)
        {
            Assert.Equal(decided, assessment.Compliance);
            Assert.Null(assessment.Exemption);
            return;
        }
        switch (exemption)
        {
            case ExemptionCase.NameListed or ExemptionCase.PathListed or ExemptionCase.TagValid or ExemptionCase.TagExpiresToday:
                Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
                Assert.NotNull(assessment.Exemption);
                Assert.True(assessment.IsFinal);
                break;
            case ExemptionCase.TagsNotRead:
                Assert.Null(assessment.Compliance);
                Assert.Equal(missing | MissingEvidence.Tags, assessment.Missing);
                break;
            default:
                Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
                Assert.Equal(missing, assessment.Missing);
                Assert.Null(assessment.Exemption);
                break;
        }
    }

    public static TheoryData<GraceCase, PasswordCase, MfaCase> GraceCombinations()
    {
        var data = new TheoryData<GraceCase, PasswordCase, MfaCase>();
        foreach (var grace in Enum.GetValues<GraceCase>())
            foreach (var password in new[] { PasswordCase.Live, PasswordCase.Report, PasswordCase.NoneLive })
                foreach (var mfa in new[] { MfaCase.NoneLive, MfaCase.Hardware, MfaCase.ReportActiveKindUnknown, MfaCase.ReportInactive })
                    data.Add(grace, password, mfa);
        return data;
    }

    [Theory]
    [MemberData(nameof(GraceCombinations))]
    public void Evaluate_GraceWithAnyEvidence_AnnotatesOnlyFindings(GraceCase grace, PasswordCase password, MfaCase mfa)
    {
        var parameters = Parameters("""{"GracePeriodHours":"24","AllowedMfaTypes":"hardware"}""");
        var setAt = Now.AddHours(-24);
        var now = grace switch
        {
            GraceCase.Inside => setAt.AddHours(23),
            GraceCase.ExactlyAtTheEnd => setAt.AddHours(24),
            _ => setAt.AddHours(30),
        };
        var passwordEvidence = Password(password) with { SetAt = password is PasswordCase.NoneLive ? null : grace == GraceCase.NoPasswordDate ? null : setAt };
        var state = new UserCredentialState(User("alice"), passwordEvidence, Mfa(mfa), NoTags);

        var assessment = Evaluator.Evaluate(state, parameters, now);

        var (decided, missing) = Decided(password, mfa, parameters);
        if (decided != ComplianceType.NonCompliant)
        {
            Assert.Equal(decided, assessment.Compliance);
            Assert.Null(assessment.GraceEndsAt);
        }
        else if (grace == GraceCase.Inside)
        {
            Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
            Assert.Equal(setAt.AddHours(24), assessment.GraceEndsAt);
            Assert.Equal(missing, assessment.Missing);
        }
        else
        {
            Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
            Assert.Null(assessment.GraceEndsAt);
            Assert.Equal(missing, assessment.Missing);
        }
    }

    // Exemptions: only for a user who would otherwise be NON_COMPLIANT.

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("ALICE", "alice")]
    [InlineData("Alice", "aLiCe")]
    [InlineData("bob, alice ,carol", "alice")]
    public void Evaluate_ExemptUserName_IsNotApplicableWhateverTheCase(string exemptNames, string userName)
    {
        var parameters = RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.ExemptUserNamesKey] = exemptNames });

        var assessment = Evaluator.Evaluate(PasswordWithoutMfa(User(userName)), parameters, Now);

        Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
        Assert.True(assessment.IsFinal);
        Assert.NotNull(assessment.Exemption);
        Assert.Null(assessment.Exemption.EndsAt);
        Assert.Equal("Exempt (user name listed in ExemptUserNames); console password with no MFA device.", assessment.Annotation);
    }

    [Fact]
    public void Evaluate_ExemptUserNameThatOnlyStartsLikeTheUser_DoesNotExempt()
    {
        var assessment = Evaluator.Evaluate(PasswordWithoutMfa(User("alice2")), Parameters("""{"ExemptUserNames":"alice"}"""), Now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
    }

    [Theory]
    [InlineData("/break-glass/", "/break-glass/", true)]
    [InlineData("/break-glass/", "/break-glass/team-a/", true)]
    [InlineData("/break-glass/,/service-accounts/", "/service-accounts/", true)]
    [InlineData("/break-glass/", "/", false)]
    [InlineData("/break-glass/", "/break-glass-old/", false)]
    [InlineData("/break-glass/", "/Break-Glass/", false)]
    [InlineData("/team/break-glass/", "/break-glass/", false)]
    public void Evaluate_ExemptPathPrefix_ExemptsUsersUnderThePath(string prefixes, string userPath, bool exempt)
    {
        var parameters = RuleParameters.Parse(new Dictionary<string, string> { [RuleParameters.ExemptPathPrefixesKey] = prefixes });

        var assessment = Evaluator.Evaluate(PasswordWithoutMfa(User("alice", userPath)), parameters, Now);

        Assert.Equal(exempt ? ComplianceType.NotApplicable : ComplianceType.NonCompliant, assessment.Compliance);
        Assert.Equal(exempt, assessment.Exemption is not null);
        if (exempt) Assert.StartsWith("Exempt (path /", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ExemptButHasAllowedMfa_IsCompliantNotExempt()
    {
        var state = LiveState(User("alice"), Now.AddDays(-30), [Virtual("alice")]);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"ExemptUserNames":"alice"}"""), Now);

        Assert.Equal(ComplianceType.Compliant, assessment.Compliance);
        Assert.Null(assessment.Exemption);
    }

    [Fact]
    public void Evaluate_ExemptByNameWithReportEvidence_IsFinalWithoutLiveReads()
    {
        var state = new UserCredentialState(User("alice"), ReportPassword(), MfaEvidence.FromReport(false), null);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"ExemptUserNames":"alice"}"""), Now);

        Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
        Assert.True(assessment.IsFinal);
    }

    public static TheoryData<string, DateTimeOffset, bool> TagExemptions() => new()
    {
        // A valid date in the future exempts.
        { "2026-12-31", Now, true },
        // The tag's day is still exempt, through its last second UTC.
        { "2026-11-29", Now, true },
        { "2026-11-29", new DateTimeOffset(2026, 11, 29, 23, 59, 59, TimeSpan.Zero), true },
        // Expired: from midnight UTC after the tag's day.
        { "2026-11-29", new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), false },
        { "2026-11-28", Now, false },
        // "Through that day UTC" holds for a clock in another offset too.
        { "2026-11-29", new DateTimeOffset(2026, 11, 30, 1, 0, 0, TimeSpan.FromHours(2)), true },
        { "2026-11-29", new DateTimeOffset(2026, 11, 29, 20, 0, 0, TimeSpan.FromHours(-5)), false },
        // Whitespace around a valid date is tolerated.
        { " 2026-12-31 ", Now, true },
    };

    [Theory]
    [MemberData(nameof(TagExemptions))]
    public void Evaluate_ExemptionTagDate_ExemptsThroughThatDayUtc(string tagValue, DateTimeOffset now, bool exempt)
    {
        var expected = exempt ? ComplianceType.NotApplicable : ComplianceType.NonCompliant;
        var state = PasswordWithoutMfa(tags: Tags(("mfa-exempt-until", tagValue)));

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, now);

        Assert.Equal(expected, assessment.Compliance);
        Assert.True(assessment.IsFinal);
        if (exempt)
        {
            var day = DateOnly.Parse(tagValue.Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), assessment.Exemption!.EndsAt);
            Assert.StartsWith($"Exempt through {day:yyyy-MM-dd} (tag mfa-exempt-until)", assessment.Annotation, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(assessment.Exemption);
            Assert.Contains($"Exemption tag mfa-exempt-until expired on {tagValue.Trim()}.", assessment.Annotation, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("9999-12-31")]
    [InlineData(" 9999-12-31 ")]
    public void Evaluate_ExemptionTagOnTheLastRepresentableDay_IsAnExemptionWithNoEndDate(string tagValue)
    {
        var state = PasswordWithoutMfa(tags: Tags(("mfa-exempt-until", tagValue)));

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
        Assert.True(assessment.IsFinal);
        Assert.Equal(DateTimeOffset.MaxValue, assessment.Exemption!.EndsAt);
        Assert.Equal("Exempt with no end date (tag mfa-exempt-until); console password with no MFA device.", assessment.Annotation);
    }

    [Fact]
    public void Evaluate_ExemptionTagTheDayBeforeTheLast_EndsAtTheLastDay()
    {
        var state = PasswordWithoutMfa(tags: Tags(("mfa-exempt-until", "9999-12-30")));

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Equal(new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero), assessment.Exemption!.EndsAt);
        Assert.StartsWith("Exempt through 9999-12-30 (tag mfa-exempt-until)", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_NeverEndingExemptionTagJudgedAtTheEndOfTime_StillExempts()
    {
        var state = PasswordWithoutMfa(tags: Tags(("mfa-exempt-until", "9999-12-31")));

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, DateTimeOffset.MaxValue.AddTicks(-1));

        Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
    }

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("2026-13-01")]
    [InlineData("2026-02-30")]
    [InlineData("29/11/2026")]
    [InlineData("2026-11-29T23:59:59Z")]
    [InlineData("")]
    public void Evaluate_MalformedExemptionTag_ExemptsNothingAndSaysWhy(string tagValue)
    {
        var state = PasswordWithoutMfa(tags: Tags(("mfa-exempt-until", tagValue)));

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.Null(assessment.Exemption);
        Assert.Contains($"Tag mfa-exempt-until='{tagValue}' is not a YYYY-MM-DD date, so it exempts nothing.", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MalformedExemptionTagLongValue_QuotesItShortened()
    {
        var state = PasswordWithoutMfa(tags: Tags(("mfa-exempt-until", new string('x', 200))));

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Contains($"'{new string('x', 21)}...'", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ExemptionTagAbsent_IsNonCompliantWithoutATagNote()
    {
        var state = PasswordWithoutMfa(tags: Tags(("team", "payments")));

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.DoesNotContain("Tag", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ExemptionTagKeyInOtherCase_ExemptsAsIamTreatsKeysCaseInsensitively()
    {
        var state = PasswordWithoutMfa(tags: Tags(("MFA-Exempt-Until", "2027-01-01")));

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
    }

    [Fact]
    public void Evaluate_CustomExemptionTagKey_IsTheOneRead()
    {
        var state = PasswordWithoutMfa(tags: Tags(("mfa-exempt-until", "2027-01-01"), ("security/mfa-waiver", "2027-01-01")));

        var custom = Evaluator.Evaluate(state, Parameters("""{"ExemptionTagKey":"security/mfa-waiver"}"""), Now);
        var off = Evaluator.Evaluate(state, Parameters("""{"ExemptionTagKey":""}"""), Now);

        Assert.Equal(ComplianceType.NotApplicable, custom.Compliance);
        Assert.Equal("tag security/mfa-waiver", custom.Exemption!.Reason);
        Assert.Equal(ComplianceType.NonCompliant, off.Compliance);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Evaluate_TagsNotRead_WouldBeNonCompliant_AsksForTags(bool fromReport)
    {
        var source = fromReport ? EvidenceSource.CredentialReport : EvidenceSource.Live;
        var missing = fromReport ? MissingEvidence.Tags | MissingEvidence.LiveState : MissingEvidence.Tags;
        var state = new UserCredentialState(User("alice"), new PasswordEvidence(true, Now.AddDays(-30), source), new MfaEvidence([], false, source), null);

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Null(assessment.Compliance);
        Assert.Equal(missing, assessment.Missing);
        Assert.Contains("the exemption tag mfa-exempt-until must be read before a verdict", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_TagsNotReadButTagExemptionsOff_IsNonCompliant()
    {
        var state = PasswordWithoutMfa() with { Tags = null };

        var assessment = Evaluator.Evaluate(state, Parameters("""{"ExemptionTagKey":""}"""), Now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.True(assessment.IsFinal);
    }

    [Fact]
    public void Evaluate_TagsNotReadButExemptByName_NeedsNoTags()
    {
        var state = PasswordWithoutMfa() with { Tags = null };

        var assessment = Evaluator.Evaluate(state, Parameters("""{"ExemptUserNames":"alice"}"""), Now);

        Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
        Assert.True(assessment.IsFinal);
    }

    [Fact]
    public void Evaluate_TagsNotReadButCompliant_NeedsNoTags()
    {
        var state = LiveState(User("alice"), Now.AddDays(-30), [Virtual("alice")]) with { Tags = null };

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Equal(ComplianceType.Compliant, assessment.Compliance);
        Assert.True(assessment.IsFinal);
    }

    // Grace period: a password newer than GracePeriodHours is not yet a finding.

    public static TheoryData<double, bool> GraceOffsets() => new()
    {
        { -1, true },
        { -(1.0 / 3600), true },
        { 0, false },
        { 1.0 / 3600, false },
        { 48, false },
    };

    [Theory]
    [MemberData(nameof(GraceOffsets))]
    public void Evaluate_GracePeriod_StaysNonCompliantAndSaysWhenGraceEnds(double hoursFromGraceEnd, bool inGrace)
    {
        var passwordSet = Now.AddHours(-10);
        var now = passwordSet.AddHours(24).AddHours(hoursFromGraceEnd);
        var state = LiveState(User("new-hire"), passwordSet, []);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"GracePeriodHours":"24"}"""), now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.True(assessment.IsFinal);
        if (inGrace)
        {
            Assert.Equal(passwordSet.AddHours(24), assessment.GraceEndsAt);
            Assert.Contains("grace period ends 2026-11-30 02:00Z", assessment.Annotation, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(assessment.GraceEndsAt);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(12)]
    public void Evaluate_PasswordDateAtTheEndOfTimeWithGrace_GraceIsCountedFromNowAndNothingOverflows(int hoursBeforeTheEnd)
    {
        // A far-future password date (a report cell, a skewed clock) plus the longest grace must not overflow.
        var passwordSet = DateTimeOffset.MaxValue.AddHours(-hoursBeforeTheEnd);
        var state = new UserCredentialState(User("alice"), ReportPassword(passwordSet), MfaEvidence.FromReport(false), NoTags);
        var parameters = RuleParameters.Default with { GracePeriod = TimeSpan.FromHours(RuleParameters.MaxGracePeriodHours) };

        var assessment = Evaluator.Evaluate(state, parameters, Now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        // A password dated after now buys no more grace than one set now.
        Assert.Equal(Now.AddHours(RuleParameters.MaxGracePeriodHours), assessment.GraceEndsAt);
        Assert.Contains("(set 9999-12-31)", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_GraceJudgedAtTheEndOfTime_SaturatesInsteadOfOverflowing()
    {
        var now = DateTimeOffset.MaxValue.AddHours(-1);
        var state = LiveState(User("alice"), now.AddMinutes(-1), []);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"GracePeriodHours":"24"}"""), now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.Equal(DateTimeOffset.MaxValue, assessment.GraceEndsAt);
        Assert.Contains("grace period ends 9999-12-31 23:59Z", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_GracePeriodWithoutPasswordDate_IsNonCompliant()
    {
        var state = new UserCredentialState(User("alice"), new PasswordEvidence(true, null, EvidenceSource.Live), MfaEvidence.Live([]), NoTags);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"GracePeriodHours":"8760"}"""), Now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.Null(assessment.GraceEndsAt);
    }

    [Fact]
    public void Evaluate_NoGracePeriodConfigured_NewPasswordIsNonCompliant()
    {
        var state = LiveState(User("new-hire"), Now.AddMinutes(-1), []);

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.Null(assessment.GraceEndsAt);
    }

    [Fact]
    public void Evaluate_InGraceFromTheReport_MustBeConfirmedLive()
    {
        // The report's password_last_changed moves on every password change; the live login profile's date does not.
        var state = new UserCredentialState(User("new-hire"), ReportPassword(Now.AddHours(-1)), MfaEvidence.FromReport(false), NoTags);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"GracePeriodHours":"24"}"""), Now);

        Assert.False(assessment.IsFinal);
        Assert.True(assessment.Missing.HasFlag(MissingEvidence.LiveState));
    }

    [Fact]
    public void Evaluate_InGraceAndExempt_TheExemptionIsNamed()
    {
        var state = LiveState(User("new-hire"), Now.AddHours(-1), []);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"GracePeriodHours":"24","ExemptUserNames":"new-hire"}"""), Now);

        Assert.Equal(ComplianceType.NotApplicable, assessment.Compliance);
        Assert.NotNull(assessment.Exemption);
    }

    [Fact]
    public void Evaluate_InGraceButHasAllowedMfa_IsCompliant()
    {
        var state = LiveState(User("new-hire"), Now.AddHours(-1), [Virtual("new-hire")]);

        var assessment = Evaluator.Evaluate(state, Parameters("""{"GracePeriodHours":"24"}"""), Now);

        Assert.Equal(ComplianceType.Compliant, assessment.Compliance);
        Assert.Null(assessment.GraceEndsAt);
    }

    [Fact]
    public void Evaluate_NonCompliantAnnotation_ShowsWhenThePasswordWasSet()
    {
        var state = LiveState(User("alice"), new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), []);

        var assessment = Evaluator.Evaluate(state, RuleParameters.Default, Now);

        Assert.StartsWith("Console password (set 2026-01-02) with no MFA device.", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_LongestRealisticInputs_AnnotationFitsConfigLimit()
    {
        // IAM allows 64-character user names and 128-character tag keys.
        var name = new string('u', 64);
        var tagKey = new string('k', 128);
        var state = LiveState(User(name), Now.AddDays(-1), [Virtual(name)], Tags((tagKey, new string('v', 256))));
        var parameters = RuleParameters.Parse(new Dictionary<string, string>
        {
            [RuleParameters.ExemptionTagKeyKey] = tagKey,
            [RuleParameters.AllowedMfaTypesKey] = "fido",
        });

        var assessment = Evaluator.Evaluate(state, parameters, Now);

        Assert.Equal(ComplianceType.NonCompliant, assessment.Compliance);
        Assert.True(assessment.Annotation.Length <= Evaluation.MaxAnnotationLength, $"{assessment.Annotation.Length} characters");
        Assert.EndsWith(" [truncated]", assessment.Annotation, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => Evaluator.Evaluate(null!, RuleParameters.Default, Now));
        Assert.Throws<ArgumentNullException>(() => Evaluator.Evaluate(PasswordWithoutMfa(), null!, Now));
    }
}

using CsCheck;
using MfaConfigRule.Compliance;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Compliance;

/// <summary>
/// Properties over any credential state (including combinations no IAM source produces) and any parameters: the
/// fail-closed promises hold whatever the input.
/// </summary>
public sealed class EvaluatorPropertyTests
{
    private const string LongName = "a-user-name-at-iams-limit-of-sixty-four-characters-0123456789abc";
    private static readonly string LongTagKey = new('k', 128);

    private static readonly Gen<EvidenceSource> GenSource = Gen.OneOf(EvidenceSource.Live, EvidenceSource.CredentialReport);

    private static readonly Gen<DateTimeOffset?> GenPasswordSetAt =
        Gen.Select(Gen.Bool, Gen.Int[-24 * 400, 0], (known, hours) => known ? Now.AddHours(hours) : (DateTimeOffset?)null);

    private static readonly Gen<PasswordEvidence> GenPassword =
        Gen.Select(Gen.Bool, GenPasswordSetAt, GenSource, (enabled, setAt, source) => new PasswordEvidence(enabled, enabled ? setAt : null, source));

    private static readonly Gen<MfaDevice> GenDevice = Gen.OneOf(Virtual("alice"), Hardware(), Fido("alice"), UnknownKind("alice"));

    private static readonly Gen<MfaEvidence> GenMfa =
        Gen.Select(GenDevice.Array[0, 3], Gen.Bool, GenSource, (devices, unknown, source) => new MfaEvidence(devices, unknown, source));

    private static readonly Gen<IamUser> GenUser =
        Gen.Select(Gen.OneOf("alice", "Bob", LongName), Gen.OneOf("/", "/break-glass/", "/ops/team/"), (name, path) => User(name, path));

    private static readonly Gen<IReadOnlyDictionary<string, string>?> GenTags =
        Gen.Select(
            Gen.Int[0, 2],
            Gen.OneOf(RuleParameters.DefaultExemptionTagKey, "security/mfa-waiver", LongTagKey, "team"),
            Gen.OneOf("2026-11-29", "2026-11-28", "2027-01-01", "garbage", "", new string('é', 256)),
            (shape, key, value) => shape switch
            {
                0 => null,
                1 => NoTags,
                _ => Tags((key, value)),
            });

    private static readonly Gen<UserCredentialState> GenState =
        Gen.Select(GenUser, GenPassword, GenMfa, GenTags, (user, password, mfa, tags) => new UserCredentialState(user, password, mfa, tags));

    private static readonly Gen<RuleParameters> GenParameters =
        Gen.Select(
            Gen.Int[1, 7],
            Gen.Bool,
            Gen.OneOf<string[]>([], ["alice"], ["ALICE", "bob"]),
            Gen.OneOf<string[]>([], ["/break-glass/"], ["/ops/"]),
            Gen.OneOf("", RuleParameters.DefaultExemptionTagKey, "security/mfa-waiver", LongTagKey),
            Gen.OneOf(0, 1, 24, RuleParameters.MaxGracePeriodHours),
            (kinds, noPasswordCompliant, names, prefixes, tagKey, graceHours) => RuleParameters.Default with
            {
                AllowedMfaTypes = (MfaKinds)kinds,
                NoPasswordResult = noPasswordCompliant ? ComplianceType.Compliant : ComplianceType.NotApplicable,
                ExemptUserNames = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase),
                ExemptPathPrefixes = prefixes,
                ExemptionTagKey = tagKey,
                GracePeriod = TimeSpan.FromHours(graceHours),
            });

    private static readonly Gen<DateTimeOffset> GenNow = Gen.Int[-72, 72].Select(hours => Now.AddHours(hours));

    private static readonly Gen<(UserCredentialState State, RuleParameters Parameters, DateTimeOffset Now)> GenCase =
        Gen.Select(GenState, GenParameters, GenNow);

    [Fact]
    public void Evaluate_AnyInput_IsCompliantOnlyWithEvidenceOfAllowedMfaOrNoPassword()
    {
        GenCase.Sample((state, parameters, now) =>
        {
            var assessment = Evaluator.Evaluate(state, parameters, now);
            if (assessment.Compliance != ComplianceType.Compliant) return true;
            var noPasswordCompliant = !state.Password.Enabled && parameters.NoPasswordResult == ComplianceType.Compliant;
            var allowedDevice = (state.Mfa.Kinds & parameters.AllowedMfaTypes) != MfaKinds.None;
            var everyKindAllowed = parameters.AllowedMfaTypes == MfaKinds.All;
            var reportActiveAllKinds = state.Mfa.ActiveKindsUnknown && everyKindAllowed;
            var unknownKindAllKinds = state.Mfa.Kinds.HasFlag(MfaKinds.Unknown) && everyKindAllowed;
            return noPasswordCompliant || allowedDevice || reportActiveAllKinds || unknownKindAllKinds;
        }, iter: 5000);
    }

    [Fact]
    public void Evaluate_OnlyAnUnknownKindOfDevice_SatisfiesNoNarrowerPolicy()
    {
        Gen.Select(GenCase, Gen.Int[1, 6]).Sample((c, kinds) =>
        {
            var state = c.State with { Password = LivePassword(), Mfa = MfaEvidence.Live([UnknownKind("alice")]) };
            var narrower = c.Parameters with { AllowedMfaTypes = (MfaKinds)kinds, ExemptUserNames = new HashSet<string>(), ExemptPathPrefixes = [], ExemptionTagKey = "" };
            return Evaluator.Evaluate(state, narrower, c.Now).Compliance == ComplianceType.NonCompliant;
        }, iter: 2000);
    }

    // Poison values: anything a person can write into a tag, a report cell or a parameter, and any clock.

    private static readonly Gen<DateTimeOffset> GenAnyTime = Gen.Frequency(
        (3, Gen.Long[DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks].Select(ticks => new DateTimeOffset(ticks, TimeSpan.Zero))),
        (1, Gen.OneOf(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue.AddHours(-1), DateTimeOffset.MinValue.AddHours(1))),
        (2, GenNow));

    private static readonly Gen<string> GenAnyTagValue = Gen.Frequency(
        (3, Gen.DateOnly.Select(d => d.ToString(Evaluator.DateFormat, System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.OneOf("9999-12-31", "9999-12-30", "0001-01-01", " 9999-12-31 ", "10000-01-01", "9999-12-32", "-0001-01-01")),
        (2, Gen.String),
        (1, Gen.Char.Array[0, 300].Select(chars => new string(chars))),
        // Supplementary-plane letters (surrogate pairs) are valid IAM tag text; cutting one in half must not break the annotation.
        (1, Gen.Int[1, 200].Select(n => string.Concat(Enumerable.Repeat("\U0001D400", n)))));

    private static readonly Gen<UserCredentialState> GenPoisonState = Gen.Select(
        GenUser,
        Gen.Select(Gen.Bool, Gen.Bool, GenAnyTime, GenSource, (enabled, known, setAt, source) => new PasswordEvidence(enabled, enabled && known ? setAt : null, source)),
        Gen.Select(Gen.Select(Gen.OneOf(Gen.String, Gen.Const("arn:aws:iam::1:"), Gen.Const("")), GenAnyTime, (serial, at) => new MfaDevice(serial, at)).Array[0, 3], Gen.Bool, GenSource,
            (devices, unknown, source) => new MfaEvidence(devices, unknown, source)),
        Gen.Select(Gen.OneOf(Gen.Const(RuleParameters.DefaultExemptionTagKey), Gen.String), GenAnyTagValue, (key, value) => (IReadOnlyDictionary<string, string>)Tags((key, value))),
        (user, password, mfa, tags) => new UserCredentialState(user, password, mfa, tags));

    private static readonly Gen<RuleParameters> GenPoisonParameters = Gen.Select(
        GenParameters,
        Gen.Double[0, RuleParameters.MaxGracePeriodHours],
        (parameters, graceHours) => parameters with { ExemptionTagKey = RuleParameters.DefaultExemptionTagKey, GracePeriod = TimeSpan.FromHours(graceHours) });

    [Fact]
    public void Evaluate_AnyTagValueDateAndClock_NeverThrowsAndTheAnnotationFitsAndIsText()
    {
        Gen.Select(GenPoisonState, GenPoisonParameters, GenAnyTime).Sample((state, parameters, now) =>
        {
            var assessment = Evaluator.Evaluate(state, parameters, now);
            // Cutting the annotation to Config's limit must not split a character; text that came in broken may stay broken.
            var inputs = string.Concat(state.Tags!.Values.Concat(state.Tags.Keys).Concat(state.Mfa.Devices.Select(d => d.SerialNumber)));
            return assessment.Annotation.Length <= Evaluation.MaxAnnotationLength
                && (!HasUnpairedSurrogate(assessment.Annotation) || HasUnpairedSurrogate(inputs))
                && (assessment.Compliance is not null || assessment.Missing != MissingEvidence.None);
        }, iter: 20_000);
    }

    private static bool HasUnpairedSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return true;
        }
        return false;
    }

    [Fact]
    public void Evaluate_AnyInput_AnnotationFitsConfigLimit()
    {
        GenCase.Sample((state, parameters, now) =>
            Evaluator.Evaluate(state, parameters, now).Annotation.Length <= Evaluation.MaxAnnotationLength, iter: 5000);
    }

    [Fact]
    public void Evaluate_AnyInput_FinalNonCompliantRestsOnLivePasswordAndMfa()
    {
        GenCase.Sample((state, parameters, now) =>
        {
            var assessment = Evaluator.Evaluate(state, parameters, now);
            if (assessment.Compliance != ComplianceType.NonCompliant || assessment.Missing != MissingEvidence.None) return true;
            return state.Password.Source == EvidenceSource.Live && state.Mfa.Source == EvidenceSource.Live;
        }, iter: 5000);
    }

    [Fact]
    public void Evaluate_AnyInput_AnExemptionMeansNotApplicableAndFinal()
    {
        GenCase.Sample((state, parameters, now) =>
        {
            var assessment = Evaluator.Evaluate(state, parameters, now);
            return assessment.Exemption is null
                || (assessment.Compliance == ComplianceType.NotApplicable && assessment.IsFinal && state.Password.Enabled);
        }, iter: 5000);
    }

    [Fact]
    public void Evaluate_AnyInput_UndecidedOnlyForWantOfEvidence()
    {
        GenCase.Sample((state, parameters, now) =>
        {
            var assessment = Evaluator.Evaluate(state, parameters, now);
            return assessment.Compliance is not null || assessment.Missing != MissingEvidence.None;
        }, iter: 5000);
    }

    [Fact]
    public void Evaluate_AnyInputAllLiveWithTagsRead_IsAlwaysFinal()
    {
        // What the sweep relies on: once a user is read live (tags included), the evaluator always decides.
        GenCase.Sample((state, parameters, now) =>
        {
            var live = state with
            {
                Password = state.Password with { Source = EvidenceSource.Live },
                Mfa = MfaEvidence.Live(state.Mfa.Devices),
                Tags = state.Tags ?? NoTags,
            };
            return Evaluator.Evaluate(live, parameters, now).IsFinal;
        }, iter: 5000);
    }
}

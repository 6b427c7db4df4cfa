using MfaConfigRule.Compliance;
using static MfaConfigRule.Tests.Builders;

namespace MfaConfigRule.Tests.Compliance;

public sealed class EvaluationTests
{
    [Fact]
    public void ForUser_Valid_IsAnIamUserEvaluation()
    {
        var evaluation = Evaluation.ForUser("AIDAEXAMPLE", ComplianceType.NonCompliant, "why", Now);

        Assert.Equal("AWS::IAM::User", evaluation.ResourceType);
        Assert.Equal("AIDAEXAMPLE", evaluation.ResourceId);
        Assert.Equal(ComplianceType.NonCompliant, evaluation.Compliance);
        Assert.Equal("why", evaluation.Annotation);
        Assert.Equal(Now, evaluation.OrderingTimestamp);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    public void Annotation_UpToTheLimit_IsKeptWhole(int length)
    {
        var annotation = new string('a', length);

        Assert.Equal(annotation, Evaluation.ForUser("AIDA1", ComplianceType.Compliant, annotation, Now).Annotation);
    }

    [Theory]
    [InlineData(257)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public void Annotation_OverTheLimit_IsCutTo256AndMarked(int length)
    {
        var annotation = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i % 26))));

        var cut = Evaluation.ForUser("AIDA1", ComplianceType.Compliant, annotation, Now).Annotation;

        Assert.Equal(256, cut.Length);
        Assert.EndsWith(" [truncated]", cut, StringComparison.Ordinal);
        Assert.StartsWith(annotation[..244], cut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Annotation_OverTheLimitWithALetterOutsideTheBasicPlaneAtTheCut_KeepsTheLetterWhole(int shift)
    {
        // 𝐀 (U+1D400) is two UTF-16 units; the cut at 244 must not leave half of it, which JSON serialisers refuse.
        var annotation = new string('a', shift) + string.Concat(Enumerable.Repeat("\U0001D400", 200));

        var cut = Evaluation.ForUser("AIDA1", ComplianceType.NonCompliant, annotation, Builders.Now).Annotation;

        Assert.True(cut.Length <= Evaluation.MaxAnnotationLength);
        Assert.EndsWith(" [truncated]", cut, StringComparison.Ordinal);
        var kept = cut[..^" [truncated]".Length];
        Assert.False(char.IsHighSurrogate(kept[^1]), "the cut split a surrogate pair");
        Assert.Equal(System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(kept)), kept);
    }

    [Fact]
    public void Annotation_Null_IsEmpty()
    {
        Assert.Equal(string.Empty, Evaluation.ForUser("AIDA1", ComplianceType.Compliant, null!, Now).Annotation);
    }

    [Theory]
    [InlineData("", "AIDA1")]
    [InlineData(" ", "AIDA1")]
    [InlineData("AWS::IAM::User", "")]
    [InlineData("AWS::IAM::User", "  ")]
    public void Constructor_MissingResource_Throws(string resourceType, string resourceId)
    {
        Assert.ThrowsAny<ArgumentException>(() => new Evaluation(resourceType, resourceId, ComplianceType.Compliant, "x", Now));
    }

    [Fact]
    public void Constructor_ResourceOverConfigLimits_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Evaluation(new string('t', 257), "AIDA1", ComplianceType.Compliant, "x", Now));
        Assert.Throws<ArgumentException>(() => new Evaluation("AWS::IAM::User", new string('i', 769), ComplianceType.Compliant, "x", Now));
        Assert.Equal(768, new Evaluation("AWS::IAM::User", new string('i', 768), ComplianceType.Compliant, "x", Now).ResourceId.Length);
    }

    [Fact]
    public void Constructor_UndefinedCompliance_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluation.ForUser("AIDA1", (ComplianceType)42, "x", Now));
    }

    [Fact]
    public void Constructor_NoOrderingTimestamp_Throws()
    {
        Assert.Throws<ArgumentException>(() => Evaluation.ForUser("AIDA1", ComplianceType.Compliant, "x", default));
    }

    [Theory]
    [InlineData((int)ComplianceType.Compliant, "COMPLIANT")]
    [InlineData((int)ComplianceType.NonCompliant, "NON_COMPLIANT")]
    [InlineData((int)ComplianceType.NotApplicable, "NOT_APPLICABLE")]
    public void ToWire_EachVerdict_IsConfigsNameAndParsesBack(int compliance, string wire)
    {
        Assert.Equal(wire, ((ComplianceType)compliance).ToWire());
        Assert.True(ComplianceTypeNames.TryParse(wire, out var parsed));
        Assert.Equal((ComplianceType)compliance, parsed);
    }

    [Theory]
    [InlineData("INSUFFICIENT_DATA")]
    [InlineData("compliant")]
    [InlineData(null)]
    public void TryParse_NotAVerdictPutEvaluationsTakes_Fails(string? wire)
    {
        Assert.False(ComplianceTypeNames.TryParse(wire, out _));
    }

    [Fact]
    public void ToWire_Undefined_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((ComplianceType)42).ToWire());
    }
}

using MfaConfigRule.EndToEnd.Tests.Support;

namespace MfaConfigRule.EndToEnd.Tests;

/// <summary>The pairwise generator behind <see cref="BehaviourMatrixTests"/> covers every pair.</summary>
public sealed class PairwiseTests
{
    [Fact]
    public void Rows_TheBehaviourMatrix_CoverEveryPairOfValues()
    {
        var rows = Pairwise.Rows(BehaviourMatrixTests.Factors);

        Assert.Empty(Pairwise.Missing(BehaviourMatrixTests.Factors, rows));
        Assert.Contains(rows, r => r["path"] == "ReportChangesOnly" && r["unrestated"] == "dropped");
        // At least paths × the largest switch (7 × 3), far fewer than the full product (7 × 2 × 3 × 3 × 2 × 3 × 2 × 2 = 3,024).
        Assert.InRange(rows.Count, 21, 30);
    }

    [Fact]
    public void Missing_ARowLeftOut_IsNamedAsTheUncoveredPairs()
    {
        Factor[] factors = [new("a", ["1", "2"]), new("b", ["x", "y"]), new("c", ["p", "q"])];
        var rows = Pairwise.Rows(factors);

        var missing = Pairwise.Missing(factors, rows.Skip(1));

        Assert.Empty(Pairwise.Missing(factors, rows));
        Assert.NotEmpty(missing);
        Assert.Contains("a=1 & b=x", missing);
    }

    [Fact]
    public void Rows_EveryPairOfThreeByThreeByThree_InNineRowsOrClose()
    {
        Factor[] factors = [new("a", ["1", "2", "3"]), new("b", ["1", "2", "3"]), new("c", ["1", "2", "3"]), new("d", ["1", "2", "3"])];

        var rows = Pairwise.Rows(factors);

        Assert.Empty(Pairwise.Missing(factors, rows));
        Assert.InRange(rows.Count, 9, 13);
        Assert.Equal(rows.Count, rows.Select(r => string.Join(',', r.Values)).Distinct().Count());
    }
}

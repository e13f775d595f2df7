using Detr.MLNet.Evaluation;

namespace Detr.MLNet.Tests.Evaluation;

/// <summary>The ranking sort: numpy's stable <c>argsort(-scores)</c> order, from keys sorted as plain numbers.</summary>
public sealed class DescendingScoreOrderTests
{
    [Fact]
    public void SpecialValuesOrderAsNumpyOrdersNegatedScores()
    {
        // -0 ties with +0 (keeps position order), NaN goes last and ties with NaN, infinities at the ends.
        double[] scores = [0.5, double.NaN, -0.0, 0.0, double.PositiveInfinity, -1e-300, double.NegativeInfinity, 0.5, double.NaN, 1e-300, -0.0];

        Assert.Equal([4, 0, 7, 9, 2, 3, 10, 5, 6, 1, 8], Ranked(scores));
    }

    [Fact]
    public void RandomScoresWithManyTiesRankAsAStableSortDoes()
    {
        var random = new Random(4);
        for (int round = 0; round < 50; round++)
        {
            var scores = Enumerable.Range(0, random.Next(0, 400)).Select(_ => random.Next(0, 8) switch
            {
                0 => double.NaN,
                1 => -random.Next(0, 3) / 4.0,
                _ => random.Next(0, 20) / 20.0,
            }).ToArray();

            // LINQ's OrderBy is stable; NaN last, then by descending value.
            int[] expected = [.. Enumerable.Range(0, scores.Length).OrderBy(i => double.IsNaN(scores[i]) ? 1 : 0).ThenByDescending(i => double.IsNaN(scores[i]) ? 0 : scores[i])];

            Assert.Equal(expected, Ranked(scores));
        }
    }

    private static int[] Ranked(double[] scores)
    {
        ulong[] keys = [.. scores.Select(DescendingScoreOrder.Key)];
        int[] positions = [.. Enumerable.Range(0, scores.Length)];
        DescendingScoreOrder.Sort(keys, positions);
        return positions;
    }
}

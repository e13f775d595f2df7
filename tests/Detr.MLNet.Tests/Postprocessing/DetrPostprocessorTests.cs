using Detr.MLNet.Postprocessing;

namespace Detr.MLNet.Tests.Postprocessing;

public class DetrPostprocessorTests
{
    // Logits ln(1), ln(2), ln(3), ln(4) give probabilities 0.1, 0.2, 0.3, 0.4; the last column (no-object) is dropped,
    // so the label is class 2 with score 0.3.
    static readonly float[] QueryA = [0f, MathF.Log(2), MathF.Log(3), MathF.Log(4)];
    // Probabilities 0.7, 0.1, 0.1, 0.1: class 0, score 0.7.
    static readonly float[] QueryB = [MathF.Log(7), 0f, 0f, 0f];

    [Fact]
    public void DecodesScoresLabelsAndPixelBoxes()
    {
        float[] logits = [.. QueryA, .. QueryB];
        // cx .5, cy .5, w .2, h .4 on a 200x100 image → x0 = 0.4*200 = 80, y0 = 0.3*100 = 30, x1 = 120, y1 = 70.
        float[] boxes = [0.5f, 0.5f, 0.2f, 0.4f, 0.25f, 0.25f, 0.5f, 0.5f];
        var result = DetrPostprocessor.Decode(logits, boxes, 2, 4, 200, 100, scoreThreshold: 0f, maxDetections: null);

        Assert.Equal(new[] { 0, 2 }, result.ClassIds); // best first: 0.7 then 0.3
        Assert.Equal(0.7f, result.Scores[0], 5);
        Assert.Equal(0.3f, result.Scores[1], 5);
        float[] expected = [0f, 0f, 100f, 50f, 80f, 30f, 120f, 70f];
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], result.Boxes[i], 4);
    }

    [Fact]
    public void ThresholdAndCapApply()
    {
        float[] logits = [.. QueryA, .. QueryB];
        float[] boxes = new float[8];
        Assert.Single(DetrPostprocessor.Decode(logits, boxes, 2, 4, 1, 1, 0.5f, null).Scores);
        Assert.Empty(DetrPostprocessor.Decode(logits, boxes, 2, 4, 1, 1, 0.8f, null).Scores);
        var capped = DetrPostprocessor.Decode(logits, boxes, 2, 4, 1, 1, 0f, 1);
        Assert.Equal(0.7f, Assert.Single(capped.Scores), 5);
    }

    [Fact]
    public void EqualScoresKeepQueryOrder()
    {
        float[] logits = [.. QueryB, .. QueryB, .. QueryA];
        float[] boxes = [0.1f, 0.1f, 0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.3f, 0.3f, 0.1f, 0.1f];
        var result = DetrPostprocessor.Decode(logits, boxes, 3, 4, 10, 10, 0f, null);
        Assert.Equal(0.5f, result.Boxes[0], 5); // query 0 first
        Assert.Equal(1.5f, result.Boxes[4], 5); // then query 1
    }

    [Fact]
    public void SoftmaxIsStableForLargeLogits()
    {
        var (label, score) = DetrPostprocessor.BestClass([1000f, 999f, -1000f]);
        Assert.Equal(0, label);
        Assert.Equal(1f / (1f + MathF.Exp(-1f)), score, 5);
    }
}

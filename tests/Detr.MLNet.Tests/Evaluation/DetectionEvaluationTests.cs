using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Tests.Evaluation;

public class DetectionEvaluationTests
{
    sealed class Row
    {
        [KeyType(3)] public uint[] Labels { get; set; } = [];
        public float[] Boxes { get; set; } = [];
        [KeyType(3)] public uint[] PredictedLabel { get; set; } = [];
        public float[] Score { get; set; } = [];
        public float[] PredictedBoundingBoxes { get; set; } = [];
    }

    [Fact]
    public void EvaluatesAScoredViewLikeTheCocoEvaluator()
    {
        var ml = new MLContext(seed: 0);
        var rows = new[]
        {
            // Row 1: one object found exactly, plus a higher-scored false positive of another class.
            new Row { Labels = [1], Boxes = [0, 0, 40, 40], PredictedLabel = [2, 1], Score = [0.9f, 0.8f], PredictedBoundingBoxes = [100, 100, 140, 140, 0, 0, 40, 40] },
            // Row 2: class 2 found exactly.
            new Row { Labels = [2], Boxes = [10, 10, 50, 50], PredictedLabel = [2], Score = [0.7f], PredictedBoundingBoxes = [10, 10, 50, 50] },
        };
        var metrics = ml.Detection().Evaluate(ml.Data.LoadFromEnumerable(rows));
        // Class 1: AP 1. Class 2: its 0.9 false positive ranks above its 0.7 hit → AP 0.5. Class 3 has no truth (−1).
        Assert.Equal(1, metrics.PerCategoryAP[1], 9);
        Assert.Equal(0.5, metrics.PerCategoryAP[2], 9);
        Assert.Equal(-1, metrics.PerCategoryAP[3]);
        Assert.Equal(0.75, metrics.AP, 9);
    }

    [Fact]
    public void MissingColumnsAreNamed()
    {
        var ml = new MLContext(seed: 0);
        var view = ml.Data.LoadFromEnumerable(new[] { new { Score = new float[] { 1 } } });
        Assert.Contains("'Labels' not found", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Detection().Evaluate(view)).Message);
    }
}

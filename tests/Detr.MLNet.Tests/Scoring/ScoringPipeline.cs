using Detr.MLNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Tests.Scoring;

/// <summary>Builds the standard ML.NET pipeline around DETR scoring on images the test writes.</summary>
static class ScoringPipeline
{
    public sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
    }

    public sealed class Prediction
    {
        [KeyType(4)]
        public uint[] PredictedLabel { get; set; } = [];
        public float[] Score { get; set; } = [];
        public float[] PredictedBoundingBoxes { get; set; } = [];
    }

    public static IDataView Rows(MLContext ml, params string[] paths) =>
        ml.Data.LoadFromEnumerable(paths.Select(p => new ImageRow { ImagePath = p }));

    public static IEstimator<ITransformer> Pipeline(MLContext ml, DetrScoringOptions options) =>
        ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath")
            .Append(ml.Transforms.ApplyDetr(options));

    public static Prediction[] Predictions(MLContext ml, IDataView scored) =>
        ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).ToArray();

    public static DetrScoringOptions Options(string model, int batchSize = 4, float threshold = 0f) => new()
    {
        ModelPath = Fixtures.Scoring(model),
        ShortestEdge = 64,
        LongestEdge = 100,
        ScoreThreshold = threshold,
        BatchSize = batchSize,
    };

    public static void AssertSame(Prediction[] expected, Prediction[] actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.True(expected[r].PredictedLabel.SequenceEqual(actual[r].PredictedLabel),
                $"row {r}: labels {string.Join(",", expected[r].PredictedLabel)} scores {string.Join(",", expected[r].Score)} vs labels {string.Join(",", actual[r].PredictedLabel)} scores {string.Join(",", actual[r].Score)}");
            Assert.Equal(expected[r].PredictedLabel, actual[r].PredictedLabel);
            Assert.Equal(expected[r].Score.Length, actual[r].Score.Length);
            for (int i = 0; i < expected[r].Score.Length; i++)
                Assert.InRange(actual[r].Score[i], expected[r].Score[i] - tolerance, expected[r].Score[i] + tolerance);
            for (int i = 0; i < expected[r].PredictedBoundingBoxes.Length; i++)
                Assert.InRange(actual[r].PredictedBoundingBoxes[i], expected[r].PredictedBoundingBoxes[i] - 1e-3f,
                    expected[r].PredictedBoundingBoxes[i] + 1e-3f);
        }
    }
}

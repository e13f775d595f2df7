using Detr.Tests.Shared;
using Microsoft.ML;

namespace Detr.MLNet.Tests.Scoring;

/// <summary>
/// The whole ML.NET pipeline (decode, Pillow-exact resize, normalise, pad with mask, ONNX Runtime, post-process)
/// against the DETR reference's own preprocessing and PostProcess run in PyTorch (tests/fixtures/make_scoring_fixtures.py).
/// </summary>
public class ReferenceParityTests
{
    [Theory]
    [InlineData("detr_tiny_hf.onnx", "e2e_hf_expected.json", 3)]          // one padded, masked batch, as the reference batches
    [InlineData("detr_tiny_reference.onnx", "e2e_reference_expected.json", 1)] // maskless model: each image alone
    public void DetectionsEqualTheReference(string model, string expectedFile, int batchSize)
    {
        var (expected, shortest, longest) = ReferenceDetections.Load(Fixtures.Scoring(expectedFile));
        var ml = new MLContext(seed: 0);
        var data = ScoringPipeline.Rows(ml, expected.Select(e => Fixtures.Scoring(e.File)).ToArray());
        var options = ScoringPipeline.Options(model, batchSize);
        options.ShortestEdge = shortest;
        options.LongestEdge = longest;
        options.LabelNames = ["circle", "square", "triangle", "star"];
        var predictions = ScoringPipeline.Predictions(ml, ScoringPipeline.Pipeline(ml, options).Fit(data).Transform(data));

        Assert.Equal(expected.Length, predictions.Length);
        for (int r = 0; r < expected.Length; r++)
            expected[r].AssertMatches(predictions[r].PredictedLabel, predictions[r].Score, predictions[r].PredictedBoundingBoxes);
    }
}

using System.Text.Json;
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
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Scoring(expectedFile)));
        var images = doc.RootElement.GetProperty("images").EnumerateArray().ToArray();
        var ml = new MLContext(seed: 0);
        var data = ScoringPipeline.Rows(ml, images.Select(i => Fixtures.Scoring(i.GetProperty("file").GetString()!)).ToArray());
        var options = ScoringPipeline.Options(model, batchSize);
        options.ShortestEdge = doc.RootElement.GetProperty("shortest_edge").GetInt32();
        options.LongestEdge = doc.RootElement.GetProperty("longest_edge").GetInt32();
        options.LabelNames = ["circle", "square", "triangle", "star"];
        var predictions = ScoringPipeline.Predictions(ml, ScoringPipeline.Pipeline(ml, options).Fit(data).Transform(data));

        for (int r = 0; r < images.Length; r++)
        {
            var scores = images[r].GetProperty("scores").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var labels = images[r].GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var boxes = images[r].GetProperty("boxes").EnumerateArray().Select(b => b.EnumerateArray().Select(e => e.GetSingle()).ToArray()).ToArray();
            // The reference lists queries in order; the transformer lists them best first (stable).
            var order = Enumerable.Range(0, scores.Length).OrderByDescending(q => scores[q]).ToArray();
            var actual = predictions[r];
            Assert.Equal(order.Select(q => (uint)labels[q] + 1), actual.PredictedLabel);
            for (int i = 0; i < order.Length; i++)
            {
                Assert.Equal(scores[order[i]], actual.Score[i], 1e-4f);
                for (int c = 0; c < 4; c++)
                    Assert.Equal(boxes[order[i]][c], actual.PredictedBoundingBoxes[i * 4 + c], 1e-3f);
            }
        }
    }
}

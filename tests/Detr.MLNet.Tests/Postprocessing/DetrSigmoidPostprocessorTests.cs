using System.Text.Json;
using Detr.MLNet.Postprocessing;

namespace Detr.MLNet.Tests.Postprocessing;

public class DetrSigmoidPostprocessorTests
{
    // The reference's PostProcess on each variant's single-image outputs (tests/fixtures/make_deformable_fixtures.py),
    // target size 64×80 (h, w): the first 20 of the top min(100, 10 queries × 5 classes) rows.
    [Theory]
    [InlineData("plain")]
    [InlineData("refine")]
    [InlineData("twostage")]
    public void MatchesTheReferencesPostProcess(string variant)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "fixtures", "deformable", $"deformable_{variant}_postprocess.json")));
        var root = document.RootElement;
        float[][] logitRows = Rows(root.GetProperty("pred_logits"));
        float[] logits = logitRows.SelectMany(r => r).ToArray();
        float[] boxes = Rows(root.GetProperty("pred_boxes")).SelectMany(r => r).ToArray();
        int queries = logitRows.Length, classes = logitRows[0].Length;
        var size = root.GetProperty("target_sizes")[0];
        float height = size[0].GetSingle(), width = size[1].GetSingle();

        var result = DetrSigmoidPostprocessor.Decode(logits, boxes, queries, classes, width, height, scoreThreshold: 0f, maxDetections: null);

        Assert.Equal(root.GetProperty("k_used").GetInt32(), result.Count);
        int[] labels = root.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        float[] scores = root.GetProperty("scores").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        float[][] expectedBoxes = Rows(root.GetProperty("boxes_xyxy"));
        for (int i = 0; i < labels.Length; i++)
        {
            Assert.Equal(labels[i], result.ClassIds[i]);
            Assert.Equal(scores[i], result.Scores[i], 1e-6f);
            for (int c = 0; c < 4; c++)
                Assert.Equal(expectedBoxes[i][c], result.Boxes[i * 4 + c], 1e-4f);
        }
    }

    [Fact]
    public void OneQueryCanGiveSeveralClassesAndTheTopKIsOverPairs()
    {
        // Query 0: classes 0 and 1 both likely; query 1: class 1 middling; query 2: nothing.
        float[] logits = [2f, 1f, -3f, -4f, 0f, -5f, -6f, -7f, -8f];
        float[] boxes = [0.5f, 0.5f, 0.2f, 0.4f, 0.25f, 0.25f, 0.5f, 0.5f, 0.1f, 0.1f, 0.1f, 0.1f];
        var result = DetrSigmoidPostprocessor.Decode(logits, boxes, 3, 3, 200, 100, scoreThreshold: 0.4f, maxDetections: null);

        Assert.Equal(new[] { 0, 1, 1 }, result.ClassIds); // sigmoid 2 = .88, 1 = .73, 0 = .5
        Assert.Equal(1f / (1f + MathF.Exp(-2f)), result.Scores[0], 6);
        Assert.Equal(0.5f, result.Scores[2], 6);
        // Both of query 0's detections carry its box: cx .5, cy .5, w .2, h .4 on 200×100 → 80,30,120,70.
        float[] expected = [80f, 30f, 120f, 70f, 80f, 30f, 120f, 70f, 0f, 0f, 100f, 50f];
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], result.Boxes[i], 4);
    }

    [Fact]
    public void MaxDetectionsSetsTheTopKAndTheThresholdAppliesAfterIt()
    {
        float[] logits = Enumerable.Range(0, 60).Select(i => 3f - 0.1f * i).ToArray(); // 20 queries × 3 classes, all distinct
        float[] boxes = new float[20 * 4];
        Assert.Equal(DetrSigmoidPostprocessor.ReferenceTopK, 100);
        Assert.Equal(60, DetrSigmoidPostprocessor.Decode(logits, boxes, 20, 3, 1, 1, 0f, null).Count); // Q·C below 100
        var top5 = DetrSigmoidPostprocessor.Decode(logits, boxes, 20, 3, 1, 1, 0f, 5);
        Assert.Equal(5, top5.Count);
        Assert.Equal(new[] { 0, 1, 2, 0, 1 }, top5.ClassIds); // flattened index mod classes
        // sigmoid(3 − 0.1 i) > 0.9 for i < 9 (logit > 2.197): 9 pass, of which the top 5 are kept.
        Assert.Equal(5, DetrSigmoidPostprocessor.Decode(logits, boxes, 20, 3, 1, 1, 0.9f, 5).Count);
        Assert.Equal(9, DetrSigmoidPostprocessor.Decode(logits, boxes, 20, 3, 1, 1, 0.9f, null).Count);
        Assert.Empty(DetrSigmoidPostprocessor.Decode(logits, boxes, 20, 3, 1, 1, 0f, 0).Scores);
    }

    [Fact]
    public void EqualScoresKeepFlattenedOrderAndNaNIsDropped()
    {
        float[] logits = [1f, float.NaN, 1f, 1f];
        float[] boxes = [0.1f, 0.1f, 0.1f, 0.1f, 0.3f, 0.3f, 0.1f, 0.1f];
        var result = DetrSigmoidPostprocessor.Decode(logits, boxes, 2, 2, 10, 10, 0f, null);
        Assert.Equal(3, result.Count);
        Assert.Equal(new[] { 0, 0, 1 }, result.ClassIds); // pairs 0, 2, 3
        Assert.Equal(0.5f, result.Boxes[0], 5); // query 0 first
        Assert.Equal(2.5f, result.Boxes[4], 5); // then query 1, class 0
    }

    static float[][] Rows(JsonElement array) =>
        array.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
}

using Detr.MLNet.Imaging;
using Detr.MLNet.Scoring;
using Detr.Tests.Shared;

namespace Detr.MLNet.Tests.Scoring;

public class DetrBatchScorerTests
{
    static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"index {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [InlineData("detr_tiny_hf.onnx", "io_hf_logits.bin", "io_hf_boxes.bin", true)]
    [InlineData("detr_tiny_reference.onnx", "io_reference_logits.bin", "io_reference_boxes.bin", false)]
    public void OrtValueRunEqualsPyTorchOnTheSameTensor(string model, string logitsFile, string boxesFile, bool withMask)
    {
        using var opened = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = Fixtures.Scoring(model) });
        var scorer = opened.CreateScorer();
        var pixels = Fixtures.ReadFloats("io_input.bin");
        var shape = Fixtures.Shape("io_input.bin");
        var mask = withMask ? Fixtures.ReadLongs("io_mask.bin") : null;
        var raw = scorer.RunTensor(pixels, shape, mask);
        Assert.Equal(10, raw.Queries);
        Assert.Equal(5, raw.ClassesWithNoObject);
        // RunTensor returns the whole batch flattened.
        AssertClose(Fixtures.ReadFloats(logitsFile), raw.Logits, 1e-4f);
        AssertClose(Fixtures.ReadFloats(boxesFile), raw.Boxes, 1e-4f);
    }

    [Theory]
    [InlineData("detr_tiny_hf.onnx", DetrOnnxLayout.Transformers, "pixel_mask")]
    [InlineData("detr_tiny_reference.onnx", DetrOnnxLayout.Reference, null)]
    [InlineData("detr_tiny_nomask.onnx", DetrOnnxLayout.Transformers, null)]
    public void DetectsTheLayout(string model, DetrOnnxLayout layout, string? mask)
    {
        using var opened = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = Fixtures.Scoring(model) });
        Assert.Equal(layout, opened.Signature.Layout);
        Assert.Equal(mask, opened.Signature.MaskInput);
        Assert.Equal(4, opened.Signature.ClassCount);
        Assert.False(opened.Signature.HasFixedSize);
    }

    [Fact]
    public void FixedSizeModelIsResizedAndPaddedToItsCanvas()
    {
        using var opened = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = Fixtures.Scoring("detr_tiny_fixed.onnx") });
        Assert.True(opened.Signature.HasFixedSize);
        Assert.Equal((64, 96), (opened.Signature.FixedHeight, opened.Signature.FixedWidth));
        var scorer = opened.CreateScorer();
        // The fixed model is the maskless reference model at 64x96: the 120x80 e2e_0.png resizes to exactly that canvas,
        // so it must detect what the reference does alone, in its own pixels; the 50x80 image is padded.
        var (expected, _, _) = ReferenceDetections.Load(Fixtures.Scoring("e2e_reference_expected.json"));
        var images = new[] { RgbImage.DecodeUnpremultiplied(Fixtures.Scoring(expected[0].File)), new(Fixtures.DrawRgb(50, 80, 2), 50, 80) };
        var detections = scorer.Score(images, 0f, null);
        Assert.All(detections, d => Assert.Equal(10, d.Count));
        expected[0].AssertMatches(detections[0].ClassIds.Select(c => (uint)c + 1).ToArray(), detections[0].Scores, detections[0].Boxes);
    }

    [Fact]
    public void PaddedBatchEqualsImagesScoredAloneWhenSizesAreStrideMultiples()
    {
        // The mask tells the model which pixels are padding. As in the reference, features next to the padding edge
        // still see it unless the resized size is a multiple of the backbone stride (16 in the fixture model), so these
        // sizes resize to 64x96, 96x64, 64x64 and 64x96: batching them must not change the results at all.
        using var opened = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = Fixtures.Scoring("detr_tiny_hf.onnx"), ShortestEdge = 64, LongestEdge = 100 });
        var scorer = opened.CreateScorer();
        var images = new RgbImage?[] { new(Fixtures.DrawRgb(120, 80, 3), 120, 80), new(Fixtures.DrawRgb(64, 96, 4), 64, 96), null,
            new(Fixtures.DrawRgb(50, 50, 5), 50, 50), new(Fixtures.DrawRgb(150, 100, 6), 150, 100) };
        var together = scorer.Score(images, 0f, null);
        Assert.Equal(0, together[2].Count);
        foreach (int i in new[] { 0, 1, 3, 4 })
        {
            var alone = scorer.Score([images[i]], 0f, null)[0];
            Assert.Equal(alone.ClassIds, together[i].ClassIds);
            AssertClose(alone.Scores, together[i].Scores, 1e-5f);
            AssertClose(alone.Boxes, together[i].Boxes, 1e-3f);
        }
    }

    [Fact]
    public void ReusedBuffersDoNotLeakIntoLaterBatches()
    {
        // The scorer keeps its pixel and mask buffers between calls: after a batch of other images, a padded image must
        // see exactly the tensor a fresh scorer builds (zero padding, mask of ones only over its pixels). The small image
        // resizes to 89 wide beside a 96-wide one; 89 is not a multiple of the fixture's stride 16, so what its padding
        // holds reaches its features.
        using var opened = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = Fixtures.Scoring("detr_tiny_hf.onnx"), ShortestEdge = 64, LongestEdge = 100 });
        var small = new RgbImage(Fixtures.DrawRgb(70, 50, 8), 70, 50);
        var wide = new RgbImage(Fixtures.DrawRgb(150, 100, 9), 150, 100);
        var tall = new RgbImage(Fixtures.DrawRgb(60, 90, 10), 60, 90);
        var used = opened.CreateScorer();
        used.RunRawPerImage([wide, tall]);
        var afterBatch = used.RunRawPerImage([small, wide])[0];
        var fresh = opened.CreateScorer().RunRawPerImage([small, wide])[0];
        Assert.Equal(fresh.Logits, afterBatch.Logits);
        Assert.Equal(fresh.Boxes, afterBatch.Boxes);
    }
}

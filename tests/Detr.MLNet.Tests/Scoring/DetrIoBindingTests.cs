using Detr.MLNet.Imaging;
using Detr.MLNet.Scoring;

namespace Detr.MLNet.Tests.Scoring;

/// <summary>
/// The IoBinding path that sessions on CUDA or TensorRT take, run here on the CPU with its staging in ordinary host
/// memory (no GPU on the test machines; the page-locked allocator is the one part these tests cannot reach). Its
/// outputs must be the plain path's bit for bit, whatever the sequence of batch shapes, and its native memory must be
/// released with the scorer or, failing that, before the session closes.
/// </summary>
public class DetrIoBindingTests
{
    static RgbImage Image(int width, int height, int seed) => new(Fixtures.DrawRgb(width, height, seed), width, height);

    /// <summary>Batches whose shapes change (rebinding), repeat (no rebinding), grow (new staging) and shrink.</summary>
    static readonly RgbImage[][] Batches =
    [
        [Image(70, 50, 1)],
        [Image(70, 50, 2)],
        [Image(150, 100, 3), Image(60, 90, 4), Image(64, 64, 5)],
        [Image(120, 80, 6), Image(50, 50, 7)],
        [Image(200, 120, 8)],
        [Image(70, 50, 9), Image(70, 50, 10)],
    ];

    [Theory]
    [InlineData("detr_tiny_hf.onnx")]
    [InlineData("detr_tiny_reference.onnx")]
    [InlineData("detr_tiny_nomask.onnx")]
    [InlineData("detr_tiny_fixed.onnx")]
    public void BoundRunsEqualPlainRunsBitForBit(string model)
    {
        using var opened = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = Fixtures.Scoring(model), ShortestEdge = 64, LongestEdge = 100 });
        Assert.Equal(DetrExecutionDevice.Cpu, opened.ActiveDevice);
        using var plain = opened.CreateScorer();
        using var bound = opened.CreateScorer(IoBindingStaging.Host);

        foreach (var batch in Batches)
        {
            var expected = plain.RunRawPerImage(batch);
            var actual = bound.RunRawPerImage(batch);
            for (int i = 0; i < batch.Length; i++)
            {
                Assert.Equal(expected[i].Logits, actual[i].Logits);
                Assert.Equal(expected[i].Boxes, actual[i].Boxes);
            }
            var detections = bound.Score(batch, 0f, null);
            var plainDetections = plain.Score(batch, 0f, null);
            for (int i = 0; i < batch.Length; i++)
            {
                Assert.Equal(plainDetections[i].Scores, detections[i].Scores);
                Assert.Equal(plainDetections[i].Boxes, detections[i].Boxes);
            }
        }
    }

    [Fact]
    public void PageLockedStagingFallsBackToHostMemoryWhereTheSessionHasNoPinnedAllocator()
    {
        // The CPU session offers no CUDA pinned allocator: the binding is made over ordinary host memory instead.
        using var opened = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = Fixtures.Scoring("detr_tiny_hf.onnx"), ShortestEdge = 64, LongestEdge = 100 });
        using var plain = opened.CreateScorer();
        using var bound = opened.CreateScorer(IoBindingStaging.PageLocked);
        var image = Image(80, 60, 11);

        Assert.Equal(plain.RunRawPerImage([image])[0].Logits, bound.RunRawPerImage([image])[0].Logits);
    }

    [Fact]
    public void ScorersOnSeveralThreadsEachBindTheirOwn()
    {
        using var opened = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = Fixtures.Scoring("detr_tiny_hf.onnx"), ShortestEdge = 64, LongestEdge = 100 });
        float[][] expected;
        using (var plain = opened.CreateScorer())
            expected = [.. Batches.Select(b => plain.RunRawPerImage(b)[0].Logits)];
        var results = new float[4][][];
        Parallel.For(0, 4, t =>
        {
            using var bound = opened.CreateScorer(IoBindingStaging.Host);
            results[t] = [.. Enumerable.Range(0, 12).Select(k => bound.RunRawPerImage(Batches[(t + k) % Batches.Length])[0].Logits)];
        });
        for (int t = 0; t < 4; t++)
            for (int k = 0; k < 12; k++)
                Assert.Equal(expected[(t + k) % Batches.Length], results[t][k]);
    }

    [Fact]
    public void ClosingTheSessionReleasesABindingItsScorerStillHolds()
    {
        var opened = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = Fixtures.Scoring("detr_tiny_hf.onnx"), ShortestEdge = 64, LongestEdge = 100 });
        var bound = opened.CreateScorer(IoBindingStaging.Host);
        bound.RunRawPerImage([Image(80, 60, 12)]);

        opened.Dispose(); // the last holder: the session closes, releasing the binding first

        var e = Assert.Throws<ObjectDisposedException>(() => bound.RunRawPerImage([Image(80, 60, 12)]));
        Assert.Contains("session is closed", e.Message);
        bound.Dispose(); // nothing left to release, and no error
    }

    [Fact]
    public void ADisposedScorerLeavesTheSessionOpenForOthers()
    {
        using var opened = DetrScoringModel.Open(new DetrScoringOptions { ModelPath = Fixtures.Scoring("detr_tiny_hf.onnx"), ShortestEdge = 64, LongestEdge = 100 });
        var image = Image(80, 60, 13);
        var first = opened.CreateScorer(IoBindingStaging.Host);
        var expected = first.RunRawPerImage([image])[0].Logits;
        first.Dispose();
        first.Dispose();

        using var second = opened.CreateScorer(IoBindingStaging.Host);
        Assert.Equal(expected, second.RunRawPerImage([image])[0].Logits);
    }
}

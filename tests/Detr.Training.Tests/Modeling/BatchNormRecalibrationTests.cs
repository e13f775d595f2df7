using Detr.Training.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Tests.Modeling;

public class BatchNormRecalibrationTests
{
    static Backbone TinyBackbone(BackboneNorms norms)
    {
        manual_seed(5);
        return new Backbone(new ResNetSpec(ResNetDepth.ResNet18, 8, false, norms));
    }

    static (Tensor, Tensor) Batch(int seed)
    {
        var generator = new Generator((ulong)seed);
        return (randn([2, 3, 32, 32], generator: generator) * (1 + seed), zeros([2, 32, 32], ScalarType.Bool));
    }

    static Tensor[] RunningStatistics(Backbone backbone) =>
        backbone.named_buffers().Where(b => b.name.EndsWith("running_mean") || b.name.EndsWith("running_var")).Select(b => b.buffer.clone()).ToArray();

    [Fact]
    public void RunningStatisticsBecomeThePlainAverageOverTheBatches()
    {
        var first = TinyBackbone(BackboneNorms.Batch);
        BatchNormRecalibration.Recalibrate(first, 1, _ => Batch(1));
        var second = TinyBackbone(BackboneNorms.Batch);
        BatchNormRecalibration.Recalibrate(second, 1, _ => Batch(2));
        var both = TinyBackbone(BackboneNorms.Batch);
        both.eval();
        int norms = BatchNormRecalibration.Recalibrate(both, 2, k => Batch(k + 1));

        Assert.Equal(20, norms); // stem + 8 blocks × 2 + 3 downsamples
        Assert.False(both.training);
        // The first norm sees the same input in all three; deeper ones see the first's normalised output, which
        // differs between a one-batch and a two-batch average, so only the stem's statistics add up exactly.
        var (a, b, ab) = (RunningStatistics(first), RunningStatistics(second), RunningStatistics(both));
        Assert.True(allclose(ab[0], (a[0] + b[0]) / 2, rtol: 1e-5, atol: 1e-6), "running_mean of the stem");
        Assert.True(allclose(ab[1], (a[1] + b[1]) / 2, rtol: 1e-5, atol: 1e-6), "running_var of the stem");
        // Repeating the recalibration gives the same statistics whatever was there before.
        BatchNormRecalibration.Recalibrate(both, 2, k => Batch(k + 1));
        Assert.All(RunningStatistics(both).Zip(ab), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>()));
    }

    [Fact]
    public void FrozenNormsAreLeftAlone()
    {
        var frozen = TinyBackbone(BackboneNorms.Frozen);
        var before = RunningStatistics(frozen);
        Assert.Equal(0, BatchNormRecalibration.Recalibrate(frozen, 1, _ => Batch(1)));
        Assert.All(RunningStatistics(frozen).Zip(before), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>()));
    }
}

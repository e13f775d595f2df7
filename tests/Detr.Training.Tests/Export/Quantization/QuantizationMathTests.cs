using Detr.Training.Export.Quantization;

namespace Detr.Training.Tests.Export.Quantization;

/// <summary>Scale, zero point and weight quantization against numbers worked out by hand.</summary>
public class QuantizationMathTests
{
    [Fact]
    public void ActivationRangesGiveTheAffineParameters()
    {
        // [0, 2.55] in uint8: 0.01 per step, 0 at 0 (a ReLU's output: the bottom of the range is exact zero).
        var relu = QuantizationParameters.ForRange(0f, 2.55f, 0, 255);
        Assert.Equal(0.01f, relu.Scale, 1e-7f);
        Assert.Equal(0, relu.ZeroPoint);
        // [-1.28, 1.27] in uint8: 0.01 per step, zero point 1.28 / 0.01 = 128.
        var signed = QuantizationParameters.ForRange(-1.28f, 1.27f, 0, 255);
        Assert.Equal(0.01f, signed.Scale, 1e-7f);
        Assert.Equal(128, signed.ZeroPoint);
        // The same in int8 puts zero at 0, and a ReLU range's 0 at -128.
        Assert.Equal(0, QuantizationParameters.ForRange(-1.28f, 1.27f, -128, 127).ZeroPoint);
        Assert.Equal(-128, QuantizationParameters.ForRange(0f, 2.55f, -128, 127).ZeroPoint);
        // A range that misses 0 is widened to contain it: [2, 4] is quantized as [0, 4].
        var shifted = QuantizationParameters.ForRange(2f, 4f, 0, 255);
        Assert.Equal(4f / 255, shifted.Scale, 1e-7f);
        Assert.Equal(0, shifted.ZeroPoint);
        // All zeros: scale 1, zero exact.
        Assert.Equal(new QuantizationParameters(1f, 0, 0, 255), QuantizationParameters.ForRange(0f, 0f, 0, 255));
        Assert.Throws<ArgumentException>(() => QuantizationParameters.ForRange(float.NaN, 1f, 0, 255));
    }

    [Fact]
    public void QuantizeRoundsHalfToEvenAndSaturates()
    {
        var p = QuantizationParameters.ForRange(0f, 2.55f, 0, 255);
        Assert.Equal(0, p.Quantize(-5f));
        Assert.Equal(255, p.Quantize(100f));
        Assert.Equal(2, p.Quantize(0.025f)); // 2.5 → 2
        Assert.Equal(4, p.Quantize(0.035f)); // 3.5 → 4
        Assert.Equal(1.5f, p.Dequantize(p.Quantize(1.5f)), 1e-6f);
        // Zero and everything on the grid come back exactly.
        Assert.Equal(0f, p.Dequantize(p.Quantize(0f)));
    }

    [Fact]
    public void WeightsAreSymmetricPerOutputChannel()
    {
        // A Conv weight [2,1,1,2]: channel 0 (0.5, -1.27), channel 1 (127, 62.5): scales max|w|/127.
        float[] conv = [0.5f, -1.27f, 127f, 62.5f];
        var (q, scales) = SymmetricWeights.PerChannel(conv, [2, 1, 1, 2], axis: 0);
        Assert.Equal([1.27f / 127, 1f], scales);
        Assert.Equal(new sbyte[] { 50, -127, 127, 62 }, q); // 62.5 → 62 (half to even)
        // A MatMul weight [K=2, N=3] has its channels along axis 1.
        float[] matmul = [1f, -2f, 0f, -0.5f, 1f, 0f];
        var (qm, scalesM) = SymmetricWeights.PerChannel(matmul, [2, 3], axis: 1);
        Assert.Equal([1f / 127, 2f / 127, 1f], scalesM); // an all-zero column gets scale 1
        Assert.Equal(new sbyte[] { 127, -127, 0, -64, 64, 0 }, qm); // -0.5·127 = -63.5 → -64
        Assert.Throws<ArgumentException>(() => SymmetricWeights.PerChannel(conv, [3, 1, 1, 1], axis: 0));
    }

    [Fact]
    public void BiasIsInt32AtInputTimesWeightScale()
    {
        var (values, scales) = SymmetricWeights.Bias([0.3f, -1f], inputScale: 0.1f, weightScales: [0.01f, 0.5f]);
        Assert.Equal([0.001f, 0.05f], scales);
        Assert.Equal([300, -20], values);
    }
}

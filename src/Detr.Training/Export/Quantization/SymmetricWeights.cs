namespace Detr.Training.Export.Quantization;

/// <summary>
/// Weights quantized to int8 symmetrically per output channel: scale_c = max|w_c| / 127, q = round(w / scale_c) in
/// [−127, 127] (−128 unused so the range is symmetric), zero point 0; and a bias as int32 in the product of the
/// input's and each channel's weight scale, as QLinearConv and the QDQ Conv expect it.
/// </summary>
static class SymmetricWeights
{
    /// <summary>The int8 limit used on both sides.</summary>
    public const int Limit = 127;

    /// <summary>
    /// Quantizes <paramref name="values"/> (row-major, <paramref name="shape"/>) with one scale per index of
    /// <paramref name="axis"/>: axis 0 of a Conv weight [O,I,kh,kw], axis 1 of a MatMul weight [K,N]. An all-zero
    /// channel gets scale 1.
    /// </summary>
    public static (sbyte[] Values, float[] Scales) PerChannel(ReadOnlySpan<float> values, IReadOnlyList<long> shape, int axis)
    {
        if (axis < 0 || axis >= shape.Count)
            throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is outside a rank-{shape.Count} weight.");
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != values.Length)
            throw new ArgumentException($"{values.Length} values for shape [{string.Join(",", shape)}].");
        int channels = (int)shape[axis];
        long inner = shape.Skip(axis + 1).Aggregate(1L, (a, b) => a * b);
        var largest = new float[channels];
        for (int i = 0; i < values.Length; i++)
        {
            int c = (int)(i / inner % channels);
            largest[c] = Math.Max(largest[c], Math.Abs(values[i]));
        }
        var scales = largest.Select(m => m > 0f ? m / Limit : 1f).ToArray();
        var quantized = new sbyte[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int c = (int)(i / inner % channels);
            quantized[i] = (sbyte)Math.Clamp((int)Math.Round(values[i] / scales[c], MidpointRounding.ToEven), -Limit, Limit);
        }
        return (quantized, scales);
    }

    /// <summary>A per-channel bias in int32 at scale input scale × weight scale of its channel (zero point 0).</summary>
    public static (int[] Values, float[] Scales) Bias(ReadOnlySpan<float> bias, float inputScale, IReadOnlyList<float> weightScales)
    {
        if (bias.Length != weightScales.Count)
            throw new ArgumentException($"{bias.Length} bias values for {weightScales.Count} channels.");
        var scales = new float[bias.Length];
        var values = new int[bias.Length];
        for (int c = 0; c < bias.Length; c++)
        {
            scales[c] = inputScale * weightScales[c];
            double q = Math.Round(bias[c] / (double)scales[c], MidpointRounding.ToEven);
            values[c] = (int)Math.Clamp(q, int.MinValue, int.MaxValue);
        }
        return (values, scales);
    }
}

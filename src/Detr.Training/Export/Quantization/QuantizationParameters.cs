namespace Detr.Training.Export.Quantization;

/// <summary>A tensor's affine quantization, real = (q − ZeroPoint) · Scale, over the integers [QMin, QMax].</summary>
readonly record struct QuantizationParameters(float Scale, int ZeroPoint, int QMin, int QMax)
{
    /// <summary>The integer limits of an activation type: uint8 [0, 255], int8 [−128, 127].</summary>
    public static (int QMin, int QMax) Limits(DetrQuantizedActivations type) =>
        type == DetrQuantizedActivations.UInt8 ? (0, 255) : (-128, 127);

    /// <summary>
    /// Asymmetric parameters covering [<paramref name="min"/>, <paramref name="max"/>] widened to contain 0, so that 0
    /// (padding, a ReLU's floor) is exact: scale = (max − min)/(qmax − qmin), zero point = round(qmin − min/scale)
    /// (half to even, as QuantizeLinear rounds). A range of only zeros gets scale 1.
    /// </summary>
    public static QuantizationParameters ForRange(float min, float max, int qMin, int qMax)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max) || min > max)
            throw new ArgumentException($"Cannot quantize the range [{min}, {max}].");
        min = Math.Min(min, 0f);
        max = Math.Max(max, 0f);
        float scale = (max - min) / (qMax - qMin);
        if (!(scale > 0f))
            return new QuantizationParameters(1f, Math.Clamp(0, qMin, qMax), qMin, qMax);
        int zeroPoint = (int)Math.Round(qMin - min / scale, MidpointRounding.ToEven);
        return new QuantizationParameters(scale, Math.Clamp(zeroPoint, qMin, qMax), qMin, qMax);
    }

    /// <summary>QuantizeLinear's arithmetic: saturate(round_half_even(x / scale) + zero point).</summary>
    public int Quantize(float x) => Math.Clamp((int)Math.Round(x / Scale, MidpointRounding.ToEven) + ZeroPoint, QMin, QMax);

    /// <summary>DequantizeLinear's arithmetic.</summary>
    public float Dequantize(int q) => (q - ZeroPoint) * Scale;
}

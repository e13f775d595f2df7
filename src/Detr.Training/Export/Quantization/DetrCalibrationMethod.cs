namespace Detr.Training.Export.Quantization;

/// <summary>How an activation's quantization range is chosen from the values seen on the calibration images.</summary>
public enum DetrCalibrationMethod
{
    /// <summary>The smallest and largest value seen: nothing clips, rare outliers widen the step for everything else.</summary>
    MinMax,

    /// <summary>Both tails cut at <see cref="DetrQuantizationOptions.Percentile"/> of the values (histogram of 2,048+ bins).</summary>
    Percentile,

    /// <summary>
    /// The symmetric threshold on |x| whose clipped, quantized histogram has the least KL divergence from the measured
    /// one (TensorRT's entropy calibration), then intersected with the values seen.
    /// </summary>
    Entropy,
}

using Detr.MLNet.Imaging;

namespace Detr.Training.Export.Quantization;

/// <summary>
/// How INT8 export quantizes: which images calibrate the activation ranges (run through the float32 model with
/// scoring's own preprocessing, the resize in the model's metadata), the range method, and which parts of the network
/// are quantized. What is not quantized stays float32 in the same graph.
/// </summary>
public sealed record DetrQuantizationOptions
{
    /// <summary>Image files to calibrate on (<see cref="CalibrationImageSet"/> lists a folder or a COCO file's images).</summary>
    public required IReadOnlyList<string> CalibrationImages { get; init; }

    /// <summary>How each activation's range is chosen from the calibration values.</summary>
    public DetrCalibrationMethod Method { get; init; } = DetrCalibrationMethod.Percentile;

    /// <summary>For <see cref="DetrCalibrationMethod.Percentile"/>: the share of values (in percent, above 50) inside the range.</summary>
    public double Percentile { get; init; } = 99.99;

    /// <summary>
    /// The parts whose Conv and MatMul layers are quantized. The default, backbone and input projection, is where the
    /// arithmetic is (80 % of a DETR-R50 forward at 800×1066) and where quantization is known to be safe; published
    /// RT-DETR/RF-DETR INT8 results collapse when the decoder's attention is quantized.
    /// </summary>
    public DetrModelParts Parts { get; init; } = DetrModelParts.Backbone | DetrModelParts.InputProjection;

    /// <summary>The activations' integer type.</summary>
    public DetrQuantizedActivations Activations { get; init; } = DetrQuantizedActivations.UInt8;

    /// <summary>Pixel limit for each calibration image (checked before decoding); null lifts it.</summary>
    public long? MaxImagePixels { get; init; } = ImageFileGuard.DefaultMaxPixels;

    /// <summary>ONNX Runtime intra-op threads for the calibration runs; null lets ONNX Runtime choose.</summary>
    public int? IntraOpThreads { get; init; }

    /// <summary>Told after each calibration image (e.g. "calibrated on 3/64 images").</summary>
    public Action<string>? Progress { get; init; }
}

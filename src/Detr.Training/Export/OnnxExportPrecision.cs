using Detr.Training.Export.Float16;
using Detr.Training.Export.Quantization;
using Google.Protobuf;

namespace Detr.Training.Export;

/// <summary>The last step of every export: the float32 graph as it is, converted to float16, or quantized to INT8.</summary>
static class OnnxExportPrecision
{
    /// <summary>The model bytes at <see cref="DetrOnnxExportOptions.Precision"/>.</summary>
    public static byte[] Finish(OnnxExport export, DetrOnnxExportOptions options) => options.Precision switch
    {
        DetrOnnxPrecision.Float32 => export.Model.ToByteArray(),
        DetrOnnxPrecision.Float16 => OnnxFloat16Converter.Convert(export).ToByteArray(),
        DetrOnnxPrecision.Int8 => Int8Quantizer.Quantize(export, options.Quantization
            ?? throw new ArgumentException("INT8 export needs DetrOnnxExportOptions.Quantization (calibration images at least).", nameof(options))).ToByteArray(),
        var other => throw new ArgumentOutOfRangeException(nameof(options), $"Unknown precision {other}."),
    };
}

using System.Globalization;
using System.Text.Json;
using Detr.MLNet.Labels;
using Detr.Training.Export.Onnx;

namespace Detr.Training.Export.Quantization;

/// <summary>
/// Static INT8 quantization of an export in QDQ form: plan where Q/DQ go (<see cref="QdqPlanner"/>), run the float32
/// model on the calibration images to measure the planned activations (<see cref="ActivationCalibrator"/>), choose
/// each range (<see cref="CalibrationRanges"/>), write the Q/DQ nodes and int8 weights (<see cref="QdqRewriter"/>), and
/// say so in the metadata. ONNX Runtime's quantization tool does the same for any model, but only in Python; this one
/// runs where the export runs and uses what the exporter knows about the graph (which node is which part).
/// </summary>
static class Int8Quantizer
{
    /// <summary>The quantized model.</summary>
    public static ModelProto Quantize(OnnxExport export, DetrQuantizationOptions options)
    {
        Check(options);
        var plan = QdqPlanner.Plan(export.Model.Graph, export.NodeParts, options.Parts);
        if (plan.WeightedNodes.Count == 0)
            throw new ArgumentException($"The model has no Conv or MatMul with float weights in the parts {options.Parts}; nothing to quantize.", nameof(options));
        var calibrated = plan.Calibrated.ToList();
        var measured = ActivationCalibrator.Measure(export.Model, calibrated, options, options.Progress);
        var (qMin, qMax) = QuantizationParameters.Limits(options.Activations);
        var parameters = new Dictionary<string, QuantizationParameters>();
        foreach (string value in calibrated)
        {
            var values = measured[value];
            if (values.Count == 0)
                throw new InvalidDataException($"Calibration saw no finite value of '{value}' ({values.NonFinite} NaN or infinite values).");
            var (min, max) = CalibrationRanges.Choose(values, options.Method, options.Percentile);
            parameters[value] = QuantizationParameters.ForRange(min, max, qMin, qMax);
        }
        var model = QdqRewriter.Rewrite(export.Model, plan, parameters, options.Activations);
        OnnxExportMetadata.Set(model, DetrModelMetadataKeys.Precision, "int8");
        OnnxExportMetadata.Set(model, DetrModelMetadataKeys.Quantization, Describe(options, plan));
        return model;
    }

    static void Check(DetrQuantizationOptions options)
    {
        if (options.CalibrationImages is not { Count: > 0 })
            throw new ArgumentException("INT8 export needs at least one calibration image (DetrQuantizationOptions.CalibrationImages).", nameof(options));
        if (options.Parts == DetrModelParts.None)
            throw new ArgumentException("DetrQuantizationOptions.Parts names no part to quantize.", nameof(options));
        if (options.Method == DetrCalibrationMethod.Percentile && !(options.Percentile > 50 && options.Percentile <= 100))
            throw new ArgumentOutOfRangeException(nameof(options), $"Percentile must be above 50 and at most 100 (got {options.Percentile}).");
    }

    static string Describe(DetrQuantizationOptions options, QdqPlan plan) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["format"] = "qdq",
        ["weights"] = "int8 symmetric per channel",
        ["activations"] = options.Activations == DetrQuantizedActivations.UInt8 ? "uint8" : "int8",
        ["parts"] = Enum.GetValues<DetrModelParts>().Where(p => p is not (DetrModelParts.None or DetrModelParts.All) && options.Parts.HasFlag(p))
            .Select(p => p.ToString()).ToArray(),
        ["quantized_layers"] = plan.WeightedNodes.Count,
        ["calibration"] = options.Method switch
        {
            DetrCalibrationMethod.Percentile => "percentile " + options.Percentile.ToString(CultureInfo.InvariantCulture),
            DetrCalibrationMethod.Entropy => "entropy",
            _ => "minmax",
        },
        ["calibration_images"] = options.CalibrationImages.Count,
    });
}

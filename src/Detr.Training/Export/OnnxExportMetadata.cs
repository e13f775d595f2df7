using System.Globalization;
using System.Text.Json;
using Detr.MLNet.Labels;
using Detr.Training.Export.Onnx;

namespace Detr.Training.Export;

/// <summary>
/// The <c>metadata_props</c> every exported model carries, so the scorer needs no sidecar files: resize and
/// normalisation, label names, the architecture and which post-processing its logits need.
/// </summary>
static class OnnxExportMetadata
{
    /// <summary>The exporting assembly's version, written as the model's producer version.</summary>
    public static string ProducerVersion => typeof(OnnxExportMetadata).Assembly.GetName().Version?.ToString() ?? "";

    /// <summary>
    /// The metadata of a model with <paramref name="classCount"/> real classes; <paramref name="postprocess"/> is one of
    /// <see cref="DetrModelMetadataKeys.SoftmaxPostprocess"/> and <see cref="DetrModelMetadataKeys.SigmoidPostprocess"/>.
    /// </summary>
    public static Dictionary<string, string> Create(DetrOnnxExportOptions options, int classCount, string architecture, string postprocess)
    {
        var metadata = new Dictionary<string, string>
        {
            [DetrModelMetadataKeys.ShortestEdge] = options.ShortestEdge.ToString(CultureInfo.InvariantCulture),
            [DetrModelMetadataKeys.LongestEdge] = options.LongestEdge.ToString(CultureInfo.InvariantCulture),
            [DetrModelMetadataKeys.ImageMean] = "[0.485,0.456,0.406]",
            [DetrModelMetadataKeys.ImageStd] = "[0.229,0.224,0.225]",
        };
        if (options.LabelNames is { } names)
        {
            if (names.Count != classCount)
                throw new ArgumentException($"{names.Count} label names given for a model with {classCount} classes.");
            metadata[DetrModelMetadataKeys.Labels] = JsonSerializer.Serialize(names);
        }
        // Written after the older keys so that a DETR export's bytes up to here are what they were before these keys.
        metadata[DetrModelMetadataKeys.Architecture] = architecture;
        metadata[DetrModelMetadataKeys.Postprocess] = postprocess;
        return metadata;
    }

    /// <summary>Sets (or replaces) one metadata property of a finished model (the precision passes record themselves).</summary>
    public static void Set(ModelProto model, string key, string value)
    {
        var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (existing is not null)
            existing.Value = value;
        else
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
    }
}

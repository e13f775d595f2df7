namespace Detr.MLNet.Labels;

/// <summary>
/// ONNX <c>metadata_props</c> keys that a DETR model may carry so scoring needs no sidecar files
/// (the exporter in Detr.Training writes them).
/// </summary>
public static class DetrModelMetadataKeys
{
    /// <summary>JSON array of class names, index = class id.</summary>
    public const string Labels = "detr.labels";

    /// <summary>Short-side target of the resize the model was trained with.</summary>
    public const string ShortestEdge = "detr.shortest_edge";

    /// <summary>Long-side cap of the resize the model was trained with.</summary>
    public const string LongestEdge = "detr.longest_edge";

    /// <summary>JSON array of the three per-channel means.</summary>
    public const string ImageMean = "detr.image_mean";

    /// <summary>JSON array of the three per-channel standard deviations.</summary>
    public const string ImageStd = "detr.image_std";

    /// <summary>
    /// How the class logits turn into detections: <see cref="SoftmaxPostprocess"/> (DETR: softmax with a no-object
    /// column, one detection per query) or <see cref="SigmoidPostprocess"/> (Deformable DETR: a sigmoid per class, top-k
    /// over queries × classes). Models without it are recognised from their outputs.
    /// </summary>
    public const string Postprocess = "detr.postprocess";

    /// <summary>The architecture the model was exported from ("detr" or "deformable"), for inspection.</summary>
    public const string Architecture = "detr.architecture";

    /// <summary>
    /// The numeric precision of the model's weights and arithmetic: "float16" or "int8" (QDQ); absent for float32.
    /// Inputs and outputs are float32 at every precision, so scoring is the same.
    /// </summary>
    public const string Precision = "detr.precision";

    /// <summary>For INT8 models, JSON describing the quantization: format, types, quantized parts, calibration.</summary>
    public const string Quantization = "detr.quantization";

    /// <summary>Value of <see cref="Postprocess"/> for DETR's softmax with a no-object column.</summary>
    public const string SoftmaxPostprocess = "softmax";

    /// <summary>Value of <see cref="Postprocess"/> for the sigmoid top-k of Deformable DETR's reference.</summary>
    public const string SigmoidPostprocess = "sigmoid";
}

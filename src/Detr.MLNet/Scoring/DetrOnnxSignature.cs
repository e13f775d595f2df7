using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Detr.MLNet.Scoring;

/// <summary>What the scorer needs to know about a DETR ONNX model's inputs and outputs, detected or overridden.</summary>
public sealed record DetrOnnxSignature
{
    /// <summary>The layout recognised.</summary>
    public required DetrOnnxLayout Layout { get; init; }

    /// <summary>Name of the image input.</summary>
    public required string ImageInput { get; init; }

    /// <summary>Rank of the image input: 4 ([N,3,H,W]) or 3 ([3,H,W], one image per call).</summary>
    public required int ImageRank { get; init; }

    /// <summary>Name of the pixel-mask input, when the model takes one.</summary>
    public string? MaskInput { get; init; }

    /// <summary>Element type of the pixel mask (int64 in transformers exports).</summary>
    public TensorElementType MaskElementType { get; init; } = TensorElementType.Int64;

    /// <summary>Name of the class-logits output [N,Q,C+1] (softmax) or [N,Q,C] (sigmoid).</summary>
    public required string LogitsOutput { get; init; }

    /// <summary>Name of the normalised cx,cy,w,h box output [N,Q,4].</summary>
    public required string BoxesOutput { get; init; }

    /// <summary>Fixed batch size when the model's batch dimension is static.</summary>
    public int? FixedBatch { get; init; }

    /// <summary>Fixed input height when exported with a static size.</summary>
    public int? FixedHeight { get; init; }

    /// <summary>Fixed input width when exported with a static size.</summary>
    public int? FixedWidth { get; init; }

    /// <summary>The logits' last dimension (C + 1 with a no-object column, C without), when the model states it.</summary>
    public int? LogitsWidth { get; init; }

    /// <summary>Number of real classes; set when the model is opened, from the width and the post-processing.</summary>
    public int? ClassCount { get; init; }

    /// <summary>
    /// How the logits become detections; <see cref="DetrScoringModel.Open"/> resolves it (never
    /// <see cref="DetrPostprocessing.Auto"/> after that).
    /// </summary>
    public DetrPostprocessing Postprocessing { get; init; }

    /// <summary>Reads the signature from a session, honouring explicit overrides in <paramref name="options"/>.</summary>
    public static DetrOnnxSignature Detect(InferenceSession session, DetrScoringOptions options)
    {
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        string Describe() =>
            "inputs [" + string.Join(", ", inputs.Select(i => $"{i.Key} {i.Value.ElementDataType}{Shape(i.Value)}")) +
            "], outputs [" + string.Join(", ", outputs.Select(o => $"{o.Key} {o.Value.ElementDataType}{Shape(o.Value)}")) + "]";
        InvalidDataException Mismatch(string what) => new(
            $"The ONNX model is not a DETR model this scorer recognises: {what}. It has {Describe()}. " +
            "Expected the transformers layout (pixel_values [N,3,H,W], optional pixel_mask [N,H,W] → logits, pred_boxes) or the " +
            "reference layout (one image input [N,3,H,W] or [3,H,W] → pred_logits, pred_boxes); name the inputs/outputs in the options if they differ.");

        string? imageName = options.ImageInputName ?? Pick(inputs, "pixel_values")
            ?? inputs.Where(i => IsFloat(i.Value) && i.Value.Dimensions.Length is 3 or 4 && !LooksLikeMask(i.Key))
                .Select(i => i.Key).SingleOrDefaultIfMany();
        if (imageName is null || !inputs.TryGetValue(imageName, out var image))
            throw Mismatch(options.ImageInputName is null ? "no float image input of rank 3 or 4" : $"no input named '{options.ImageInputName}'");
        if (image.Dimensions.Length is not (3 or 4) || image.Dimensions[^3] is not (3 or -1))
            throw Mismatch($"image input '{imageName}' is not [N,3,H,W] or [3,H,W]");

        string? maskName = options.MaskInputName ?? Pick(inputs, "pixel_mask")
            ?? inputs.Where(i => i.Key != imageName && LooksLikeMask(i.Key)).Select(i => i.Key).SingleOrDefaultIfMany();
        if (maskName is not null && !inputs.ContainsKey(maskName))
            throw Mismatch($"no input named '{maskName}'");
        var unexpected = inputs.Keys.Where(k => k != imageName && k != maskName).ToArray();
        if (unexpected.Length > 0)
            throw Mismatch($"unexpected extra inputs {string.Join(", ", unexpected)}");

        string? logitsName = options.LogitsOutputName ?? Pick(outputs, "logits") ?? Pick(outputs, "pred_logits");
        string? boxesName = options.BoxesOutputName ?? Pick(outputs, "pred_boxes") ?? Pick(outputs, "boxes");
        if (logitsName is null || boxesName is null)
        {
            var rank3 = outputs.Where(o => o.Value.Dimensions.Length == 3 && IsFloat(o.Value)).ToArray();
            boxesName ??= rank3.Where(o => o.Value.Dimensions[^1] == 4).Select(o => o.Key).SingleOrDefaultIfMany();
            logitsName ??= rank3.Where(o => o.Key != boxesName).Select(o => o.Key).SingleOrDefaultIfMany();
        }
        if (logitsName is null || !outputs.ContainsKey(logitsName))
            throw Mismatch(options.LogitsOutputName is null ? "no class-logits output (logits / pred_logits)" : $"no output named '{logitsName}'");
        if (boxesName is null || !outputs.ContainsKey(boxesName))
            throw Mismatch(options.BoxesOutputName is null ? "no box output (pred_boxes)" : $"no output named '{boxesName}'");
        var logits = outputs[logitsName];
        var boxes = outputs[boxesName];
        if (logits.Dimensions.Length is not (2 or 3) || boxes.Dimensions.Length is not (2 or 3) || boxes.Dimensions[^1] is not (4 or -1))
            throw Mismatch($"outputs '{logitsName}' and '{boxesName}' are not [N,Q,C+1] and [N,Q,4]");

        var layout = options.Layout != DetrOnnxLayout.Auto ? options.Layout
            : imageName == "pixel_values" || logitsName == "logits" ? DetrOnnxLayout.Transformers : DetrOnnxLayout.Reference;
        int rank = image.Dimensions.Length;
        return new DetrOnnxSignature
        {
            Layout = layout,
            ImageInput = imageName,
            ImageRank = rank,
            MaskInput = maskName,
            MaskElementType = maskName is null ? TensorElementType.Int64 : inputs[maskName].ElementDataType,
            LogitsOutput = logitsName,
            BoxesOutput = boxesName,
            FixedBatch = rank == 4 && image.Dimensions[0] > 0 ? image.Dimensions[0] : null,
            FixedHeight = image.Dimensions[^2] > 0 ? image.Dimensions[^2] : null,
            FixedWidth = image.Dimensions[^1] > 0 ? image.Dimensions[^1] : null,
            LogitsWidth = logits.Dimensions[^1] > 0 ? logits.Dimensions[^1] : null,
        };
    }

    /// <summary>True when the model takes images of one fixed size.</summary>
    public bool HasFixedSize => FixedHeight is not null && FixedWidth is not null;

    static string? Pick(IReadOnlyDictionary<string, NodeMetadata> nodes, string name) => nodes.ContainsKey(name) ? name : null;

    static bool LooksLikeMask(string name) => name.Contains("mask", StringComparison.OrdinalIgnoreCase);

    static bool IsFloat(NodeMetadata node) => node.IsTensor && node.ElementDataType == TensorElementType.Float;

    static string Shape(NodeMetadata node) =>
        node.IsTensor ? "[" + string.Join(",", node.Dimensions.Select(d => d < 0 ? "?" : d.ToString())) + "]" : "";
}

static class SingleOrDefaultExtensions
{
    /// <summary>The only element, or null when there are none or several (ambiguity is not a guess we make).</summary>
    public static string? SingleOrDefaultIfMany(this IEnumerable<string> source)
    {
        string? found = null;
        foreach (var item in source)
        {
            if (found is not null)
                return null;
            found = item;
        }
        return found;
    }
}

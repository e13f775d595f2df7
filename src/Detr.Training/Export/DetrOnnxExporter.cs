using Detr.MLNet;
using Detr.MLNet.Labels;
using Detr.Training.Export.Deformable;
using Detr.Training.Export.Onnx;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Export;

/// <summary>
/// Writes a DETR model as ONNX in the transformers layout (inputs <c>pixel_values</c> [N,3,H,W] and <c>pixel_mask</c>
/// [N,H,W], outputs <c>logits</c> [N,Q,C+1] and <c>pred_boxes</c> [N,Q,4]; N, H, W dynamic), built node by node from
/// the weights under the reference's key names. Label names and preprocessing go into the metadata, so the scoring
/// transformer needs no sidecar files. Weights are stored inline, which limits models to ONNX's 2 GB protobuf size.
/// </summary>
public static class DetrOnnxExporter
{
    /// <summary>Writes <paramref name="model"/> (either architecture, any configuration, trained or loaded) as ONNX to <paramref name="path"/>.</summary>
    public static void Export(DetectionTransformer model, string path, DetrOnnxExportOptions? options = null)
    {
        byte[] bytes = ToBytes(model, options);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>The ONNX bytes of <paramref name="model"/>; heads, dilation and the rest come from its configuration.</summary>
    public static byte[] ToBytes(DetectionTransformer model, DetrOnnxExportOptions? options = null) => model switch
    {
        DetrModel detr => ToBytes(detr, options),
        DeformableDetrModel deformable => DeformableOnnxExporter.ToBytes(deformable, options),
        _ => throw new NotSupportedException($"No ONNX exporter for {model.GetType().Name}."),
    };

    static byte[] ToBytes(DetrModel model, DetrOnnxExportOptions? options)
    {
        var config = model.Config;
        options = (options ?? new DetrOnnxExportOptions()) with { Heads = config.Heads, Dilation = config.Dilation, PreNorm = config.PreNorm };
        return ToBytes(WeightsOf(model), options);
    }

    /// <summary>A model's parameters and buffers copied out as float arrays under their state-dict names.</summary>
    public static Dictionary<string, NamedWeight> WeightsOf(nn.Module model)
    {
        var weights = new Dictionary<string, NamedWeight>();
        foreach (var (name, tensor) in model.state_dict())
        {
            using var cpu = tensor.detach().cpu().to(ScalarType.Float32).contiguous();
            weights[name] = new NamedWeight(cpu.data<float>().ToArray(), cpu.shape);
        }
        return weights;
    }

    /// <summary>Builds the ONNX model bytes (float32, float16 or INT8 as <see cref="DetrOnnxExportOptions.Precision"/> says).</summary>
    public static byte[] ToBytes(IReadOnlyDictionary<string, NamedWeight> stateDict, DetrOnnxExportOptions options) =>
        OnnxExportPrecision.Finish(Build(stateDict, options), options);

    // The float32 graph with each node's part recorded.
    static OnnxExport Build(IReadOnlyDictionary<string, NamedWeight> stateDict, DetrOnnxExportOptions options)
    {
        var weights = new ExportWeights(stateDict);
        var graph = new OnnxGraphBuilder();
        var layers = new OnnxLayers(graph, weights);
        int hiddenDim = (int)weights["input_proj.weight"].Shape[0];
        if (hiddenDim % options.Heads != 0)
            throw new ArgumentException($"Hidden size {hiddenDim} is not divisible by {options.Heads} heads; set Heads to the model's value.");
        int classesWithNoObject = (int)weights["class_embed.weight"].Shape[0];
        int queries = (int)weights["query_embed.weight"].Shape[0];

        string pixels = graph.Input("pixel_values", TensorProto.Types.DataType.Float, "batch", 3, "height", "width");
        string pixelMask = graph.Input("pixel_mask", TensorProto.Types.DataType.Int64, "batch", "height", "width");
        string batch = graph.Node("Gather", [graph.Node("Shape", [pixels]), graph.Int64(0)]);

        string features;
        using (graph.InPart(DetrModelParts.Backbone))
            features = OnnxResNetExport.Build(layers, pixels, options.Dilation);
        string validMask = OnnxMaskExport.Downsample(graph, pixelMask, features); // [N,h,w] float, 1 = real pixel
        string position = weights.Contains("backbone.1.row_embed.weight")
            ? OnnxPositionEmbeddingExport.Learned(layers, features, hiddenDim)
            : OnnxPositionEmbeddingExport.Sine(graph, validMask, hiddenDim);

        string source;
        using (graph.InPart(DetrModelParts.InputProjection))
        {
            string projected = layers.Conv(features, "input_proj");
            source = graph.Node("Transpose", [graph.Node("Reshape", [projected, graph.Int64s(0, hiddenDim, -1)])], ("perm", new long[] { 0, 2, 1 }));
        }
        string keyPaddingBias = KeyPaddingBias(graph, validMask);

        var transformer = new OnnxTransformerExport(layers, hiddenDim, options.Heads, options.PreNorm);
        string memory, decoded, logits, boxes;
        using (graph.InPart(DetrModelParts.Encoder))
            memory = transformer.Encode(source, position, keyPaddingBias);
        using (graph.InPart(DetrModelParts.Decoder))
            decoded = transformer.Decode(memory, position, keyPaddingBias, batch);
        using (graph.InPart(DetrModelParts.Heads))
        {
            logits = layers.Linear(decoded, "class_embed");
            boxes = graph.Node("Sigmoid", [layers.BoxMlp(decoded, "bbox_embed")]);
        }
        graph.Output(logits, "logits", TensorProto.Types.DataType.Float, "batch", queries, classesWithNoObject);
        graph.Output(boxes, "pred_boxes", TensorProto.Types.DataType.Float, "batch", queries, 4);

        var metadata = OnnxExportMetadata.Create(options, classesWithNoObject - 1, "detr", DetrModelMetadataKeys.SoftmaxPostprocess);
        return new OnnxExport(graph.Build(options.Opset, metadata, OnnxExportMetadata.ProducerVersion), graph.NodeParts);
    }

    /// <summary>Writes the ONNX model to <paramref name="path"/> atomically.</summary>
    public static void Export(IReadOnlyDictionary<string, NamedWeight> stateDict, string path, DetrOnnxExportOptions options)
    {
        byte[] bytes = ToBytes(stateDict, options);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    // 0 for real pixels, −∞ for padding, shaped [N,1,1,HW] to add to attention scores.
    static string KeyPaddingBias(OnnxGraphBuilder g, string validMask)
    {
        string flat = g.Node("Reshape", [validMask, g.Int64s(0, -1)]);
        string isValid = g.Node("Cast", [flat], ("to", (long)TensorProto.Types.DataType.Bool));
        string bias = g.Node("Where", [isValid, g.Float(0f), g.Float(float.NegativeInfinity)]);
        return g.Node("Unsqueeze", [bias, g.Int64s(1, 2)]);
    }
}

using Detr.MLNet;
using Detr.MLNet.Labels;
using Detr.Training.Export.Onnx;
using Detr.Training.Modeling.Deformable;

namespace Detr.Training.Export.Deformable;

/// <summary>
/// Writes a Deformable DETR model (plain, box refinement or two-stage) as ONNX in the same layout as DETR's export:
/// inputs <c>pixel_values</c> [N,3,H,W] float and <c>pixel_mask</c> [N,H,W] int64 (1 = real pixel), outputs
/// <c>logits</c> [N,Q,C] (one sigmoid per class, no no-object column) and <c>pred_boxes</c> [N,Q,4]; N, H, W dynamic.
/// The metadata says the logits need the sigmoid top-k post-processing. Sampling is ONNX <c>GridSample</c>, so the
/// opset is at least 16 (17 by default, for LayerNormalization).
/// </summary>
public static class DeformableOnnxExporter
{
    /// <summary>Writes <paramref name="model"/> as ONNX to <paramref name="path"/> atomically.</summary>
    public static void Export(DeformableDetrModel model, string path, DetrOnnxExportOptions? options = null)
    {
        byte[] bytes = ToBytes(model, options);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// The ONNX bytes of <paramref name="model"/>. Heads, points, levels, box refinement and two-stage come from its
    /// config; of <paramref name="options"/> only the labels, resize metadata and opset apply (Heads, Dilation and
    /// PreNorm are DETR's).
    /// </summary>
    public static byte[] ToBytes(DeformableDetrModel model, DetrOnnxExportOptions? options = null)
    {
        options ??= new DetrOnnxExportOptions();
        if (options.Opset < 17)
            throw new ArgumentOutOfRangeException(nameof(options), $"Deformable DETR exports need opset 17 or later (GridSample, LayerNormalization); got {options.Opset}.");
        var config = model.Config;
        var weights = new ExportWeights(DetrOnnxExporter.WeightsOf(model));
        var graph = new OnnxGraphBuilder();
        var layers = new OnnxLayers(graph, weights);
        int d = config.HiddenDim;

        string pixels = graph.Input("pixel_values", TensorProto.Types.DataType.Float, "batch", 3, "height", "width");
        string pixelMask = graph.Input("pixel_mask", TensorProto.Types.DataType.Int64, "batch", "height", "width");
        var levels = OnnxFeatureLevels.Build(layers, pixels, pixelMask, config.FeatureLevels, d, config.Dilation);

        var encoderAttention = new OnnxDeformableAttention(layers, levels, d, config.Heads, options.Opset);
        string memory;
        using (graph.InPart(DetrModelParts.Encoder))
            memory = new OnnxDeformableEncoder(layers, levels, encoderAttention, config.EncoderPoints).Encode();

        string target, queryPosition, reference;
        using (graph.InPart(DetrModelParts.QuerySelection))
            (target, queryPosition, reference) = config.TwoStage
                ? new OnnxEncoderProposals(layers, levels, d, config.Queries, config.DecoderLayers, config.ProposalSelection).Select(memory)
                : LearnedQueries(layers, pixels, d);
        var decoder = new OnnxDeformableDecoder(layers, levels, encoderAttention, new OnnxMultiheadAttention(layers, d, config.Heads),
            config.DecoderPoints, config.BoxRefine);
        string hidden, boxes, logits;
        using (graph.InPart(DetrModelParts.Decoder))
            (hidden, boxes) = decoder.Decode(target, queryPosition, reference, config.TwoStage ? 4 : 2, memory);
        using (graph.InPart(DetrModelParts.Heads))
            logits = layers.Linear(hidden, $"class_embed.{config.DecoderLayers - 1}");
        graph.Output(logits, "logits", TensorProto.Types.DataType.Float, "batch", config.Queries, config.NumClasses);
        graph.Output(boxes, "pred_boxes", TensorProto.Types.DataType.Float, "batch", config.Queries, 4);

        var metadata = OnnxExportMetadata.Create(options, config.NumClasses, config.Name, DetrModelMetadataKeys.SigmoidPostprocess);
        return OnnxExportPrecision.Finish(new OnnxExport(graph.Build(options.Opset, metadata, OnnxExportMetadata.ProducerVersion), graph.NodeParts), options);
    }

    // query_embed split into position and content halves, the same for every image; reference points from the position.
    static (string Target, string QueryPosition, string Reference) LearnedQueries(OnnxLayers layers, string pixels, int d)
    {
        var g = layers.Graph;
        var embedding = layers.Weights["query_embed.weight"];
        int queries = (int)embedding.Shape[0];
        var position = new float[queries * d];
        var content = new float[queries * d];
        for (int q = 0; q < queries; q++)
        {
            embedding.Values.AsSpan(q * 2 * d, d).CopyTo(position.AsSpan(q * d));
            embedding.Values.AsSpan(q * 2 * d + d, d).CopyTo(content.AsSpan(q * d));
        }
        string batch = g.Node("Shape", [pixels], ("start", 0L), ("end", 1L));
        string shape = g.Node("Concat", [batch, g.Int64s(queries, d)], ("axis", 0L));
        string queryPosition = g.Node("Expand", [g.Initializer("query_embed.position", position, 1, queries, d), shape]);
        string target = g.Node("Expand", [g.Initializer("query_embed.content", content, 1, queries, d), shape]);
        string reference = g.Node("Sigmoid", [layers.Linear(queryPosition, "transformer.reference_points")]);
        return (target, queryPosition, reference);
    }
}

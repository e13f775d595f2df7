using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>
/// Renames the weights of huggingface transformers' <c>DeformableDetrForObjectDetection</c> to Deformable DETR's
/// reference names: the inverse of transformers' conversion (<c>backbone.conv_encoder.model</c> → <c>backbone.0.body</c>,
/// <c>transformer.</c> restored, <c>fc1/fc2</c> → <c>linear1/linear2</c>, the layer norms by position,
/// <c>encoder_attn</c> → <c>cross_attn</c>, <c>query_position_embeddings</c> → <c>query_embed</c>, the decoder's
/// q/k/v projections fused into <c>in_proj_weight</c>).
/// </summary>
public static class DeformableTransformersKeyMap
{
    static readonly string[] TransformerParts = ["encoder.", "decoder.", "level_embed", "reference_points.", "enc_output.", "enc_output_norm.", "pos_trans.", "pos_trans_norm."];

    /// <summary>True when the keys are transformers' Deformable DETR names (a <c>level_embed</c> outside <c>transformer.</c>).</summary>
    public static bool IsTransformersLayout(IEnumerable<string> keys) => keys.Any(k => TransformersKeyMap.Strip(k) == "level_embed");

    /// <summary>The same weights under reference names; takes ownership of the tensors (fused parts are disposed).</summary>
    public static Dictionary<string, Tensor> ToReference(IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var renamed = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in weights)
        {
            var name = TransformersKeyMap.Strip(key);
            if (name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            {
                value.Dispose();
                continue;
            }
            renamed[Rename(name)] = value;
        }
        return AttentionProjectionFusion.Fuse(renamed);
    }

    /// <summary>The reference name of one key (already without <c>model.</c>).</summary>
    internal static string Rename(string name)
    {
        if (name.StartsWith("backbone.conv_encoder.model.", StringComparison.Ordinal))
            return "backbone.0.body." + TransformersKeyMap.RenameResNet(name["backbone.conv_encoder.model.".Length..]);
        if (name == "query_position_embeddings.weight")
            return "query_embed.weight";
        if (!TransformerParts.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
            return name; // input_proj, class_embed, bbox_embed keep their names
        bool decoder = name.StartsWith("decoder.", StringComparison.Ordinal);
        var parts = name.Split('.');
        for (int i = 0; i < parts.Length; i++)
            parts[i] = parts[i] switch
            {
                "fc1" => "linear1",
                "fc2" => "linear2",
                "encoder_attn" => "cross_attn",
                "self_attn_layer_norm" => decoder ? "norm2" : "norm1",
                "encoder_attn_layer_norm" => "norm1",
                "final_layer_norm" => decoder ? "norm3" : "norm2",
                var same => same,
            };
        return "transformer." + string.Join('.', parts);
    }
}

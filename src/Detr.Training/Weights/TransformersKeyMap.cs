using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>
/// Renames the weights of huggingface transformers' <c>DetrForObjectDetection</c> (or <c>DetrModel</c>) to the
/// reference's names, fusing each attention's q/k/v projections into <c>in_proj_weight</c>/<c>in_proj_bias</c>.
/// Both backbone layouts are understood: timm's (<c>conv_encoder.model.conv1</c>, <c>layer1.0.conv1</c>, … as in
/// the hub checkpoints) and transformers' own ResNet (<c>embedder.embedder.convolution</c>,
/// <c>encoder.stages.N.layers.M.layer.K.convolution</c>, <c>shortcut</c>).
/// </summary>
public static partial class TransformersKeyMap
{
    private const string Body = "backbone.0.body.";

    /// <summary>True when the keys are transformers' DETR names (after an optional <c>model.</c> prefix).</summary>
    public static bool IsTransformersLayout(IEnumerable<string> keys) =>
        keys.Any(k => Strip(k) is var s && (s.StartsWith("backbone.conv_encoder.", StringComparison.Ordinal)
            || s.StartsWith("input_projection.", StringComparison.Ordinal)
            || s.StartsWith("query_position_embeddings.", StringComparison.Ordinal)
            || s.StartsWith("class_labels_classifier.", StringComparison.Ordinal)));

    /// <summary>
    /// The same weights under reference names. Takes ownership of <paramref name="weights"/>: renamed tensors move to the
    /// result, fused q/k/v sources are disposed. Keys it does not recognise keep their names (so loading reports them).
    /// </summary>
    public static Dictionary<string, Tensor> ToReference(IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var renamed = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in weights)
        {
            var name = Strip(key);
            if (name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            {
                value.Dispose();
                continue;
            }
            var attention = AttentionProjection().Match(name);
            renamed[attention.Success
                ? $"transformer.{attention.Groups["stack"].Value}.layers.{attention.Groups["layer"].Value}."
                  + (attention.Groups["attn"].Value == "encoder_attn" ? "multihead_attn" : "self_attn")
                  + $".{attention.Groups["proj"].Value}_proj.{attention.Groups["kind"].Value}"
                : Rename(name)] = value;
        }
        return AttentionProjectionFusion.Fuse(renamed);
    }

    /// <summary>The reference name of one non-attention-projection key (already without <c>model.</c>).</summary>
    internal static string Rename(string name)
    {
        if (name.StartsWith("backbone.conv_encoder.model.", StringComparison.Ordinal))
            return Body + RenameResNet(name["backbone.conv_encoder.model.".Length..]);
        if (name.StartsWith("backbone.position_embedding.", StringComparison.Ordinal))
            return "backbone.1." + name["backbone.position_embedding.".Length..]
                .Replace("row_embeddings", "row_embed", StringComparison.Ordinal)
                .Replace("column_embeddings", "col_embed", StringComparison.Ordinal);
        if (name.StartsWith("input_projection.", StringComparison.Ordinal))
            return "input_proj." + name["input_projection.".Length..];
        if (name == "query_position_embeddings.weight")
            return "query_embed.weight";
        if (name.StartsWith("class_labels_classifier.", StringComparison.Ordinal))
            return "class_embed." + name["class_labels_classifier.".Length..];
        if (name.StartsWith("bbox_predictor.", StringComparison.Ordinal))
            return "bbox_embed." + name["bbox_predictor.".Length..];
        if (name.StartsWith("decoder.layernorm.", StringComparison.Ordinal))
            return "transformer.decoder.norm." + name["decoder.layernorm.".Length..];
        var layer = LayerPart().Match(name);
        if (layer.Success)
        {
            var stack = layer.Groups["stack"].Value;
            var part = layer.Groups["part"].Value switch
            {
                "self_attn" => "self_attn",
                "encoder_attn" => "multihead_attn",
                "fc1" => "linear1",
                "fc2" => "linear2",
                "self_attn_layer_norm" => "norm1",
                "encoder_attn_layer_norm" => "norm2",
                "final_layer_norm" => stack == "encoder" ? "norm2" : "norm3",
                var other => other,
            };
            return $"transformer.{stack}.layers.{layer.Groups["layer"].Value}.{part}{layer.Groups["rest"].Value}";
        }
        return name;
    }

    /// <summary>A backbone key under either timm's names (unchanged) or transformers' ResNet names (translated).</summary>
    internal static string RenameResNet(string name)
    {
        const string Stem = "embedder.embedder.";
        if (name.StartsWith(Stem, StringComparison.Ordinal))
        {
            var rest = name[Stem.Length..];
            return rest.StartsWith("convolution.", StringComparison.Ordinal) ? "conv1." + rest["convolution.".Length..]
                : rest.StartsWith("normalization.", StringComparison.Ordinal) ? "bn1." + rest["normalization.".Length..]
                : name;
        }
        var stage = StagePart().Match(name);
        if (!stage.Success)
            return name;
        var layerName = $"layer{int.Parse(stage.Groups["stage"].Value, System.Globalization.CultureInfo.InvariantCulture) + 1}.{stage.Groups["block"].Value}.";
        var tail = stage.Groups["rest"].Value;
        if (tail.StartsWith("shortcut.convolution.", StringComparison.Ordinal))
            return layerName + "downsample.0." + tail["shortcut.convolution.".Length..];
        if (tail.StartsWith("shortcut.normalization.", StringComparison.Ordinal))
            return layerName + "downsample.1." + tail["shortcut.normalization.".Length..];
        var conv = ConvPart().Match(tail);
        if (conv.Success)
        {
            var index = int.Parse(conv.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture) + 1;
            var kind = conv.Groups["kind"].Value == "convolution" ? "conv" : "bn";
            return $"{layerName}{kind}{index}.{conv.Groups["rest"].Value}";
        }
        return name;
    }

    internal static string Strip(string key) =>
        key.StartsWith("model.", StringComparison.Ordinal) ? key["model.".Length..] : key;

    [GeneratedRegex(@"^(?<stack>encoder|decoder)\.layers\.(?<layer>\d+)\.(?<attn>self_attn|encoder_attn)\.(?<proj>[qkv])_proj\.(?<kind>weight|bias)$")]
    private static partial Regex AttentionProjection();

    [GeneratedRegex(@"^(?<stack>encoder|decoder)\.layers\.(?<layer>\d+)\.(?<part>self_attn|encoder_attn|fc1|fc2|self_attn_layer_norm|encoder_attn_layer_norm|final_layer_norm)(?<rest>\..+)$")]
    private static partial Regex LayerPart();

    [GeneratedRegex(@"^encoder\.stages\.(?<stage>\d+)\.layers\.(?<block>\d+)\.(?<rest>.+)$")]
    private static partial Regex StagePart();

    [GeneratedRegex(@"^layer\.(?<index>\d+)\.(?<kind>convolution|normalization)\.(?<rest>.+)$")]
    private static partial Regex ConvPart();
}

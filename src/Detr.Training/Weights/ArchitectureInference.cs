using Detr.Training.Modeling;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>
/// Reads DETR's or Deformable DETR's architecture off a state dictionary (reference key names): backbone depth and stem
/// width, hidden and feed-forward sizes, layer counts, queries, classes and each architecture's switches. Heads and
/// dilation leave no trace in the weights, so they come from the caller (Deformable DETR's sampling points follow from
/// the heads).
/// </summary>
public static class ArchitectureInference
{
    const string Body = "backbone.0.body.";

    /// <summary>
    /// The architecture of <paramref name="weights"/>: Deformable DETR when they have a <c>transformer.level_embed</c>,
    /// DETR otherwise. <paramref name="queries"/> is needed only for two-stage Deformable DETR, whose query count is not
    /// in its weights (default: the reference's 300).
    /// </summary>
    public static IDetrArchitecture InferAny(IReadOnlyDictionary<string, Tensor> weights, int heads = 8, bool dilation = false, int? queries = null) =>
        weights.ContainsKey("transformer.level_embed") ? DeformableArchitectureInference.Infer(weights, heads, dilation, queries) : Infer(weights, heads, dilation);

    /// <summary>The DETR configuration the weights were trained with, given the heads and dilation.</summary>
    public static DetrConfig Infer(IReadOnlyDictionary<string, Tensor> weights, int heads = 8, bool dilation = false)
    {
        Tensor Need(string key) => Required(weights, key);
        int Count(string prefix) => CountIndexed(weights, prefix);
        var resnet = ResNet(weights, dilation);
        int encoderLayers = Count("transformer.encoder.layers.");
        string ffnKey = encoderLayers > 0 ? "transformer.encoder.layers.0.linear1.weight" : "transformer.decoder.layers.0.linear1.weight";
        return new DetrConfig
        {
            Backbone = resnet.Depth,
            BackboneBaseWidth = resnet.BaseWidth,
            Dilation = dilation,
            HiddenDim = (int)Need("input_proj.weight").shape[0],
            Heads = heads,
            EncoderLayers = encoderLayers,
            DecoderLayers = Count("transformer.decoder.layers."),
            FeedForwardDim = (int)Need(ffnKey).shape[0],
            Queries = (int)Need("query_embed.weight").shape[0],
            NumClasses = (int)Need("class_embed.weight").shape[0] - 1,
            PreNorm = weights.ContainsKey("transformer.encoder.norm.weight"),
            PositionEmbedding = weights.ContainsKey("backbone.1.row_embed.weight") ? PositionEmbeddingKind.Learned : PositionEmbeddingKind.Sine,
        };
    }

    /// <summary>The ResNet trunk under <c>backbone.0.body.</c>: depth from the block counts, stem width from conv1.</summary>
    internal static ResNetSpec ResNet(IReadOnlyDictionary<string, Tensor> weights, bool dilation, BackboneNorms norms = BackboneNorms.Frozen)
    {
        var blocks = Enumerable.Range(1, 4).Select(s => CountIndexed(weights, $"{Body}layer{s}.")).ToArray();
        bool bottleneck = weights.ContainsKey($"{Body}layer1.0.conv3.weight");
        var depth = (bottleneck, string.Join(",", blocks)) switch
        {
            (false, "2,2,2,2") => ResNetDepth.ResNet18,
            (false, "3,4,6,3") => ResNetDepth.ResNet34,
            (true, "3,4,6,3") => ResNetDepth.ResNet50,
            (true, "3,4,23,3") => ResNetDepth.ResNet101,
            _ => throw new InvalidDataException($"Backbone blocks [{string.Join(",", blocks)}] ({(bottleneck ? "bottleneck" : "basic")}) are not ResNet-18/34/50/101."),
        };
        return new ResNetSpec(depth, (int)Required(weights, $"{Body}conv1.weight").shape[0], dilation, norms);
    }

    /// <summary>The tensor under <paramref name="key"/>, or an error naming it.</summary>
    internal static Tensor Required(IReadOnlyDictionary<string, Tensor> weights, string key) => weights.TryGetValue(key, out var t) ? t
        : throw new InvalidDataException($"The checkpoint has no '{key}', so it is not a full DETR-family state dictionary with the reference's key names.");

    /// <summary>How many consecutive <c>prefix0.</c>, <c>prefix1.</c>, … exist.</summary>
    internal static int CountIndexed(IReadOnlyDictionary<string, Tensor> weights, string prefix)
    {
        int n = 0;
        while (weights.Keys.Any(k => k.StartsWith($"{prefix}{n}.", StringComparison.Ordinal)))
            n++;
        return n;
    }
}

using Detr.Training.Modeling;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>
/// Reads DETR's architecture off a state dictionary (reference key names): backbone depth and stem width, hidden and
/// feed-forward sizes, layer counts, queries, classes, position embedding and pre-norm. Heads and dilation leave no
/// trace in the weights, so they come from the caller.
/// </summary>
public static class ArchitectureInference
{
    const string Body = "backbone.0.body.";

    /// <summary>The configuration the weights were trained with, given the heads and dilation.</summary>
    public static DetrConfig Infer(IReadOnlyDictionary<string, Tensor> weights, int heads = 8, bool dilation = false)
    {
        Tensor Need(string key) => weights.TryGetValue(key, out var t) ? t
            : throw new InvalidDataException($"The checkpoint has no '{key}', so it is not a full DETR state dictionary with the reference's key names.");
        int Count(string prefix)
        {
            int n = 0;
            while (weights.Keys.Any(k => k.StartsWith($"{prefix}{n}.", StringComparison.Ordinal)))
                n++;
            return n;
        }
        var blocks = Enumerable.Range(1, 4).Select(s => Count($"{Body}layer{s}.")).ToArray();
        bool bottleneck = weights.ContainsKey($"{Body}layer1.0.conv3.weight");
        var depth = (bottleneck, string.Join(",", blocks)) switch
        {
            (false, "2,2,2,2") => ResNetDepth.ResNet18,
            (false, "3,4,6,3") => ResNetDepth.ResNet34,
            (true, "3,4,6,3") => ResNetDepth.ResNet50,
            (true, "3,4,23,3") => ResNetDepth.ResNet101,
            _ => throw new InvalidDataException($"Backbone blocks [{string.Join(",", blocks)}] ({(bottleneck ? "bottleneck" : "basic")}) are not ResNet-18/34/50/101."),
        };
        int encoderLayers = Count("transformer.encoder.layers.");
        string ffnKey = encoderLayers > 0 ? "transformer.encoder.layers.0.linear1.weight" : "transformer.decoder.layers.0.linear1.weight";
        return new DetrConfig
        {
            Backbone = depth,
            BackboneBaseWidth = (int)Need($"{Body}conv1.weight").shape[0],
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
}

using Detr.Training.Modeling.Deformable;
using static TorchSharp.torch;

namespace Detr.Training.Weights;

/// <summary>
/// Reads Deformable DETR's architecture off its state dictionary (reference key names): levels and width from
/// <c>transformer.level_embed</c>, layer counts, feed-forward width, classes, box refinement (per-layer heads under
/// <c>transformer.decoder.bbox_embed</c>) and two-stage (<c>transformer.enc_output</c>). Heads × points multiply in the
/// offset layers' shapes, so the points follow from the caller's heads.
/// </summary>
static class DeformableArchitectureInference
{
    public static DeformableDetrConfig Infer(IReadOnlyDictionary<string, Tensor> weights, int heads, bool dilation, int? queries)
    {
        Tensor Need(string key) => ArchitectureInference.Required(weights, key);
        var levelEmbed = Need("transformer.level_embed");
        int levels = (int)levelEmbed.shape[0], hidden = (int)levelEmbed.shape[1];
        int encoderLayers = ArchitectureInference.CountIndexed(weights, "transformer.encoder.layers.");
        int decoderLayers = ArchitectureInference.CountIndexed(weights, "transformer.decoder.layers.");
        bool twoStage = weights.ContainsKey("transformer.enc_output.weight");
        int Points(string attention)
        {
            long weightsPerQuery = Need($"{attention}.attention_weights.weight").shape[0];
            if (weightsPerQuery % (heads * levels) != 0)
                throw new InvalidDataException($"'{attention}.attention_weights' has {weightsPerQuery} outputs, not a multiple of {heads} heads × {levels} levels: pass the model's head count (--nheads).");
            return (int)(weightsPerQuery / (heads * levels));
        }
        var resnet = ArchitectureInference.ResNet(weights, dilation);
        string ffnKey = encoderLayers > 0 ? "transformer.encoder.layers.0.linear1.weight" : "transformer.decoder.layers.0.linear1.weight";
        return new DeformableDetrConfig
        {
            Backbone = resnet.Depth,
            BackboneBaseWidth = resnet.BaseWidth,
            Dilation = dilation,
            HiddenDim = hidden,
            Heads = heads,
            FeatureLevels = levels,
            EncoderPoints = encoderLayers > 0 ? Points("transformer.encoder.layers.0.self_attn") : 4,
            DecoderPoints = Points("transformer.decoder.layers.0.cross_attn"),
            EncoderLayers = encoderLayers,
            DecoderLayers = decoderLayers,
            FeedForwardDim = (int)Need(ffnKey).shape[0],
            Queries = twoStage ? queries ?? 300 : (int)Need("query_embed.weight").shape[0],
            NumClasses = (int)Need("class_embed.0.weight").shape[0],
            BoxRefine = weights.ContainsKey("transformer.decoder.bbox_embed.0.layers.0.weight"),
            TwoStage = twoStage,
        };
    }
}

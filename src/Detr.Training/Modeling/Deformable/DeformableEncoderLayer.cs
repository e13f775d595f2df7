using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable;

/// <summary>
/// The reference's <c>DeformableTransformerEncoderLayer</c>: deformable self-attention of every token over all levels
/// (position embedding added to the query only), then a ReLU feed-forward, each followed by residual + LayerNorm.
/// </summary>
public sealed class DeformableEncoderLayer : nn.Module
{
    readonly MultiScaleDeformableAttention self_attn;
    readonly Linear linear1, linear2;
    readonly LayerNorm norm1, norm2;
    readonly nn.Module<Tensor, Tensor> dropout1, dropout2, dropout3;

    /// <summary>A layer of <paramref name="config"/>'s sizes.</summary>
    public DeformableEncoderLayer(DeformableDetrConfig config) : base(nameof(DeformableEncoderLayer))
    {
        self_attn = new MultiScaleDeformableAttention(config.HiddenDim, config.FeatureLevels, config.Heads, config.EncoderPoints);
        linear1 = nn.Linear(config.HiddenDim, config.FeedForwardDim);
        linear2 = nn.Linear(config.FeedForwardDim, config.HiddenDim);
        norm1 = nn.LayerNorm(config.HiddenDim);
        norm2 = nn.LayerNorm(config.HiddenDim);
        dropout1 = nn.Dropout(config.Dropout);
        dropout2 = nn.Dropout(config.Dropout);
        dropout3 = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <summary>Updates the tokens <paramref name="source"/> [B,S,E] given their position [B,S,E] and reference points [B,S,levels,2].</summary>
    public Tensor Forward(Tensor source, Tensor position, Tensor referencePoints, FeatureLevels levels, Tensor paddingMask)
    {
        using var scope = NewDisposeScope();
        var attended = self_attn.Forward(source.Plus(position), referencePoints, source, levels, paddingMask);
        var x = norm1.forward(source.Plus(dropout1.forward(attended)));
        var ffn = linear2.forward(dropout2.forward(nn.functional.relu(linear1.forward(x))));
        return norm2.forward(x.Plus(dropout3.forward(ffn))).MoveToOuterDisposeScope();
    }
}

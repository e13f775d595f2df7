using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable;

/// <summary>
/// The reference's <c>DeformableTransformerDecoderLayer</c>: self-attention among the queries (query position added to
/// q and k), deformable cross-attention to the encoder's tokens around each query's reference point, then the
/// feed-forward; residual + LayerNorm after each (norm2, norm1, norm3 in the reference's naming).
/// </summary>
public sealed class DeformableDecoderLayer : nn.Module
{
    readonly MultiScaleDeformableAttention cross_attn;
    readonly MultiheadAttention self_attn;
    readonly Linear linear1, linear2;
    readonly LayerNorm norm1, norm2, norm3;
    readonly nn.Module<Tensor, Tensor> dropout1, dropout2, dropout3, dropout4;

    /// <summary>A layer of <paramref name="config"/>'s sizes.</summary>
    public DeformableDecoderLayer(DeformableDetrConfig config) : base(nameof(DeformableDecoderLayer))
    {
        cross_attn = new MultiScaleDeformableAttention(config.HiddenDim, config.FeatureLevels, config.Heads, config.DecoderPoints);
        self_attn = new MultiheadAttention(config.HiddenDim, config.Heads, config.Dropout);
        linear1 = nn.Linear(config.HiddenDim, config.FeedForwardDim);
        linear2 = nn.Linear(config.FeedForwardDim, config.HiddenDim);
        norm1 = nn.LayerNorm(config.HiddenDim);
        norm2 = nn.LayerNorm(config.HiddenDim);
        norm3 = nn.LayerNorm(config.HiddenDim);
        dropout1 = nn.Dropout(config.Dropout);
        dropout2 = nn.Dropout(config.Dropout);
        dropout3 = nn.Dropout(config.Dropout);
        dropout4 = nn.Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <summary>
    /// Updates the queries <paramref name="target"/> [B,Q,E]; <paramref name="queryPadding"/> [B,Q] (true = padding)
    /// keeps padding queries out of the self-attention's keys.
    /// </summary>
    public Tensor Forward(Tensor target, Tensor queryPosition, Tensor referencePoints, Tensor memory, FeatureLevels levels,
        Tensor memoryPaddingMask, Tensor? queryPadding = null)
    {
        using var scope = NewDisposeScope();
        var q = target.Plus(queryPosition);
        var t = norm2.forward(target.Plus(dropout2.forward(self_attn.forward(q, q, target, queryPadding))));
        var attended = cross_attn.Forward(t.Plus(queryPosition), referencePoints, memory, levels, memoryPaddingMask);
        t = norm1.forward(t.Plus(dropout1.forward(attended)));
        var ffn = linear2.forward(dropout3.forward(nn.functional.relu(linear1.forward(t))));
        return norm3.forward(t.Plus(dropout4.forward(ffn))).MoveToOuterDisposeScope();
    }
}

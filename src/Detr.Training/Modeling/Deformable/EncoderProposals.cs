using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable;

/// <summary>
/// Two-stage Deformable DETR's proposals (the reference's <c>gen_encoder_output_proposals</c> and
/// <c>get_proposal_pos_embed</c>): one box per encoder token, centred on its pixel and 0.05·2^level wide, in
/// inverse-sigmoid space; tokens on padding or with a box near the border are masked out.
/// </summary>
public static class EncoderProposals
{
    static readonly Scalar Low = 0.01.ToScalar(), High = 0.99.ToScalar(), One = 1.0.ToScalar(),
        Zero = 0.0.ToScalar(), Infinity = double.PositiveInfinity.ToScalar(), Temperature = 10000.0.ToScalar(),
        Scale = (2 * Math.PI).ToScalar(), Two = 2.ToScalar();

    /// <summary>
    /// The proposals [B,S,4] (inverse-sigmoid cx,cy,w,h; +∞ where masked) and the memory with masked tokens zeroed
    /// [B,S,E], for encoder tokens <paramref name="memory"/> and their padding mask [B,S].
    /// </summary>
    public static (Tensor Proposals, Tensor MaskedMemory) Generate(Tensor memory, Tensor paddingMask, FeatureLevels levels)
    {
        using var scope = NewDisposeScope();
        var (centres, _) = TokenGrid.Of(paddingMask, levels);
        var sides = new List<Tensor>();
        for (int l = 0; l < levels.Count; l++)
        {
            using var side = (0.05 * Math.Pow(2, l)).ToScalar();
            sides.Add(full(levels.TokenCounts[l], 2, side, ScalarType.Float32, memory.device));
        }
        var proposals = cat([centres, cat(sides, 0).unsqueeze(0).expand(centres.shape[0], -1, -1)], -1);
        var valid = proposals.gt(Low).logical_and(proposals.lt(High)).all(-1, keepdim: true);
        proposals = (proposals / proposals.SubtractedFrom(One)).log();
        var invalid = paddingMask.unsqueeze(-1).logical_or(valid.logical_not());
        proposals = proposals.masked_fill(invalid, Infinity);
        var masked = memory.masked_fill(invalid, Zero);
        return (proposals.MoveToOuterDisposeScope(), masked.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The sine embedding of proposal boxes [B,Q,4] (inverse-sigmoid space) → [B,Q,4·<paramref name="featuresPerCoordinate"/>]:
    /// each coordinate's sigmoid·2π over 10000^(2⌊i/2⌋/F), sine and cosine interleaved. The reference fixes F at 128
    /// (a 256-wide model); here F = hidden/2, the same there and the width <c>pos_trans</c> takes for any model.
    /// </summary>
    public static Tensor PositionEmbedding(Tensor proposals, int featuresPerCoordinate)
    {
        using var scope = NewDisposeScope();
        var dimT = arange(featuresPerCoordinate, ScalarType.Float32, proposals.device);
        using var count = ((double)featuresPerCoordinate).ToScalar();
        var exponent = dimT.div(Two, RoundingMode.floor) * Two / count;
        dimT = full_like(exponent, Temperature).pow(exponent);
        var angles = (proposals.sigmoid() * Scale).unsqueeze(-1) / dimT; // [B,Q,4,F]
        var embedded = stack([angles[TensorIndex.Ellipsis, TensorIndex.Slice(0, null, 2)].sin(),
            angles[TensorIndex.Ellipsis, TensorIndex.Slice(1, null, 2)].cos()], 4).flatten(2);
        return embedded.MoveToOuterDisposeScope();
    }
}

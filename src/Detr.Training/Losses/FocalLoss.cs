using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Losses;

/// <summary>
/// The sigmoid focal loss (Lin et al. 2017) as Deformable DETR's <c>sigmoid_focal_loss</c>: binary cross-entropy per
/// query and class, scaled by (1 − p_t)^γ and α_t, summed and divided by the number of target boxes.
/// </summary>
public static class FocalLoss
{
    /// <summary>Weight of the positives (the reference's <c>focal_alpha</c>).</summary>
    public const double Alpha = 0.25;

    /// <summary>Focusing exponent.</summary>
    public const double Gamma = 2.0;

    static readonly Scalar AlphaScalar = Alpha.ToScalar(), OneMinusAlpha = (1 - Alpha).ToScalar(), GammaScalar = Gamma.ToScalar(), One = 1.0.ToScalar();

    /// <summary>Σ over queries and classes of the focal loss of <paramref name="logits"/> [B,Q,C] against 0/1 <paramref name="targets"/>, / <paramref name="boxCount"/>.</summary>
    public static Tensor Sum(Tensor logits, Tensor targets, double boxCount)
    {
        using var scope = NewDisposeScope();
        var p = logits.sigmoid();
        var ce = nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction: nn.Reduction.None);
        var pT = (p * targets).Plus(p.SubtractedFrom(One) * targets.SubtractedFrom(One));
        var alphaT = (targets * AlphaScalar).Plus(targets.SubtractedFrom(One) * OneMinusAlpha);
        var loss = alphaT * ce * pT.SubtractedFrom(One).pow(GammaScalar);
        using var boxes = boxCount.ToScalar();
        return (loss.sum() / boxes).MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable;

/// <summary>The reference's <c>inverse_sigmoid</c>: log(x / (1 − x)) with both clamped to at least 1e-5.</summary>
public static class InverseSigmoid
{
    static readonly Scalar Epsilon = 1e-5.ToScalar(), Zero = 0.0.ToScalar(), One = 1.0.ToScalar();

    /// <summary>The logit of <paramref name="x"/>, finite for x in [0, 1].</summary>
    public static Tensor Of(Tensor x)
    {
        using var scope = NewDisposeScope();
        var clamped = x.clamp(Zero, One);
        var numerator = clamped.clamp_min(Epsilon);
        var denominator = clamped.SubtractedFrom(One).clamp_min(Epsilon);
        return (numerator / denominator).log().MoveToOuterDisposeScope();
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable.Denoising;

/// <summary>DN-DETR's noise on ground truth: pure functions of the targets and a generator.</summary>
public static class DenoisingNoise
{
    static readonly Scalar Half = 0.5.ToScalar(), Two = 2.0.ToScalar(), One = 1.0.ToScalar();

    /// <summary>
    /// Boxes [N,4] (cx,cy,w,h, normalised) with the centre moved by up to <paramref name="scale"/>/2 of the width and
    /// height and the size scaled by a factor in [1 − scale, 1 + scale], clamped to [0, 1] in corner form and back, as
    /// DN-DETR's <c>prepare_for_dn</c>. The result is kept away from zero size so that its inverse sigmoid stays finite.
    /// </summary>
    public static Tensor Boxes(Tensor boxes, double scale, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        if (scale <= 0 || boxes.shape[0] == 0)
            return boxes.clone().MoveToOuterDisposeScope();
        using var s = scale.ToScalar();
        var size = boxes[.., TensorIndex.Slice(2, 4)];
        var spread = cat([size * Half, size], 1) * s; // centre by up to w/2·λ, size by up to w·λ
        var uniform = rand(boxes.shape, generator: generator, dtype: boxes.dtype, device: boxes.device) * Two - One;
        var noised = boxes.Plus(uniform * spread);
        var centre = noised[.., TensorIndex.Slice(0, 2)];
        var halfSize = noised[.., TensorIndex.Slice(2, 4)].clamp_min(1e-4) * Half;
        var corners = cat([centre - halfSize, centre.Plus(halfSize)], 1).clamp(0.0, 1.0);
        var topLeft = corners[.., TensorIndex.Slice(0, 2)];
        var bottomRight = corners[.., TensorIndex.Slice(2, 4)];
        var result = cat([(topLeft.Plus(bottomRight)) * Half, (bottomRight - topLeft).clamp_min(1e-3)], 1);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Labels [N] with each replaced, with probability <paramref name="ratio"/>, by a uniformly drawn class.</summary>
    public static Tensor Labels(Tensor labels, double ratio, int numClasses, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        if (ratio <= 0 || labels.shape[0] == 0)
            return labels.clone().MoveToOuterDisposeScope();
        using var r = ratio.ToScalar();
        var flip = rand(labels.shape, generator: generator, device: labels.device).lt(r);
        var random = randint(0, numClasses, labels.shape, generator: generator, dtype: labels.dtype, device: labels.device);
        return where(flip, random, labels).MoveToOuterDisposeScope();
    }
}

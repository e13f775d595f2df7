using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable;

/// <summary>
/// Where each encoder token sits: its pixel centre on its level divided by the level's unpadded size (the reference's
/// two-stage proposal centres), and that unpadded size in tokens, for every image of a padded batch.
/// </summary>
public static class TokenGrid
{
    static readonly Scalar Half = 0.5.ToScalar();

    /// <summary>
    /// Centres [B,S,2] (x,y in 0..1 of the unpadded image) and the unpadded width and height of each token's level,
    /// in tokens [B,S,2], for the padding mask [B,S] of tokens flattened level by level.
    /// </summary>
    public static (Tensor Centres, Tensor ValidSizes) Of(Tensor paddingMask, FeatureLevels levels)
    {
        using var scope = NewDisposeScope();
        long batch = paddingMask.shape[0];
        var centres = new List<Tensor>();
        var sizes = new List<Tensor>();
        long start = 0;
        for (int l = 0; l < levels.Count; l++)
        {
            var (h, w) = levels.Shapes[l];
            var mask = paddingMask[.., TensorIndex.Slice(start, start + h * w)].view(batch, h, w);
            var validH = mask[.., .., 0].logical_not().sum(1, type: ScalarType.Float32);
            var validW = mask[.., 0, ..].logical_not().sum(1, type: ScalarType.Float32);
            var gy = arange(h, ScalarType.Float32, paddingMask.device).view(h, 1).expand(h, w);
            var gx = arange(w, ScalarType.Float32, paddingMask.device).view(1, w).expand(h, w);
            var grid = stack([gx, gy], -1).unsqueeze(0).expand(batch, -1, -1, -1);
            var valid = stack([validW, validH], -1).view(batch, 1, 1, 2);
            centres.Add((grid.Plus(Half) / valid).view(batch, -1, 2));
            sizes.Add(valid.expand(-1, h, w, -1).reshape(batch, -1, 2));
            start += h * w;
        }
        return (cat(centres, 1).MoveToOuterDisposeScope(), cat(sizes, 1).MoveToOuterDisposeScope());
    }
}

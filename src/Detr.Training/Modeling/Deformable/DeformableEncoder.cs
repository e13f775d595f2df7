using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable;

/// <summary>The reference's <c>DeformableTransformerEncoder</c>: its layers, each token's reference point at its own pixel centre.</summary>
public sealed class DeformableEncoder : nn.Module
{
    readonly ModuleList<DeformableEncoderLayer> layers;
    static readonly Scalar Half = 0.5.ToScalar();

    /// <summary>The encoder of <paramref name="config"/>.</summary>
    public DeformableEncoder(DeformableDetrConfig config) : base(nameof(DeformableEncoder))
    {
        layers = nn.ModuleList(Enumerable.Range(0, config.EncoderLayers).Select(_ => new DeformableEncoderLayer(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>The encoded tokens [B,S,E] of <paramref name="source"/> (levels flattened in order).</summary>
    public Tensor Forward(Tensor source, Tensor position, FeatureLevels levels, Tensor validRatios, Tensor paddingMask)
    {
        using var scope = NewDisposeScope();
        var referencePoints = ReferencePoints(levels, validRatios);
        var x = source;
        foreach (var layer in layers)
            x = layer.Forward(x, position, referencePoints, levels, paddingMask);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Every token's pixel centre, normalised by its level's valid (unpadded) size, then expressed in each level's
    /// coordinates through the valid ratios [B,levels,2 (w,h)]: [B,S,levels,2].
    /// </summary>
    public static Tensor ReferencePoints(FeatureLevels levels, Tensor validRatios)
    {
        using var scope = NewDisposeScope();
        var perLevel = new List<Tensor>();
        for (int l = 0; l < levels.Count; l++)
        {
            var (h, w) = levels.Shapes[l];
            var ys = arange(h, ScalarType.Float32, validRatios.device).Plus(Half).view(h, 1).expand(h, w).reshape(1, -1);
            var xs = arange(w, ScalarType.Float32, validRatios.device).Plus(Half).view(1, w).expand(h, w).reshape(1, -1);
            using var height = ((double)h).ToScalar();
            using var width = ((double)w).ToScalar();
            var refY = ys / (validRatios[.., l, 1].unsqueeze(1) * height);
            var refX = xs / (validRatios[.., l, 0].unsqueeze(1) * width);
            perLevel.Add(stack([refX, refY], -1));
        }
        var points = cat(perLevel, 1);
        return (points.unsqueeze(2) * validRatios.unsqueeze(1)).MoveToOuterDisposeScope();
    }
}

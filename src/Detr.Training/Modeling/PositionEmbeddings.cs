using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>
/// The reference's sine embedding: cumulative sums of the real-pixel mask along y and x, normalised to (0, 2π],
/// divided by 10000^(2⌊i/2⌋/F), sine on even channels and cosine on odd; y channels first. No parameters.
/// </summary>
public sealed class SinePositionEmbedding : nn.Module<Tensor, Tensor>
{
    // Held scalars (see HeldScalars).
    static readonly Scalar Temperature = 10000.0.ToScalar(), Scale = (2 * Math.PI).ToScalar(), Epsilon = 1e-6.ToScalar(), Two = 2.ToScalar();
    readonly Scalar _featureCount;
    readonly Scalar? _centreOffset;
    readonly int _features;

    /// <summary>
    /// An embedding of <paramref name="hiddenDim"/> channels (half for y, half for x). Deformable DETR's reference
    /// takes pixel centres (<paramref name="pixelCentres"/>: cumulative count − 0.5) where DETR's takes the count.
    /// </summary>
    public SinePositionEmbedding(int hiddenDim, bool pixelCentres = false) : base(nameof(SinePositionEmbedding))
    {
        _features = hiddenDim / 2;
        _featureCount = ((double)_features).ToScalar();
        _centreOffset = pixelCentres ? (-0.5).ToScalar() : null;
    }

    /// <summary>Embedding [B, hidden, h, w] for a padding mask [B, h, w] (true on padding).</summary>
    public override Tensor forward(Tensor paddingMask)
    {
        using var scope = NewDisposeScope();
        var notMask = paddingMask.logical_not();
        var y = notMask.cumsum(1, ScalarType.Float32);
        var x = notMask.cumsum(2, ScalarType.Float32);
        var yLast = y[TensorIndex.Colon, TensorIndex.Slice(-1, null), TensorIndex.Colon].Plus(Epsilon);
        var xLast = x[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(-1, null)].Plus(Epsilon);
        if (_centreOffset is not null)
            (y, x) = (y.Plus(_centreOffset), x.Plus(_centreOffset));
        y = y / yLast * Scale;
        x = x / xLast * Scale;
        var dimT = arange(_features, ScalarType.Float32, paddingMask.device);
        var exponent = dimT.div(Two, RoundingMode.floor) * Two / _featureCount;
        dimT = full_like(exponent, Temperature).pow(exponent);
        var px = Interleave(x.unsqueeze(-1) / dimT);
        var py = Interleave(y.unsqueeze(-1) / dimT);
        return cat([py, px], 3).permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }

    // stack(sin of even channels, cos of odd channels) then flatten: sin0, cos1, sin2, cos3, …
    static Tensor Interleave(Tensor angles) =>
        stack([angles[TensorIndex.Ellipsis, TensorIndex.Slice(0, null, 2)].sin(),
               angles[TensorIndex.Ellipsis, TensorIndex.Slice(1, null, 2)].cos()], 4).flatten(3);
}

/// <summary>The reference's learned embedding: 50 row and 50 column vectors, column half first.</summary>
public sealed class LearnedPositionEmbedding : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> row_embed, col_embed;

    /// <summary>An embedding of <paramref name="hiddenDim"/> channels for feature maps up to 50×50.</summary>
    public LearnedPositionEmbedding(int hiddenDim) : base(nameof(LearnedPositionEmbedding))
    {
        row_embed = nn.Embedding(50, hiddenDim / 2);
        col_embed = nn.Embedding(50, hiddenDim / 2);
        RegisterComponents();
        foreach (var (_, p) in named_parameters())
            nn.init.uniform_(p);
    }

    /// <summary>Embedding [B, hidden, h, w] for a padding mask [B, h, w].</summary>
    public override Tensor forward(Tensor paddingMask)
    {
        using var scope = NewDisposeScope();
        long batch = paddingMask.shape[0], h = paddingMask.shape[1], w = paddingMask.shape[2];
        if (h > 50 || w > 50)
            throw new ArgumentException($"A learned position embedding covers at most 50×50 features; got {h}×{w}. Use a smaller input or the sine embedding.");
        var x = col_embed.forward(arange(w, ScalarType.Int64, paddingMask.device));
        var y = row_embed.forward(arange(h, ScalarType.Int64, paddingMask.device));
        var position = cat([x.unsqueeze(0).expand(h, w, -1), y.unsqueeze(1).expand(h, w, -1)], -1);
        return position.permute(2, 0, 1).unsqueeze(0).expand(batch, -1, -1, -1).contiguous().MoveToOuterDisposeScope();
    }
}

namespace Detr.Training.Modeling.Deformable;

/// <summary>
/// The sizes of the feature levels flattened one after another into a token sequence (the reference's
/// <c>spatial_shapes</c> and <c>level_start_index</c>), known on the host so no tensor has to be read back.
/// </summary>
public sealed record FeatureLevels(IReadOnlyList<(long Height, long Width)> Shapes)
{
    /// <summary>Tokens of each level (H·W).</summary>
    public long[] TokenCounts => Shapes.Select(s => s.Height * s.Width).ToArray();

    /// <summary>Tokens over all levels.</summary>
    public long TotalTokens => TokenCounts.Sum();

    /// <summary>Number of levels.</summary>
    public int Count => Shapes.Count;
}

using Detr.Training.Export.Onnx;

namespace Detr.Training.Export.Deformable;

/// <summary>One feature level's sizes and mask as graph values.</summary>
/// <param name="Height">Rows h (int64 scalar).</param>
/// <param name="Width">Columns w (int64 scalar).</param>
/// <param name="ValidMask">[N,h,w] float, 1 = real pixel.</param>
/// <param name="ValidRows">[N] float: unpadded rows (the mask's first column summed).</param>
/// <param name="ValidColumns">[N] float: unpadded columns (the mask's first row summed).</param>
/// <param name="HeightRatio">[N] float: ValidRows / h, the reference's valid ratio in y.</param>
/// <param name="WidthRatio">[N] float: ValidColumns / w, the valid ratio in x.</param>
sealed record OnnxLevel(string Height, string Width, string ValidMask, string ValidRows, string ValidColumns, string HeightRatio, string WidthRatio);

/// <summary>
/// The reference's flattened multi-scale input to the deformable transformer, as graph values: C3–C5 and the extra
/// levels projected (<c>input_proj.N</c>: conv + GroupNorm(32)), each level's mask interpolated from the pixel mask,
/// its pixel-centre sine embedding plus <c>level_embed</c>, all levels flattened one after another. Every size is
/// read from the tensors, so any image size and padded batch runs through the same graph.
/// </summary>
/// <param name="Source">[N,S,E] the projected levels, flattened.</param>
/// <param name="Position">[N,S,E] position embedding with the level embedding added.</param>
/// <param name="ValidTokens">[N,S] float, 1 = token on a real pixel.</param>
/// <param name="ValidRatios">[N,levels,2] the unpadded fraction (w, h) of each level.</param>
/// <param name="TokenCounts">[levels] int64 h·w per level (to split the flattened tokens).</param>
/// <param name="SizeNormaliser">[levels,2] float (w, h) of each level (sampling offsets are in level pixels).</param>
/// <param name="Levels">Per-level sizes and masks.</param>
sealed record OnnxFeatureLevels(string Source, string Position, string ValidTokens, string ValidRatios, string TokenCounts,
    string SizeNormaliser, IReadOnlyList<OnnxLevel> Levels)
{
    /// <summary>Number of levels.</summary>
    public int Count => Levels.Count;

    /// <summary>Builds the levels of a model with <paramref name="levelCount"/> levels and <paramref name="hiddenDim"/> channels.</summary>
    public static OnnxFeatureLevels Build(OnnxLayers layers, string pixels, string pixelMask, int levelCount, int hiddenDim, bool dilation)
    {
        var g = layers.Graph;
        string[] stages;
        using (g.InPart(DetrModelParts.Backbone))
            stages = OnnxResNetExport.Stages(layers, pixels, dilation);
        var sources = new List<string>();
        using (g.InPart(DetrModelParts.InputProjection))
            for (int l = 0; l < levelCount; l++)
            {
                // C3..C5 by 1×1 convolutions; further levels by stride-2 3×3 ones, the first on C5, the rest on the previous level.
                string projected = l < stages.Length
                    ? layers.Conv(stages[l], $"input_proj.{l}.0")
                    : layers.Conv(l == stages.Length ? stages[^1] : sources[^1], $"input_proj.{l}.0", stride: 2, padding: 1);
                sources.Add(layers.GroupNorm(projected, $"input_proj.{l}.1", groups: 32));
            }

        var levelEmbed = layers.Weights["transformer.level_embed"];
        var levels = new List<OnnxLevel>();
        var flatSources = new List<string>();
        var flatPositions = new List<string>();
        var flatValid = new List<string>();
        var ratios = new List<string>();
        var counts = new List<string>();
        var normalisers = new List<string>();
        for (int l = 0; l < levelCount; l++)
        {
            string source = sources[l];
            string validMask = OnnxMaskExport.Downsample(g, pixelMask, source);
            var level = Level(g, source, validMask);
            levels.Add(level);
            flatSources.Add(g.Node("Transpose", [g.Node("Reshape", [source, g.Int64s(0, hiddenDim, -1)])], ("perm", new long[] { 0, 2, 1 })));
            string position = OnnxPositionEmbeddingExport.Sine(g, validMask, hiddenDim, pixelCentres: true);
            string embedding = g.Initializer($"transformer.level_embed[{l}]", levelEmbed.Values.AsSpan(l * hiddenDim, hiddenDim), hiddenDim);
            flatPositions.Add(g.Node("Add", [position, embedding]));
            flatValid.Add(g.Node("Reshape", [validMask, g.Int64s(0, -1)]));
            // stack([valid_W, valid_H], -1): [N,1,2] per level.
            ratios.Add(g.Node("Unsqueeze", [g.Node("Concat", [Column(g, level.WidthRatio), Column(g, level.HeightRatio)], ("axis", 1L)), g.Int64s(1)]));
            counts.Add(g.Node("Unsqueeze", [g.Node("Mul", [level.Height, level.Width]), g.Int64s(0)]));
            normalisers.Add(g.Node("Unsqueeze", [g.Node("Concat", [Vector(g, ToFloat(g, level.Width)), Vector(g, ToFloat(g, level.Height))], ("axis", 0L)), g.Int64s(0)]));
        }
        return new OnnxFeatureLevels(
            g.Node("Concat", flatSources, ("axis", 1L)),
            g.Node("Concat", flatPositions, ("axis", 1L)),
            g.Node("Concat", flatValid, ("axis", 1L)),
            g.Node("Concat", ratios, ("axis", 1L)),
            g.Node("Concat", counts, ("axis", 0L)),
            g.Node("Concat", normalisers, ("axis", 0L)),
            levels);
    }

    // The reference's get_valid_ratio: unpadded rows and columns counted on the mask's first column and row.
    static OnnxLevel Level(OnnxGraphBuilder g, string source, string validMask)
    {
        string shape = g.Node("Shape", [source]);
        string height = g.Node("Gather", [shape, g.Int64(2)]);
        string width = g.Node("Gather", [shape, g.Int64(3)]);
        string firstColumn = g.Node("Gather", [validMask, g.Int64(0)], ("axis", 2L)); // [N,h]
        string firstRow = g.Node("Gather", [validMask, g.Int64(0)], ("axis", 1L)); // [N,w]
        string rows = g.Node("ReduceSum", [firstColumn, g.Int64s(1)], ("keepdims", 0L));
        string columns = g.Node("ReduceSum", [firstRow, g.Int64s(1)], ("keepdims", 0L));
        return new OnnxLevel(height, width, validMask, rows, columns,
            g.Node("Div", [rows, ToFloat(g, height)]), g.Node("Div", [columns, ToFloat(g, width)]));
    }

    /// <summary>An int64 or bool value cast to float.</summary>
    public static string ToFloat(OnnxGraphBuilder g, string value) => g.Node("Cast", [value], ("to", (long)TensorProto.Types.DataType.Float));

    /// <summary>A scalar as a one-element vector (for Concat into shapes).</summary>
    public static string Vector(OnnxGraphBuilder g, string scalar) => g.Node("Unsqueeze", [scalar, g.Int64s(0)]);

    static string Column(OnnxGraphBuilder g, string perImage) => g.Node("Unsqueeze", [perImage, g.Int64s(1)]);
}

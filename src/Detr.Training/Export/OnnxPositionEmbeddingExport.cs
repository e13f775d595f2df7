namespace Detr.Training.Export;

/// <summary>
/// DETR's (and Deformable DETR's) position embeddings computed inside the graph from the pixel mask, so dynamic sizes and padded batches
/// export exactly: the sine embedding (normalised cumulative sums of the valid mask, scale 2π, temperature 10000) or
/// the learned row/column embedding. Output layout [N, H·W, C] (batch first, flattened spatially).
/// </summary>
static class OnnxPositionEmbeddingExport
{
    /// <summary>
    /// Sine embedding from <paramref name="validMask"/> [N, h, w] float (1 = real pixel). With
    /// <paramref name="pixelCentres"/> (Deformable DETR's reference) each cumulative count is taken 0.5 back, at the
    /// pixel's centre, before the normalisation by the last count.
    /// </summary>
    public static string Sine(OnnxGraphBuilder g, string validMask, int hiddenDim, bool pixelCentres = false)
    {
        int features = hiddenDim / 2;
        const float eps = 1e-6f, scale = 2 * MathF.PI;
        string y = g.Node("CumSum", [validMask, g.Int64(1)]);
        string x = g.Node("CumSum", [validMask, g.Int64(2)]);
        // Normalise by the last cumulative value (the valid height/width of each column/row).
        string yLast = g.Node("Slice", [y, g.Int64s(-1), g.Int64s(long.MaxValue), g.Int64s(1)]);
        string xLast = g.Node("Slice", [x, g.Int64s(-1), g.Int64s(long.MaxValue), g.Int64s(2)]);
        if (pixelCentres)
            (y, x) = (g.Node("Sub", [y, g.Float(0.5f)]), g.Node("Sub", [x, g.Float(0.5f)]));
        y = g.Node("Mul", [g.Node("Div", [y, g.Node("Add", [yLast, g.Float(eps)])]), g.Float(scale)]);
        x = g.Node("Mul", [g.Node("Div", [x, g.Node("Add", [xLast, g.Float(eps)])]), g.Float(scale)]);

        string frequencies = Frequencies(g, features);
        string Embed(string coordinate) => g.Node("Reshape", [SinCosPairs(g, coordinate, frequencies), g.Int64s(0, 0, 0, features)]);
        string position = g.Node("Concat", [Embed(y), Embed(x)], ("axis", -1L)); // [N,h,w,C]: y first, as the reference
        return g.Node("Reshape", [position, g.Int64s(0, -1, hiddenDim)]);
    }

    /// <summary>
    /// The reference's dim_t for <paramref name="features"/> channels, one value per sine/cosine pair:
    /// dim_t[i] = T^(2·floor(i/2)/F) with T = 10000, the same for channels 2k and 2k + 1.
    /// </summary>
    public static string Frequencies(OnnxGraphBuilder g, int features)
    {
        const float temperature = 10000f;
        var dimT = new float[features / 2];
        for (int k = 0; k < dimT.Length; k++)
            dimT[k] = MathF.Pow(temperature, 2f * k / features);
        return g.Initializer("pos_dim_t", dimT, dimT.Length);
    }

    /// <summary>
    /// The angles <paramref name="coordinate"/>[…] / <paramref name="frequencies"/> as [..., F/2, 2] (sine, cosine)
    /// pairs: even channels take the sine, odd the cosine, of the same angle, interleaved once flattened.
    /// </summary>
    public static string SinCosPairs(OnnxGraphBuilder g, string coordinate, string frequencies)
    {
        string angle = g.Node("Div", [g.Node("Unsqueeze", [coordinate, g.Int64s(-1)]), frequencies]); // [..., F/2]
        string sin = g.Node("Unsqueeze", [g.Node("Sin", [angle]), g.Int64s(-1)]);
        string cos = g.Node("Unsqueeze", [g.Node("Cos", [angle]), g.Int64s(-1)]);
        return g.Node("Concat", [sin, cos], ("axis", -1L));
    }

    /// <summary>Learned embedding: column embedding then row embedding per cell, the same for every image.</summary>
    public static string Learned(OnnxLayers layers, string featureMap, int hiddenDim)
    {
        var g = layers.Graph;
        var columns = layers.Weights["backbone.1.col_embed.weight"];
        var rows = layers.Weights["backbone.1.row_embed.weight"];
        string shape = g.Node("Shape", [featureMap]);
        string n = g.Node("Gather", [shape, g.Int64(0)]);
        string h = g.Node("Gather", [shape, g.Int64(2)]);
        string w = g.Node("Gather", [shape, g.Int64(3)]);
        string xEmbedding = g.Node("Gather", [g.Initializer("col_embed", columns.Values, columns.Shape), g.Node("Range", [g.Int64(0), w, g.Int64(1)])]); // [w, C/2]
        string yEmbedding = g.Node("Gather", [g.Initializer("row_embed", rows.Values, rows.Shape), g.Node("Range", [g.Int64(0), h, g.Int64(1)])]); // [h, C/2]
        string half = g.Int64s(hiddenDim / 2);
        string Unsqueezed(string scalar) => g.Node("Unsqueeze", [scalar, g.Int64s(0)]);
        string gridShape = g.Node("Concat", [Unsqueezed(h), Unsqueezed(w), half], ("axis", 0L));
        string xGrid = g.Node("Expand", [g.Node("Unsqueeze", [xEmbedding, g.Int64s(0)]), gridShape]);
        string yGrid = g.Node("Expand", [g.Node("Unsqueeze", [yEmbedding, g.Int64s(1)]), gridShape]);
        string grid = g.Node("Reshape", [g.Node("Concat", [xGrid, yGrid], ("axis", -1L)), g.Int64s(1, -1, hiddenDim)]); // [1, h·w, C]
        string batchShape = g.Node("Concat", [Unsqueezed(n), g.Int64s(1, 1)], ("axis", 0L));
        return g.Node("Tile", [grid, batchShape]);
    }
}

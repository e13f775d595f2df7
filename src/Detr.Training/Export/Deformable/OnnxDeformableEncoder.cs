namespace Detr.Training.Export.Deformable;

/// <summary>
/// The reference's <c>DeformableTransformerEncoder</c> as ONNX: every token's reference point at its pixel centre,
/// normalised by its level's valid size and expressed in every level through the valid ratios; then the layers,
/// each deformable self-attention (position added to the query only) and a ReLU feed-forward, residual + LayerNorm after each.
/// </summary>
sealed class OnnxDeformableEncoder(OnnxLayers layers, OnnxFeatureLevels levels, OnnxDeformableAttention attention, int points)
{
    readonly OnnxGraphBuilder _g = layers.Graph;

    /// <summary>The memory [N,S,E].</summary>
    public string Encode()
    {
        string referencePoints = ReferencePoints();
        string x = levels.Source;
        int count = layers.Weights.CountChildren("transformer.encoder.layers.");
        for (int i = 0; i < count; i++)
        {
            string p = $"transformer.encoder.layers.{i}.";
            string attended = attention.Build(p + "self_attn", layers.Add(x, levels.Position), referencePoints, 2, x, points);
            x = layers.LayerNorm(layers.Add(x, attended), p + "norm1");
            x = layers.LayerNorm(layers.Add(x, layers.FeedForward(x, p)), p + "norm2");
        }
        return x;
    }

    // [N,S,levels,2]: (x + 0.5) / (ratio_w · w), (y + 0.5) / (ratio_h · h) per level, then times every level's ratios.
    string ReferencePoints()
    {
        var perLevel = new List<string>();
        foreach (var level in levels.Levels)
        {
            string grid = _g.Node("Concat", [OnnxFeatureLevels.Vector(_g, level.Height), OnnxFeatureLevels.Vector(_g, level.Width)], ("axis", 0L));
            string Centres(string size, long axis)
            {
                string centres = _g.Node("Add", [OnnxFeatureLevels.ToFloat(_g, _g.Node("Range", [_g.Int64(0), size, _g.Int64(1)])), _g.Float(0.5f)]);
                return _g.Node("Reshape", [_g.Node("Expand", [_g.Node("Unsqueeze", [centres, _g.Int64s(axis)]), grid]), _g.Int64s(1, -1)]); // [1, h·w]
            }
            string Normalised(string centres, string ratio, string size) =>
                _g.Node("Unsqueeze", [_g.Node("Div", [centres, _g.Node("Mul", [_g.Node("Unsqueeze", [ratio, _g.Int64s(1)]), OnnxFeatureLevels.ToFloat(_g, size)])]), _g.Int64s(-1)]);
            string ys = Normalised(Centres(level.Height, 1), level.HeightRatio, level.Height);
            string xs = Normalised(Centres(level.Width, 0), level.WidthRatio, level.Width);
            perLevel.Add(_g.Node("Concat", [xs, ys], ("axis", -1L))); // [N, h·w, 2]
        }
        string points = _g.Node("Concat", perLevel, ("axis", 1L));
        return _g.Node("Mul", [_g.Node("Unsqueeze", [points, _g.Int64s(2)]), _g.Node("Unsqueeze", [levels.ValidRatios, _g.Int64s(1)])]);
    }
}

namespace Detr.Training.Export.Deformable;

/// <summary>
/// The reference's <c>MSDeformAttn</c> as ONNX: offsets and softmaxed weights predicted from the query, bilinear
/// <c>GridSample</c> (zeros padding, align_corners = 0, the reference's <c>ms_deform_attn_core_pytorch</c>) of each
/// level's projected values at reference point + offset, the weighted sum, then <c>output_proj</c>. Heads are folded
/// into the batch for the sampling, as the reference does, so one GridSample serves a level.
/// </summary>
sealed class OnnxDeformableAttention(OnnxLayers layers, OnnxFeatureLevels levels, int hiddenDim, int heads, int opset)
{
    readonly OnnxGraphBuilder _g = layers.Graph;
    readonly int _headDim = hiddenDim / heads;
    // Opset 20 renamed GridSample's bilinear mode to "linear" (the same interpolation, extended to N-d).
    readonly string _bilinear = opset >= 20 ? "linear" : "bilinear";

    /// <summary>
    /// Attends <paramref name="query"/> [N,Lq,E] to <paramref name="input"/> [N,S,E] (all levels flattened) with the
    /// module <paramref name="prefix"/>. <paramref name="referencePoints"/> is [N,Lq,levels,2] (x, y in [0,1]) or
    /// [N,Lq,levels,4] (cx, cy, w, h: offsets then scale with half the box over the points), as
    /// <paramref name="referenceWidth"/> says. Padded tokens' values are zeroed first, as the reference's masked_fill.
    /// </summary>
    public string Build(string prefix, string query, string referencePoints, int referenceWidth, string input, int points)
    {
        int levelCount = levels.Count;
        string value = layers.Linear(input, prefix + ".value_proj");
        value = _g.Node("Mul", [value, _g.Node("Unsqueeze", [levels.ValidTokens, _g.Int64s(-1)])]);
        string offsets = _g.Node("Reshape", [layers.Linear(query, prefix + ".sampling_offsets"), _g.Int64s(0, 0, heads, levelCount, points, 2)]);
        string weights = _g.Node("Softmax",
            [_g.Node("Reshape", [layers.Linear(query, prefix + ".attention_weights"), _g.Int64s(0, 0, heads, levelCount * points)])], ("axis", -1L));

        string locations; // [N,Lq,heads,levels,points,2]
        if (referenceWidth == 2)
        {
            // Offsets are in pixels of each level: divide by its (w, h).
            string normaliser = _g.Node("Reshape", [levels.SizeNormaliser, _g.Int64s(1, 1, 1, levelCount, 1, 2)]);
            string reference = _g.Node("Unsqueeze", [referencePoints, _g.Int64s(2, 4)]);
            locations = _g.Node("Add", [reference, _g.Node("Div", [offsets, normaliser])]);
        }
        else if (referenceWidth == 4)
        {
            string centre = _g.Node("Unsqueeze", [Coordinates(referencePoints, 0, 2), _g.Int64s(2, 4)]);
            string size = _g.Node("Unsqueeze", [Coordinates(referencePoints, 2, 4), _g.Int64s(2, 4)]);
            string scaled = _g.Node("Mul", [_g.Node("Mul", [_g.Node("Mul", [offsets, _g.Float(1f / points)]), size]), _g.Float(0.5f)]);
            locations = _g.Node("Add", [centre, scaled]);
        }
        else
            throw new ArgumentOutOfRangeException(nameof(referenceWidth), "Reference points have 2 or 4 coordinates.");
        return layers.Linear(Sample(value, query, locations, weights, points), prefix + ".output_proj");
    }

    // value [N,S,E], locations [N,Lq,heads,levels,points,2] in [0,1], weights [N,Lq,heads,levels·points] → [N,Lq,E].
    string Sample(string value, string query, string locations, string weights, int points)
    {
        int levelCount = levels.Count;
        string queryCount = _g.Node("Shape", [query], ("start", 1L), ("end", 2L)); // [1]: Lq, dynamic in the encoder
        string perLevel = _g.Node("Transpose", [value], ("perm", new long[] { 0, 2, 1 })); // [N,E,S]
        var values = _g.Node("Split", [perLevel, levels.TokenCounts], Enumerable.Range(0, levelCount).Select(_ => _g.UniqueName("level_value")).ToArray(),
            ("axis", 2L));
        // grid_sample's grid is 2·location − 1; heads join the batch: [N·heads, levels, Lq, points, 2].
        string grids = _g.Node("Add", [_g.Node("Mul", [locations, _g.Float(2f)]), _g.Float(-1f)]);
        grids = _g.Node("Transpose", [grids], ("perm", new long[] { 0, 2, 3, 1, 4, 5 }));
        grids = _g.Node("Reshape", [grids, _g.Node("Concat", [_g.Int64s(-1, levelCount), queryCount, _g.Int64s(points, 2)], ("axis", 0L))]);
        var sampled = new string[levelCount];
        for (int l = 0; l < levelCount; l++)
        {
            var level = levels.Levels[l];
            // [N, E, h·w] → [N·heads, E/heads, h, w]
            string mapShape = _g.Node("Concat", [_g.Int64s(-1, _headDim), OnnxFeatureLevels.Vector(_g, level.Height), OnnxFeatureLevels.Vector(_g, level.Width)],
                ("axis", 0L));
            string map = _g.Node("Reshape", [values[l], mapShape]);
            string grid = _g.Node("Gather", [grids, _g.Int64(l)], ("axis", 1L)); // [N·heads, Lq, points, 2]
            sampled[l] = _g.Node("GridSample", [map, grid], ("mode", _bilinear), ("padding_mode", "zeros"), ("align_corners", 0L)); // [N·heads, D, Lq, points]
        }
        string taps = _g.Node("Concat", sampled, ("axis", -1L)); // [N·heads, D, Lq, levels·points], level-major as the weights
        string attention = _g.Node("Transpose", [weights], ("perm", new long[] { 0, 2, 1, 3 })); // [N,heads,Lq,levels·points]
        attention = _g.Node("Reshape", [attention, _g.Node("Concat", [_g.Int64s(-1, 1), queryCount, _g.Int64s(levelCount * points)], ("axis", 0L))]);
        string summed = _g.Node("ReduceSum", [_g.Node("Mul", [taps, attention]), _g.Int64s(-1)], ("keepdims", 0L)); // [N·heads, D, Lq]
        string merged = _g.Node("Reshape", [summed, _g.Node("Concat", [_g.Int64s(-1, hiddenDim), queryCount], ("axis", 0L))]); // [N, E, Lq]
        return _g.Node("Transpose", [merged], ("perm", new long[] { 0, 2, 1 }));
    }

    string Coordinates(string boxes, long from, long to) =>
        _g.Node("Slice", [boxes, _g.Int64s(from), _g.Int64s(to), _g.Int64s(-1)]);
}

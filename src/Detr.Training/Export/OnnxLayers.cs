namespace Detr.Training.Export;

/// <summary>Common layers expressed as ONNX nodes over <see cref="ExportWeights"/>.</summary>
sealed class OnnxLayers(OnnxGraphBuilder graph, ExportWeights weights)
{
    public OnnxGraphBuilder Graph => graph;

    public ExportWeights Weights => weights;

    /// <summary>x @ Wᵀ + b for an nn.Linear named <paramref name="prefix"/>, on the last axis.</summary>
    public string Linear(string x, string prefix)
    {
        var weight = weights[prefix + ".weight"];
        string w = graph.Initializer(prefix + ".weight_t", ExportWeights.Transposed(weight), weight.Shape[1], weight.Shape[0]);
        string y = graph.Node("MatMul", [x, w]);
        return weights.Contains(prefix + ".bias")
            ? graph.Node("Add", [y, graph.Initializer(prefix + ".bias", weights[prefix + ".bias"].Values, weight.Shape[0])])
            : y;
    }

    /// <summary>A linear layer from a slice of rows of a fused weight (the attention's in-projection).</summary>
    public string LinearSlice(string x, string weightKey, string biasKey, int firstRow, int rows)
    {
        var fused = weights[weightKey];
        int columns = (int)fused.Shape[1];
        var slice = new NamedWeight(fused.Values.AsSpan(firstRow * columns, rows * columns).ToArray(), [rows, columns]);
        string w = graph.Initializer($"{weightKey}[{firstRow}:{firstRow + rows}]_t", ExportWeights.Transposed(slice), columns, rows);
        string b = graph.Initializer($"{biasKey}[{firstRow}:{firstRow + rows}]", weights[biasKey].Values.AsSpan(firstRow, rows), rows);
        return graph.Node("Add", [graph.Node("MatMul", [x, w]), b]);
    }

    /// <summary>nn.LayerNorm over the last axis (ONNX LayerNormalization, opset 17), eps 1e-5 as PyTorch's default.</summary>
    public string LayerNorm(string x, string prefix)
    {
        var weight = weights[prefix + ".weight"];
        return graph.Node("LayerNormalization",
            [x, graph.Initializer(prefix + ".weight", weight.Values, weight.Shape), graph.Initializer(prefix + ".bias", weights[prefix + ".bias"].Values, weight.Shape)],
            ("axis", -1L), ("epsilon", 1e-5f));
    }

    /// <summary>
    /// A convolution followed by a frozen batch norm, folded into one Conv: the norm is a fixed per-channel affine
    /// map, scale = γ / √(σ² + ε), shift = β − μ·scale, as the reference's FrozenBatchNorm2d computes it.
    /// </summary>
    public string ConvFrozenBatchNorm(string x, string convKey, string normPrefix, int stride, int padding, int dilation)
    {
        var conv = weights[convKey];
        var gamma = weights[normPrefix + ".weight"].Values;
        var beta = weights[normPrefix + ".bias"].Values;
        var mean = weights[normPrefix + ".running_mean"].Values;
        var variance = weights[normPrefix + ".running_var"].Values;
        int outChannels = (int)conv.Shape[0];
        int perChannel = conv.Values.Length / outChannels;
        var folded = new float[conv.Values.Length];
        var bias = new float[outChannels];
        for (int o = 0; o < outChannels; o++)
        {
            // Same float32 arithmetic as FrozenBatchNorm2d: scale = w * rsqrt(rv + eps).
            float scale = gamma[o] * (1f / MathF.Sqrt(variance[o] + 1e-5f));
            bias[o] = beta[o] - mean[o] * scale;
            for (int k = 0; k < perChannel; k++)
                folded[o * perChannel + k] = conv.Values[o * perChannel + k] * scale;
        }
        long kernel = conv.Shape[2];
        return graph.Node("Conv",
            [x, graph.Initializer(convKey + "_folded", folded, conv.Shape), graph.Initializer(normPrefix + "_folded_bias", bias, outChannels)],
            ("kernel_shape", new[] { kernel, conv.Shape[3] }), ("strides", new long[] { stride, stride }),
            ("pads", new long[] { padding, padding, padding, padding }), ("dilations", new long[] { dilation, dilation }));
    }

    /// <summary>
    /// A plain convolution with bias (the input projections). Stride and padding are written only when not 1 and 0,
    /// so DETR's 1×1 projection stays the node it always was.
    /// </summary>
    public string Conv(string x, string prefix, int stride = 1, int padding = 0)
    {
        var weight = weights[prefix + ".weight"];
        var attributes = new List<(string, object)> { ("kernel_shape", new[] { weight.Shape[2], weight.Shape[3] }) };
        if (stride != 1)
            attributes.Add(("strides", new long[] { stride, stride }));
        if (padding != 0)
            attributes.Add(("pads", new long[] { padding, padding, padding, padding }));
        return graph.Node("Conv",
            [x, graph.Initializer(prefix + ".weight", weight.Values, weight.Shape), graph.Initializer(prefix + ".bias", weights[prefix + ".bias"].Values, weight.Shape[0])],
            attributes.ToArray());
    }

    /// <summary>
    /// nn.GroupNorm over [N,C,H,W] (eps 1e-5): the channels viewed as <paramref name="groups"/> instances normalised by
    /// InstanceNormalization (opset 17 has no GroupNormalization, and opset 18's changed meaning in 21), then the
    /// per-channel affine map.
    /// </summary>
    public string GroupNorm(string x, string prefix, int groups)
    {
        var weight = weights[prefix + ".weight"];
        long channels = weight.Shape[0];
        string grouped = graph.Node("Reshape", [x, graph.Int64s(0, groups, -1)]);
        string normalised = graph.Node("InstanceNormalization",
            [grouped, graph.Initializer(prefix + "_unit_scale", Enumerable.Repeat(1f, groups).ToArray(), groups),
                graph.Initializer(prefix + "_zero_shift", new float[groups], groups)],
            ("epsilon", 1e-5f));
        string restored = graph.Node("Reshape", [normalised, graph.Node("Shape", [x])]);
        string scaled = graph.Node("Mul", [restored, graph.Initializer(prefix + ".weight", weight.Values, channels, 1, 1)]);
        return graph.Node("Add", [scaled, graph.Initializer(prefix + ".bias", weights[prefix + ".bias"].Values, channels, 1, 1)]);
    }

    /// <summary>A transformer layer's feed-forward, linear2(relu(linear1(x))), of the layer <paramref name="layerPrefix"/> (ending in '.').</summary>
    public string FeedForward(string x, string layerPrefix) =>
        Linear(Relu(Linear(x, layerPrefix + "linear1")), layerPrefix + "linear2");

    /// <summary>The reference's 3-layer box MLP (<c>prefix.layers.0..2</c>, ReLU between), before the sigmoid.</summary>
    public string BoxMlp(string x, string prefix)
    {
        string y = Relu(Linear(x, prefix + ".layers.0"));
        y = Relu(Linear(y, prefix + ".layers.1"));
        return Linear(y, prefix + ".layers.2");
    }

    public string Relu(string x) => graph.Node("Relu", [x]);

    public string Add(string a, string b) => graph.Node("Add", [a, b]);
}

namespace Detr.Training.Export;

/// <summary>
/// DETR's encoder-decoder transformer as ONNX, batch first ([N, L, C]). Positional encodings go into queries and keys
/// of every layer, never values; object queries into every decoder layer; the key-padding mask becomes −∞ before the
/// softmax. Post-norm by default, pre-norm when the model was built so.
/// </summary>
sealed class OnnxTransformerExport(OnnxLayers layers, int hiddenDim, int heads, bool preNorm)
{
    readonly OnnxGraphBuilder _g = layers.Graph;
    readonly int _headDim = hiddenDim / heads;

    /// <summary>Runs the encoder over <paramref name="source"/> and returns the memory [N, HW, C].</summary>
    public string Encode(string source, string position, string keyPaddingBias)
    {
        int count = layers.Weights.CountChildren("transformer.encoder.layers.");
        string x = source;
        for (int i = 0; i < count; i++)
        {
            string p = $"transformer.encoder.layers.{i}.";
            if (preNorm)
            {
                string n = layers.LayerNorm(x, p + "norm1");
                string q = layers.Add(n, position);
                x = layers.Add(x, Attention(p + "self_attn", q, q, n, keyPaddingBias));
                x = layers.Add(x, FeedForward(p, layers.LayerNorm(x, p + "norm2")));
            }
            else
            {
                string q = layers.Add(x, position);
                x = layers.LayerNorm(layers.Add(x, Attention(p + "self_attn", q, q, x, keyPaddingBias)), p + "norm1");
                x = layers.LayerNorm(layers.Add(x, FeedForward(p, x)), p + "norm2");
            }
        }
        return layers.Weights.Contains("transformer.encoder.norm.weight") ? layers.LayerNorm(x, "transformer.encoder.norm") : x;
    }

    /// <summary>Runs the decoder from zero targets with the learned object queries; returns the final normed output [N, Q, C].</summary>
    public string Decode(string memory, string position, string keyPaddingBias, string batchSize)
    {
        var queryWeights = layers.Weights["query_embed.weight"];
        int queries = (int)queryWeights.Shape[0];
        string shape = _g.Node("Concat", [_g.Node("Unsqueeze", [batchSize, _g.Int64s(0)]), _g.Int64s(queries, hiddenDim)], ("axis", 0L));
        string queryPosition = _g.Node("Expand", [_g.Initializer("query_embed", queryWeights.Values, 1, queries, hiddenDim), shape]);
        string target = _g.Node("Mul", [queryPosition, _g.Float(0f)]); // zeros of the same shape
        int count = layers.Weights.CountChildren("transformer.decoder.layers.");
        for (int i = 0; i < count; i++)
        {
            string p = $"transformer.decoder.layers.{i}.";
            string keys = layers.Add(memory, position);
            if (preNorm)
            {
                string n = layers.LayerNorm(target, p + "norm1");
                string q = layers.Add(n, queryPosition);
                target = layers.Add(target, Attention(p + "self_attn", q, q, n, null));
                n = layers.LayerNorm(target, p + "norm2");
                target = layers.Add(target, Attention(p + "multihead_attn", layers.Add(n, queryPosition), keys, memory, keyPaddingBias));
                target = layers.Add(target, FeedForward(p, layers.LayerNorm(target, p + "norm3")));
            }
            else
            {
                string q = layers.Add(target, queryPosition);
                target = layers.LayerNorm(layers.Add(target, Attention(p + "self_attn", q, q, target, null)), p + "norm1");
                target = layers.LayerNorm(layers.Add(target,
                    Attention(p + "multihead_attn", layers.Add(target, queryPosition), keys, memory, keyPaddingBias)), p + "norm2");
                target = layers.LayerNorm(layers.Add(target, FeedForward(p, target)), p + "norm3");
            }
        }
        return layers.LayerNorm(target, "transformer.decoder.norm");
    }

    string FeedForward(string prefix, string x) =>
        layers.Linear(layers.Relu(layers.Linear(x, prefix + "linear1")), prefix + "linear2");

    // nn.MultiheadAttention with a fused in-projection: softmax(q kᵀ/√d + mask) v per head, then out_proj.
    string Attention(string prefix, string query, string key, string value, string? keyPaddingBias)
    {
        string q = SplitHeads(layers.LinearSlice(query, prefix + ".in_proj_weight", prefix + ".in_proj_bias", 0, hiddenDim));
        string k = SplitHeads(layers.LinearSlice(key, prefix + ".in_proj_weight", prefix + ".in_proj_bias", hiddenDim, hiddenDim));
        string v = SplitHeads(layers.LinearSlice(value, prefix + ".in_proj_weight", prefix + ".in_proj_bias", 2 * hiddenDim, hiddenDim));
        q = _g.Node("Mul", [q, _g.Float(1f / MathF.Sqrt(_headDim))]); // PyTorch scales q before the product
        string scores = _g.Node("MatMul", [q, _g.Node("Transpose", [k], ("perm", new long[] { 0, 1, 3, 2 }))]); // [N,h,Lq,Lk]
        if (keyPaddingBias is not null)
            scores = _g.Node("Add", [scores, keyPaddingBias]);
        string attended = _g.Node("MatMul", [_g.Node("Softmax", [scores], ("axis", -1L)), v]); // [N,h,Lq,d]
        string merged = _g.Node("Reshape", [_g.Node("Transpose", [attended], ("perm", new long[] { 0, 2, 1, 3 })), _g.Int64s(0, 0, hiddenDim)]);
        return layers.Linear(merged, prefix + ".out_proj");
    }

    string SplitHeads(string x) => _g.Node("Transpose",
        [_g.Node("Reshape", [x, _g.Int64s(0, 0, heads, _headDim)])], ("perm", new long[] { 0, 2, 1, 3 }));
}

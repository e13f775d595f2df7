namespace Detr.Training.Export;

/// <summary>
/// DETR's encoder-decoder transformer as ONNX, batch first ([N, L, C]). Positional encodings go into queries and keys
/// of every layer, never values; object queries into every decoder layer; the key-padding mask becomes −∞ before the
/// softmax. Post-norm by default, pre-norm when the model was built so.
/// </summary>
sealed class OnnxTransformerExport(OnnxLayers layers, int hiddenDim, int heads, bool preNorm)
{
    readonly OnnxGraphBuilder _g = layers.Graph;
    readonly OnnxMultiheadAttention _attention = new(layers, hiddenDim, heads);

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

    string FeedForward(string prefix, string x) => layers.FeedForward(x, prefix);

    string Attention(string prefix, string query, string key, string value, string? keyPaddingBias) =>
        _attention.Build(prefix, query, key, value, keyPaddingBias);
}

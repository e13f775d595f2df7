namespace Detr.Training.Export;

/// <summary>
/// PyTorch's nn.MultiheadAttention as ONNX, batch first ([N, L, C]): the fused in-projection split into q, k, v,
/// softmax(q kᵀ/√d + mask) v per head, then <c>out_proj</c>. DETR's transformer and Deformable DETR's decoder
/// self-attention both use it.
/// </summary>
sealed class OnnxMultiheadAttention(OnnxLayers layers, int hiddenDim, int heads)
{
    readonly OnnxGraphBuilder _g = layers.Graph;
    readonly int _headDim = hiddenDim / heads;

    /// <summary>
    /// Attention of the module <paramref name="prefix"/>; <paramref name="keyPaddingBias"/> ([N,1,1,Lk], 0 or −∞) is
    /// added to the scores when given.
    /// </summary>
    public string Build(string prefix, string query, string key, string value, string? keyPaddingBias)
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

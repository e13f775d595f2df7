namespace Detr.Training.Export.Deformable;

/// <summary>
/// The reference's <c>DeformableTransformerDecoder</c> and its box heads as ONNX: per layer, self-attention among the
/// queries (norm2), deformable cross-attention to the memory around each query's reference point scaled into every
/// level by the valid ratios (norm1), the feed-forward (norm3). With box refinement each layer's <c>bbox_embed.i</c>
/// moves the reference box in inverse-sigmoid space before the next layer; without, the reference stays and only the
/// last layer's box head is applied. The reference's detach has no effect on inference, so it has no node.
/// </summary>
sealed class OnnxDeformableDecoder(OnnxLayers layers, OnnxFeatureLevels levels, OnnxDeformableAttention crossAttention,
    OnnxMultiheadAttention selfAttention, int points, bool boxRefine)
{
    readonly OnnxGraphBuilder _g = layers.Graph;

    /// <summary>
    /// Runs the layers from <paramref name="target"/> [N,Q,E] with <paramref name="queryPosition"/> [N,Q,E] and the
    /// initial <paramref name="reference"/> [N,Q,<paramref name="referenceWidth"/>] (sigmoid space). Returns the last
    /// layer's queries [N,Q,E] and the final boxes [N,Q,4] (normalised cx, cy, w, h).
    /// </summary>
    public (string Hidden, string Boxes) Decode(string target, string queryPosition, string reference, int referenceWidth, string memory)
    {
        int count = layers.Weights.CountChildren("transformer.decoder.layers.");
        string output = target;
        for (int i = 0; i < count; i++)
        {
            string p = $"transformer.decoder.layers.{i}.";
            string ratios = referenceWidth == 4 ? _g.Node("Concat", [levels.ValidRatios, levels.ValidRatios], ("axis", -1L)) : levels.ValidRatios;
            string scaled = _g.Node("Mul", [_g.Node("Unsqueeze", [reference, _g.Int64s(2)]), _g.Node("Unsqueeze", [ratios, _g.Int64s(1)])]); // [N,Q,levels,2|4]

            string q = layers.Add(output, queryPosition);
            output = layers.LayerNorm(layers.Add(output, selfAttention.Build(p + "self_attn", q, q, output, null)), p + "norm2");
            string attended = crossAttention.Build(p + "cross_attn", layers.Add(output, queryPosition), scaled, referenceWidth, memory, points);
            output = layers.LayerNorm(layers.Add(output, attended), p + "norm1");
            output = layers.LayerNorm(layers.Add(output, layers.FeedForward(output, p)), p + "norm3");

            // The last layer's box is its head applied to the reference it started from: with refinement that is the
            // refined reference itself, so it is computed once.
            if (boxRefine || i == count - 1)
            {
                reference = Refine(_g, layers.BoxMlp(output, $"bbox_embed.{i}"), reference, referenceWidth);
                referenceWidth = 4;
            }
        }
        return (output, reference);
    }

    /// <summary>
    /// sigmoid(delta + inverse_sigmoid(reference)): a box reference moves in all four coordinates, a point reference in
    /// its centre only (w, h are then the head's own). Returns [N,Q,4].
    /// </summary>
    public static string Refine(OnnxGraphBuilder g, string delta, string reference, int referenceWidth)
    {
        string logits = InverseSigmoid(g, reference);
        if (referenceWidth == 4)
            return g.Node("Sigmoid", [g.Node("Add", [delta, logits])]);
        string centre = g.Node("Slice", [delta, g.Int64s(0), g.Int64s(2), g.Int64s(-1)]);
        string size = g.Node("Slice", [delta, g.Int64s(2), g.Int64s(4), g.Int64s(-1)]);
        return g.Node("Sigmoid", [g.Node("Concat", [g.Node("Add", [centre, logits]), size], ("axis", -1L))]);
    }

    /// <summary>The reference's inverse_sigmoid: log(x / (1 − x)) with x clamped to [0, 1] and both terms to at least 1e-5.</summary>
    public static string InverseSigmoid(OnnxGraphBuilder g, string x)
    {
        string clamped = g.Node("Clip", [x, g.Float(0f), g.Float(1f)]);
        string numerator = g.Node("Max", [clamped, g.Float(1e-5f)]);
        string denominator = g.Node("Max", [g.Node("Sub", [g.Float(1f), clamped]), g.Float(1e-5f)]);
        return g.Node("Log", [g.Node("Div", [numerator, denominator])]);
    }
}

using Detr.Training.Export.Onnx;
using Detr.Training.Modeling.Deformable;

namespace Detr.Training.Export.Deformable;

/// <summary>
/// Two-stage Deformable DETR's queries from the encoder as ONNX (the reference's <c>gen_encoder_output_proposals</c>,
/// the top-k and <c>get_proposal_pos_embed</c>): one proposal per token, centred on its pixel and 0.05·2^level wide,
/// masked to +∞ on padding or near the border; the encoder's class and box heads (<c>class_embed</c>/<c>bbox_embed</c>
/// after the decoder's) score and move them; the <c>queries</c> best by the first (or, DINO's, the best) class logit become the decoder's
/// reference boxes, and their sine embedding through <c>pos_trans</c> its query position and content.
/// TopK needs at least as many tokens as queries; the reference's <c>torch.topk</c> fails on such images too.
/// </summary>
sealed class OnnxEncoderProposals(OnnxLayers layers, OnnxFeatureLevels levels, int hiddenDim, int queries, int decoderLayers, ProposalSelection selection)
{
    readonly OnnxGraphBuilder _g = layers.Graph;

    /// <summary>The decoder's content queries and query positions [N,Q,E], and its reference boxes [N,Q,4].</summary>
    public (string Target, string QueryPosition, string Reference) Select(string memory)
    {
        var (proposals, invalid) = Proposals();
        string masked = _g.Node("Where", [invalid, _g.Float(0f), memory]);
        string encoded = layers.LayerNorm(layers.Linear(masked, "transformer.enc_output"), "transformer.enc_output_norm");
        string classLogits = layers.Linear(encoded, $"class_embed.{decoderLayers}");
        string boxLogits = _g.Node("Add", [layers.BoxMlp(encoded, $"bbox_embed.{decoderLayers}"), proposals]); // [N,S,4]

        string score = selection == ProposalSelection.BestClass
            ? _g.Node("ReduceMax", [classLogits], ("axes", new long[] { 2 }), ("keepdims", 0L)) // [N,S]; axes an attribute until opset 18
            : _g.Node("Gather", [classLogits, _g.Int64(0)], ("axis", 2L));
        var top = _g.Node("TopK", [score, _g.Int64s(queries)], [_g.UniqueName("topk_values"), _g.UniqueName("topk_indices")],
            ("axis", 1L), ("largest", 1L), ("sorted", 1L));
        string indices = _g.Node("Expand", [_g.Node("Unsqueeze", [top[1], _g.Int64s(-1)]), _g.Int64s(1, 1, 4)]);
        string topBoxLogits = _g.Node("GatherElements", [boxLogits, indices], ("axis", 1L)); // [N,Q,4]

        string embedded = PositionEmbedding(topBoxLogits);
        string queryEmbedding = layers.LayerNorm(layers.Linear(embedded, "transformer.pos_trans"), "transformer.pos_trans_norm"); // [N,Q,2E]
        string queryPosition = _g.Node("Slice", [queryEmbedding, _g.Int64s(0), _g.Int64s(hiddenDim), _g.Int64s(-1)]);
        string target = _g.Node("Slice", [queryEmbedding, _g.Int64s(hiddenDim), _g.Int64s(2 * hiddenDim), _g.Int64s(-1)]);
        return (target, queryPosition, _g.Node("Sigmoid", [topBoxLogits]));
    }

    // Proposals [N,S,4] in inverse-sigmoid space (+∞ where invalid) and the invalid tokens [N,S,1] (bool).
    (string Proposals, string Invalid) Proposals()
    {
        var perLevel = new List<string>();
        for (int l = 0; l < levels.Count; l++)
        {
            var level = levels.Levels[l];
            string batch = _g.Node("Shape", [level.ValidMask], ("start", 0L), ("end", 1L));
            string gridShape = _g.Node("Concat", [batch, OnnxFeatureLevels.Vector(_g, level.Height), OnnxFeatureLevels.Vector(_g, level.Width)], ("axis", 0L));
            // (index + 0.5) / valid count, per image: x along the row, y down the column.
            string Centres(string size, string validCount, long[] axes)
            {
                string centres = _g.Node("Add", [OnnxFeatureLevels.ToFloat(_g, _g.Node("Range", [_g.Int64(0), size, _g.Int64(1)])), _g.Float(0.5f)]);
                string perImage = _g.Node("Div", [_g.Node("Unsqueeze", [centres, _g.Int64s(axes)]), _g.Node("Unsqueeze", [validCount, _g.Int64s(1, 2)])]);
                return _g.Node("Unsqueeze", [_g.Node("Expand", [perImage, gridShape]), _g.Int64s(-1)]); // [N,h,w,1]
            }
            string x = Centres(level.Width, level.ValidColumns, [0, 1]);
            string y = Centres(level.Height, level.ValidRows, [0, 2]);
            float side = (float)(0.05 * Math.Pow(2, l));
            string size = _g.Node("Expand", [_g.Initializer($"proposal_wh[{l}]", [side, side], 2), _g.Node("Concat", [gridShape, _g.Int64s(2)], ("axis", 0L))]);
            perLevel.Add(_g.Node("Reshape", [_g.Node("Concat", [x, y, size], ("axis", -1L)), _g.Int64s(0, -1, 4)]));
        }
        string proposals = _g.Node("Concat", perLevel, ("axis", 1L));
        // A proposal is kept when all four coordinates lie in (0.01, 0.99).
        string inside = _g.Node("And", [_g.Node("Greater", [proposals, _g.Float(0.01f)]), _g.Node("Less", [proposals, _g.Float(0.99f)])]);
        string outsideCount = _g.Node("ReduceSum", [OnnxFeatureLevels.ToFloat(_g, _g.Node("Not", [inside])), _g.Int64s(-1)], ("keepdims", 1L));
        string padding = _g.Node("Unsqueeze", [_g.Node("Not", [_g.Node("Cast", [levels.ValidTokens], ("to", (long)TensorProto.Types.DataType.Bool))]), _g.Int64s(-1)]);
        string invalid = _g.Node("Or", [padding, _g.Node("Greater", [outsideCount, _g.Float(0f)])]);
        string logits = _g.Node("Log", [_g.Node("Div", [proposals, _g.Node("Sub", [_g.Float(1f), proposals])])]);
        return (_g.Node("Where", [invalid, _g.Float(float.PositiveInfinity), logits]), invalid);
    }

    // The sine embedding of boxes [N,Q,4] (inverse-sigmoid space): sigmoid·2π over dim_t per coordinate, sine and cosine
    // interleaved, hidden/2 channels per coordinate (the reference fixes 128 for its 256-wide model) → [N,Q,2E].
    string PositionEmbedding(string boxLogits)
    {
        string angles = _g.Node("Mul", [_g.Node("Sigmoid", [boxLogits]), _g.Float(2 * MathF.PI)]);
        string pairs = OnnxPositionEmbeddingExport.SinCosPairs(_g, angles, OnnxPositionEmbeddingExport.Frequencies(_g, hiddenDim / 2));
        return _g.Node("Reshape", [pairs, _g.Int64s(0, 0, -1)]);
    }
}

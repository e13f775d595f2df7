using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable;

/// <summary>
/// The reference's <c>MSDeformAttn</c>: each query looks at <c>points</c> sampled locations per head and level around
/// its reference point, with offsets (<c>sampling_offsets</c>) and weights (<c>attention_weights</c>, softmax over
/// levels × points) predicted from the query, over the projected values (<c>value_proj</c>) of every level; then
/// <c>output_proj</c>. Sampling is bilinear <c>grid_sample</c> as the reference's pure-PyTorch path.
/// </summary>
public sealed class MultiScaleDeformableAttention : nn.Module
{
    readonly Linear sampling_offsets, attention_weights, value_proj, output_proj;
    readonly int _model, _levels, _heads, _points;
    static readonly Scalar Zero = 0.0.ToScalar(), Half = 0.5.ToScalar();
    readonly Scalar _inversePoints;

    /// <summary>Attention over <paramref name="levels"/> levels of <paramref name="model"/> channels.</summary>
    public MultiScaleDeformableAttention(int model, int levels, int heads, int points) : base(nameof(MultiScaleDeformableAttention))
    {
        if (model % heads != 0)
            throw new ArgumentException($"Width {model} is not divisible by {heads} heads.");
        (_model, _levels, _heads, _points) = (model, levels, heads, points);
        _inversePoints = (1.0 / points).ToScalar();
        sampling_offsets = nn.Linear(model, heads * levels * points * 2);
        attention_weights = nn.Linear(model, heads * levels * points);
        value_proj = nn.Linear(model, model);
        output_proj = nn.Linear(model, model);
        RegisterComponents();
        ResetParameters();
    }

    /// <summary>The reference's start: offsets on a ring (one direction per head, 1…points steps out), uniform attention.</summary>
    public void ResetParameters()
    {
        using var _ = no_grad();
        nn.init.zeros_(sampling_offsets.weight!);
        var ring = new float[_heads * _levels * _points * 2];
        for (int h = 0; h < _heads; h++)
        {
            double theta = h * (2.0 * Math.PI / _heads);
            double x = Math.Cos(theta), y = Math.Sin(theta);
            double scale = Math.Max(Math.Abs(x), Math.Abs(y));
            for (int l = 0; l < _levels; l++)
                for (int p = 0; p < _points; p++)
                {
                    int at = ((h * _levels + l) * _points + p) * 2;
                    ring[at] = (float)(x / scale * (p + 1));
                    ring[at + 1] = (float)(y / scale * (p + 1));
                }
        }
        sampling_offsets.bias!.copy_(tensor(ring));
        nn.init.zeros_(attention_weights.weight!);
        nn.init.zeros_(attention_weights.bias!);
        nn.init.xavier_uniform_(value_proj.weight!);
        nn.init.zeros_(value_proj.bias!);
        nn.init.xavier_uniform_(output_proj.weight!);
        nn.init.zeros_(output_proj.bias!);
    }

    /// <summary>
    /// Attends <paramref name="query"/> [B,Lq,E] to <paramref name="input"/> [B,S,E] (the levels flattened in order).
    /// <paramref name="referencePoints"/> is [B,Lq,levels,2] (normalised x,y) or [B,Lq,levels,4] (boxes cx,cy,w,h:
    /// offsets then scale with half the box over the points); <paramref name="paddingMask"/> [B,S] true on padding.
    /// </summary>
    public Tensor Forward(Tensor query, Tensor referencePoints, Tensor input, FeatureLevels levels, Tensor? paddingMask)
    {
        using var scope = NewDisposeScope();
        long batch = query.shape[0], queries = query.shape[1], tokens = input.shape[1];
        var value = value_proj.forward(input);
        if (paddingMask is not null)
            value = value.masked_fill(paddingMask.unsqueeze(-1), Zero);
        value = value.view(batch, tokens, _heads, _model / _heads);
        var offsets = sampling_offsets.forward(query).view(batch, queries, _heads, _levels, _points, 2);
        var weights = attention_weights.forward(query).view(batch, queries, _heads, _levels * _points).softmax(-1)
            .view(batch, queries, _heads, _levels, _points);
        Tensor locations;
        if (referencePoints.shape[^1] == 2)
        {
            // offsets are in pixels of each level: divide by (W, H)
            var normaliser = tensor(levels.Shapes.SelectMany(s => new float[] { s.Width, s.Height }).ToArray(), [levels.Count, 2],
                device: query.device).to(query.dtype);
            locations = referencePoints.view(batch, queries, 1, _levels, 1, 2)
                .Plus(offsets / normaliser.view(1, 1, 1, _levels, 1, 2));
        }
        else if (referencePoints.shape[^1] == 4)
        {
            var centre = referencePoints[.., .., TensorIndex.None, .., TensorIndex.None, TensorIndex.Slice(0, 2)];
            var size = referencePoints[.., .., TensorIndex.None, .., TensorIndex.None, TensorIndex.Slice(2, 4)];
            locations = centre.Plus(offsets * _inversePoints * size * Half);
        }
        else
            throw new ArgumentException($"Reference points must end in 2 or 4 coordinates; got {referencePoints.shape[^1]}.");
        var sampled = Sample(value, levels, locations, weights);
        return output_proj.forward(sampled).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The sampling core (the reference's <c>ms_deform_attn_core_pytorch</c>): value [B,S,heads,D], locations
    /// [B,Lq,heads,levels,points,2] in [0,1], weights [B,Lq,heads,levels,points] → [B,Lq,heads·D]. Bilinear, zero outside
    /// the map, <c>align_corners=False</c> on the grid 2·location − 1.
    /// </summary>
    public static Tensor Sample(Tensor value, FeatureLevels levels, Tensor locations, Tensor weights)
    {
        using var scope = NewDisposeScope();
        long batch = value.shape[0], heads = value.shape[2], depth = value.shape[3];
        long queries = locations.shape[1], levelCount = locations.shape[3], points = locations.shape[4];
        var perLevel = value.split(levels.TokenCounts, 1);
        var grids = (locations * Two).Plus(MinusOne);
        var sampled = new Tensor[levels.Count];
        for (int l = 0; l < levels.Count; l++)
        {
            var (h, w) = levels.Shapes[l];
            // [B, HW, heads, D] → [B·heads, D, H, W]
            var map = perLevel[l].flatten(2).transpose(1, 2).reshape(batch * heads, depth, h, w);
            // [B, Lq, heads, P, 2] → [B·heads, Lq, P, 2]
            var grid = grids[.., .., .., l].transpose(1, 2).flatten(0, 1);
            sampled[l] = nn.functional.grid_sample(map, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false);
        }
        var attention = weights.transpose(1, 2).reshape(batch * heads, 1, queries, levelCount * points);
        var output = (stack(sampled, -2).flatten(-2) * attention).sum(-1).view(batch, heads * depth, queries);
        return output.transpose(1, 2).contiguous().MoveToOuterDisposeScope();
    }

    static readonly Scalar Two = 2.0.ToScalar(), MinusOne = (-1.0).ToScalar();
}

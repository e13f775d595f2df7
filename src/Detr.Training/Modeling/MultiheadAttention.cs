using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>
/// PyTorch's nn.MultiheadAttention (fused <c>in_proj_weight</c>/<c>in_proj_bias</c>, <c>out_proj</c>, dropout on the
/// attention weights), batch first [B, L, E]. Written out so the weights load by the reference's names on any
/// TorchSharp version and the ONNX exporter can mirror it exactly.
/// </summary>
public sealed class MultiheadAttention : nn.Module<Tensor, Tensor, Tensor, Tensor?, Tensor>
{
    readonly Parameter in_proj_weight, in_proj_bias;
    readonly Linear out_proj;
    readonly nn.Module<Tensor, Tensor> dropout;
    readonly int _embed, _heads;
    static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();

    /// <summary>Attention over <paramref name="embed"/> channels in <paramref name="heads"/> heads.</summary>
    public MultiheadAttention(int embed, int heads, double dropoutRate) : base(nameof(MultiheadAttention))
    {
        _embed = embed;
        _heads = heads;
        in_proj_weight = new Parameter(empty(3 * embed, embed));
        in_proj_bias = new Parameter(zeros(3 * embed));
        out_proj = nn.Linear(embed, embed);
        dropout = nn.Dropout(dropoutRate);
        RegisterComponents();
        nn.init.xavier_uniform_(in_proj_weight);
        nn.init.zeros_(out_proj.bias!);
    }

    /// <summary>Attends <paramref name="query"/> [B,Lq,E] to <paramref name="key"/>/<paramref name="value"/> [B,Lk,E]; padding [B,Lk] true is ignored.</summary>
    public override Tensor forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask)
    {
        using var scope = NewDisposeScope();
        var weights = in_proj_weight.chunk(3, 0);
        var biases = in_proj_bias.chunk(3, 0);
        int headDim = _embed / _heads;
        using var scaling = Math.Pow(headDim, -0.5).ToScalar(); // held until the product is done (see FrozenBatchNorm2d)
        var q = SplitHeads(nn.functional.linear(query, weights[0], biases[0]), headDim) * scaling;
        var k = SplitHeads(nn.functional.linear(key, weights[1], biases[1]), headDim);
        var v = SplitHeads(nn.functional.linear(value, weights[2], biases[2]), headDim);
        var scores = matmul(q, k.transpose(-2, -1)); // [B,h,Lq,Lk]
        if (keyPaddingMask is not null)
            scores = scores.masked_fill(keyPaddingMask.unsqueeze(1).unsqueeze(2), NegativeInfinity);
        var attention = dropout.forward(scores.softmax(-1));
        var merged = matmul(attention, v).transpose(1, 2).reshape(query.shape[0], query.shape[1], _embed);
        return out_proj.forward(merged).MoveToOuterDisposeScope();
    }

    Tensor SplitHeads(Tensor x, int headDim) => x.reshape(x.shape[0], x.shape[1], _heads, headDim).transpose(1, 2);
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>
/// One encoder layer: self-attention with the position embedding added to queries and keys (not values), then a ReLU
/// feed-forward; residual + LayerNorm after each (post-norm) or LayerNorm before each (pre-norm).
/// </summary>
public sealed class TransformerEncoderLayer : nn.Module<Tensor, Tensor?, Tensor, Tensor>
{
    readonly MultiheadAttention self_attn;
    readonly Linear linear1, linear2;
    readonly LayerNorm norm1, norm2;
    readonly nn.Module<Tensor, Tensor> dropout, dropout1, dropout2;
    readonly bool _preNorm;

    /// <summary>A layer of the given sizes.</summary>
    public TransformerEncoderLayer(DetrConfig config) : base(nameof(TransformerEncoderLayer))
    {
        self_attn = new MultiheadAttention(config.HiddenDim, config.Heads, config.Dropout);
        linear1 = nn.Linear(config.HiddenDim, config.FeedForwardDim);
        linear2 = nn.Linear(config.FeedForwardDim, config.HiddenDim);
        norm1 = nn.LayerNorm(config.HiddenDim);
        norm2 = nn.LayerNorm(config.HiddenDim);
        dropout = nn.Dropout(config.Dropout);
        dropout1 = nn.Dropout(config.Dropout);
        dropout2 = nn.Dropout(config.Dropout);
        _preNorm = config.PreNorm;
        RegisterComponents();
    }

    /// <summary>Updates <paramref name="source"/> [B,L,E] given the padding mask [B,L] and position [B,L,E].</summary>
    public override Tensor forward(Tensor source, Tensor? paddingMask, Tensor position)
    {
        using var scope = NewDisposeScope();
        Tensor x = source;
        if (_preNorm)
        {
            var n = norm1.forward(x);
            var q = n.Plus(position);
            x = x.Plus(dropout1.forward(self_attn.forward(q, q, n, paddingMask)));
            n = norm2.forward(x);
            x = x.Plus(dropout2.forward(FeedForward(n)));
        }
        else
        {
            var q = x.Plus(position);
            x = norm1.forward(x.Plus(dropout1.forward(self_attn.forward(q, q, x, paddingMask))));
            x = norm2.forward(x.Plus(dropout2.forward(FeedForward(x))));
        }
        return x.MoveToOuterDisposeScope();
    }

    Tensor FeedForward(Tensor x) => linear2.forward(dropout.forward(nn.functional.relu(linear1.forward(x))));
}

/// <summary>
/// One decoder layer: self-attention among the queries (object queries added to q and k), cross-attention to the
/// encoder memory (position added to its keys), then the feed-forward; post- or pre-norm as the encoder.
/// </summary>
public sealed class TransformerDecoderLayer : nn.Module<Tensor, Tensor, Tensor?, Tensor, Tensor, Tensor>
{
    readonly MultiheadAttention self_attn, multihead_attn;
    readonly Linear linear1, linear2;
    readonly LayerNorm norm1, norm2, norm3;
    readonly nn.Module<Tensor, Tensor> dropout, dropout1, dropout2, dropout3;
    readonly bool _preNorm;

    /// <summary>A layer of the given sizes.</summary>
    public TransformerDecoderLayer(DetrConfig config) : base(nameof(TransformerDecoderLayer))
    {
        self_attn = new MultiheadAttention(config.HiddenDim, config.Heads, config.Dropout);
        multihead_attn = new MultiheadAttention(config.HiddenDim, config.Heads, config.Dropout);
        linear1 = nn.Linear(config.HiddenDim, config.FeedForwardDim);
        linear2 = nn.Linear(config.FeedForwardDim, config.HiddenDim);
        norm1 = nn.LayerNorm(config.HiddenDim);
        norm2 = nn.LayerNorm(config.HiddenDim);
        norm3 = nn.LayerNorm(config.HiddenDim);
        dropout = nn.Dropout(config.Dropout);
        dropout1 = nn.Dropout(config.Dropout);
        dropout2 = nn.Dropout(config.Dropout);
        dropout3 = nn.Dropout(config.Dropout);
        _preNorm = config.PreNorm;
        RegisterComponents();
    }

    /// <summary>Updates <paramref name="target"/> [B,Q,E] against <paramref name="memory"/> [B,L,E].</summary>
    public override Tensor forward(Tensor target, Tensor memory, Tensor? memoryPaddingMask, Tensor position, Tensor queryPosition)
    {
        using var scope = NewDisposeScope();
        Tensor t = target;
        var keys = memory.Plus(position);
        if (_preNorm)
        {
            var n = norm1.forward(t);
            var q = n.Plus(queryPosition);
            t = t.Plus(dropout1.forward(self_attn.forward(q, q, n, null)));
            n = norm2.forward(t);
            t = t.Plus(dropout2.forward(multihead_attn.forward(n.Plus(queryPosition), keys, memory, memoryPaddingMask)));
            n = norm3.forward(t);
            t = t.Plus(dropout3.forward(FeedForward(n)));
        }
        else
        {
            var q = t.Plus(queryPosition);
            t = norm1.forward(t.Plus(dropout1.forward(self_attn.forward(q, q, t, null))));
            t = norm2.forward(t.Plus(dropout2.forward(multihead_attn.forward(t.Plus(queryPosition), keys, memory, memoryPaddingMask))));
            t = norm3.forward(t.Plus(dropout3.forward(FeedForward(t))));
        }
        return t.MoveToOuterDisposeScope();
    }

    Tensor FeedForward(Tensor x) => linear2.forward(dropout.forward(nn.functional.relu(linear1.forward(x))));
}

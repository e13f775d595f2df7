using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Detr.Training.Modeling;

/// <summary>The encoder stack (final norm only with pre-norm, as the reference).</summary>
public sealed class TransformerEncoder : nn.Module<Tensor, Tensor?, Tensor, Tensor>
{
    readonly ModuleList<TransformerEncoderLayer> layers;
    readonly LayerNorm? norm;

    /// <summary>Stack for <paramref name="config"/>.</summary>
    public TransformerEncoder(DetrConfig config) : base(nameof(TransformerEncoder))
    {
        layers = nn.ModuleList(Enumerable.Range(0, config.EncoderLayers).Select(_ => new TransformerEncoderLayer(config)).ToArray());
        if (config.PreNorm)
            norm = nn.LayerNorm(config.HiddenDim);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor source, Tensor? paddingMask, Tensor position)
    {
        using var scope = NewDisposeScope();
        var x = source;
        foreach (var layer in layers)
            x = layer.forward(x, paddingMask, position);
        return (norm?.forward(x) ?? x).MoveToOuterDisposeScope();
    }
}

/// <summary>The decoder stack; returns every layer's output through the shared final norm (for auxiliary losses).</summary>
public sealed class TransformerDecoder : nn.Module<Tensor, Tensor, Tensor?, Tensor, Tensor, Tensor>
{
    readonly ModuleList<TransformerDecoderLayer> layers;
    readonly LayerNorm norm;

    /// <summary>Stack for <paramref name="config"/>.</summary>
    public TransformerDecoder(DetrConfig config) : base(nameof(TransformerDecoder))
    {
        layers = nn.ModuleList(Enumerable.Range(0, config.DecoderLayers).Select(_ => new TransformerDecoderLayer(config)).ToArray());
        norm = nn.LayerNorm(config.HiddenDim);
        RegisterComponents();
    }

    /// <summary>Normed outputs of all layers, stacked [layers, B, Q, E].</summary>
    public override Tensor forward(Tensor target, Tensor memory, Tensor? memoryPaddingMask, Tensor position, Tensor queryPosition)
    {
        using var scope = NewDisposeScope();
        var t = target;
        var intermediate = new List<Tensor>();
        foreach (var layer in layers)
        {
            t = layer.forward(t, memory, memoryPaddingMask, position, queryPosition);
            intermediate.Add(norm.forward(t));
        }
        return stack(intermediate, 0).MoveToOuterDisposeScope();
    }
}

/// <summary>DETR's encoder-decoder transformer (the reference's <c>transformer</c>), batch first.</summary>
public sealed class DetrTransformer : nn.Module<Tensor, Tensor, Tensor, Tensor, Tensor>
{
    readonly TransformerEncoder encoder;
    readonly TransformerDecoder decoder;

    /// <summary>Transformer for <paramref name="config"/>, Xavier-initialised as the reference.</summary>
    public DetrTransformer(DetrConfig config) : base(nameof(DetrTransformer))
    {
        encoder = new TransformerEncoder(config);
        decoder = new TransformerDecoder(config);
        RegisterComponents();
        foreach (var (_, p) in named_parameters())
            if (p.dim() > 1)
                nn.init.xavier_uniform_(p);
    }

    /// <summary>
    /// Decoder outputs [layers, B, Q, E] for projected features <paramref name="source"/> [B,E,h,w], their padding mask
    /// [B,h,w], object queries [Q,E] and position embedding [B,E,h,w].
    /// </summary>
    public override Tensor forward(Tensor source, Tensor paddingMask, Tensor queries, Tensor position)
    {
        using var scope = NewDisposeScope();
        long batch = source.shape[0];
        var flatSource = source.flatten(2).transpose(1, 2); // [B, hw, E]
        var flatPosition = position.flatten(2).transpose(1, 2);
        var flatMask = paddingMask.flatten(1); // [B, hw]
        var queryPosition = queries.unsqueeze(0).expand(batch, -1, -1);
        var target = zeros_like(queryPosition);
        var memory = encoder.forward(flatSource, flatMask, flatPosition);
        return decoder.forward(target, memory, flatMask, flatPosition, queryPosition).MoveToOuterDisposeScope();
    }
}

using static TorchSharp.torch;

namespace Detr.Training.Modeling.Deformable.Denoising;

/// <summary>
/// The denoising queries of one step, laid out as a batch of B·G rows (image b's group g at row b·G + g), each padded
/// to M = the most targets of any image.
/// </summary>
/// <param name="Groups">G, noised copies per image.</param>
/// <param name="Content">Embedded noised labels [B·G,M,E] (the decoder's target).</param>
/// <param name="Position">Query positions from the noised boxes [B·G,M,E].</param>
/// <param name="Reference">Noised boxes [B·G,M,4] (sigmoid space), the queries' reference boxes.</param>
/// <param name="Padding">[B·G,M], true on padding queries (masked as keys in self-attention).</param>
/// <param name="RealQueries">Flat indices into B·G·M of the queries that stand for a target.</param>
/// <param name="Labels">The true label of each real query [N].</param>
/// <param name="Boxes">The true box of each real query [N,4].</param>
public sealed record DenoisingBatch(int Groups, Tensor Content, Tensor Position, Tensor Reference, Tensor Padding,
    Tensor RealQueries, Tensor Labels, Tensor Boxes);

/// <summary>What the decoder made of the denoising queries: every layer's predictions for the real ones, and what they should be.</summary>
/// <param name="Layers">Per decoder layer, the last one last: logits [N,C] and boxes [N,4].</param>
/// <param name="Labels">True labels [N].</param>
/// <param name="Boxes">True boxes [N,4].</param>
public sealed record DenoisingOutputs(IReadOnlyList<(Tensor Logits, Tensor Boxes)> Layers, Tensor Labels, Tensor Boxes);

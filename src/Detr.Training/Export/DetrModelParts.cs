namespace Detr.Training.Export;

/// <summary>
/// The parts of an exported DETR or Deformable DETR graph, as the exporter labels its nodes; a set of them chooses what
/// INT8 export quantizes (<see cref="Quantization.DetrQuantizationOptions.Parts"/>). Nodes of no part (masks,
/// position embeddings, shape arithmetic, the outputs' renaming) are never quantized.
/// </summary>
[Flags]
public enum DetrModelParts
{
    /// <summary>No part.</summary>
    None = 0,

    /// <summary>The ResNet body (stem, four stages; frozen norms folded into its convolutions).</summary>
    Backbone = 1,

    /// <summary><c>input_proj</c>: the 1×1 projection to the transformer's width (Deformable DETR: per level, with GroupNorm and the extra levels).</summary>
    InputProjection = 2,

    /// <summary>The transformer encoder's layers.</summary>
    Encoder = 4,

    /// <summary>How the decoder's queries start: two-stage proposals from the encoder, or the learned queries' reference points.</summary>
    QuerySelection = 8,

    /// <summary>The transformer decoder's layers (self- and cross-attention, feed-forward; Deformable DETR's per-layer box refinement).</summary>
    Decoder = 16,

    /// <summary>The final class and box heads.</summary>
    Heads = 32,

    /// <summary>Every part.</summary>
    All = Backbone | InputProjection | Encoder | QuerySelection | Decoder | Heads,
}

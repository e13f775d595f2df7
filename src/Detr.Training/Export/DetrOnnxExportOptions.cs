using Detr.Training.Export.Quantization;

namespace Detr.Training.Export;

/// <summary>What the ONNX export needs beyond the weights, and what it writes into the model's metadata.</summary>
public sealed record DetrOnnxExportOptions
{
    /// <summary>Attention heads (not recoverable from the weights).</summary>
    public int Heads { get; init; } = 8;

    /// <summary>Whether the last ResNet stage is dilated (DC5).</summary>
    public bool Dilation { get; init; }

    /// <summary>Whether the transformer normalises before each block (pre-norm) instead of after.</summary>
    public bool PreNorm { get; init; }

    /// <summary>Class names written to the <c>detr.labels</c> metadata, one per class (no-object excluded).</summary>
    public IReadOnlyList<string>? LabelNames { get; init; }

    /// <summary>Short-side resize the model expects (metadata for the scorer).</summary>
    public int ShortestEdge { get; init; } = 800;

    /// <summary>Long-side cap the model expects (metadata for the scorer).</summary>
    public int LongestEdge { get; init; } = 1333;

    /// <summary>ONNX opset; 17 is the first with LayerNormalization, which ONNX Runtime fuses well.</summary>
    public int Opset { get; init; } = 17;

    /// <summary>Float32 (default), Float16 (GPU) or Int8 (calibrated QDQ; set <see cref="Quantization"/>).</summary>
    public DetrOnnxPrecision Precision { get; init; } = DetrOnnxPrecision.Float32;

    /// <summary>Calibration images and quantization choices, for <see cref="DetrOnnxPrecision.Int8"/>.</summary>
    public DetrQuantizationOptions? Quantization { get; init; }
}

namespace Detr.Training.Export;

/// <summary>The numeric precision an ONNX export is written in. Inputs and outputs stay float32 in every case.</summary>
public enum DetrOnnxPrecision
{
    /// <summary>Float32 weights and arithmetic (the default).</summary>
    Float32,

    /// <summary>
    /// Float16 weights and arithmetic for GPU execution; masks, position embeddings and shape arithmetic stay float32,
    /// with casts where they meet the network.
    /// </summary>
    Float16,

    /// <summary>
    /// Static INT8 quantization in QDQ form (QuantizeLinear/DequantizeLinear around Conv and MatMul) of the parts
    /// <see cref="Quantization.DetrQuantizationOptions"/> chooses, calibrated on images; needs
    /// <see cref="DetrOnnxExportOptions.Quantization"/>.
    /// </summary>
    Int8,
}

namespace Detr.Training.Export.Quantization;

/// <summary>The integer type of quantized activations (weights are always int8, symmetric per output channel).</summary>
public enum DetrQuantizedActivations
{
    /// <summary>uint8 activations with int8 weights (U8S8), ONNX Runtime's fast path on x86 (VNNI's u8×s8 dot product).</summary>
    UInt8,

    /// <summary>int8 activations with int8 weights (S8S8).</summary>
    Int8,
}

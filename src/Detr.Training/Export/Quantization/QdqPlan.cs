using Detr.Training.Export.Onnx;

namespace Detr.Training.Export.Quantization;

/// <summary>
/// Where QuantizeLinear/DequantizeLinear go in a float32 export, decided from its structure alone (before any
/// calibration): the Conv and MatMul layers whose weights become int8, and the activations that are quantized.
/// </summary>
/// <param name="WeightedNodes">Conv and MatMul nodes of the chosen parts whose weight (input 1) is a float32 initializer, in graph order.</param>
/// <param name="Activations">Quantized activations by value name, in graph order.</param>
sealed record QdqPlan(IReadOnlyList<NodeProto> WeightedNodes, IReadOnlyDictionary<string, QuantizedActivation> Activations)
{
    /// <summary>The activations whose range calibration measures (the rest take another's parameters).</summary>
    public IEnumerable<string> Calibrated => Activations.Values.Where(a => a.ParametersFrom is null).Select(a => a.Name);
}

/// <summary>
/// One quantized activation. The nodes named in <paramref name="Readers"/> read it through a DequantizeLinear; when
/// <paramref name="IntegerProduced"/> (the output of a quantized Conv, residual Add or MaxPool, so ONNX Runtime
/// can run its producer in integers) every reader does, since a float reader beside the QuantizeLinear would stop ONNX
/// Runtime fusing the producer. <paramref name="ParametersFrom"/> names the activation whose scale and zero point it
/// shares (a MaxPool's output its input's, which integer MaxPool needs); null when it has its own.
/// </summary>
sealed record QuantizedActivation(string Name, bool IntegerProduced, string? ParametersFrom, IReadOnlySet<string> Readers);

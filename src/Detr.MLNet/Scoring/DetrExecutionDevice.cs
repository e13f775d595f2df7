namespace Detr.MLNet.Scoring;

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum DetrExecutionDevice
{
    /// <summary>The CPU execution provider (always available).</summary>
    Cpu,

    /// <summary>CUDA when the GPU build of ONNX Runtime is installed; falls back to the CPU with a warning otherwise.</summary>
    Cuda,

    /// <summary>
    /// TensorRT, with CUDA for the operators TensorRT does not take, when the GPU build of ONNX Runtime and TensorRT's
    /// libraries are installed; falls back to CUDA alone, then to the CPU, with a warning at each step.
    /// </summary>
    TensorRt,
}

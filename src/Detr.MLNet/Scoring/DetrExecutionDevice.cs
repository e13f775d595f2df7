namespace Detr.MLNet.Scoring;

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum DetrExecutionDevice
{
    /// <summary>The CPU execution provider (always available).</summary>
    Cpu,

    /// <summary>CUDA when the GPU build of ONNX Runtime is installed; falls back to the CPU with a warning otherwise.</summary>
    Cuda,
}

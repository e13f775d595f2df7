using System.CommandLine;
using Detr.MLNet.Scoring;

namespace Detr.Cli.Commands;

/// <summary><c>--device</c>, shared by the commands that score with ONNX Runtime.</summary>
static class ScoringDeviceOption
{
    public static Option<DetrExecutionDevice> Create() => new("--device")
    {
        Description = "cpu; cuda: ONNX Runtime's CUDA provider where the GPU build is installed (the Detr.MLNet.Gpu package); " +
            "tensorrt: TensorRT with CUDA for the rest, where TensorRT's libraries are installed too. " +
            "What cannot start falls back (TensorRT to CUDA, CUDA to the CPU) with a warning.",
        DefaultValueFactory = _ => DetrExecutionDevice.Cpu,
    };
}

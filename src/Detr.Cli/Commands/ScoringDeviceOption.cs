using System.CommandLine;
using Detr.MLNet.Scoring;

namespace Detr.Cli.Commands;

/// <summary><c>--device</c>, shared by the commands that score with ONNX Runtime.</summary>
static class ScoringDeviceOption
{
    public static Option<DetrExecutionDevice> Create() => new("--device")
    {
        Description = "cpu, or cuda: ONNX Runtime's CUDA provider where the GPU build is installed (the Detr.MLNet.Gpu package); " +
            "without it scoring falls back to the CPU with a warning.",
        DefaultValueFactory = _ => DetrExecutionDevice.Cpu,
    };
}

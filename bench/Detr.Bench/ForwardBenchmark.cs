using Detr.Training.Export;
using Detr.Training.Modeling;
using Detr.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// Eval-mode forward of one image under no_grad, the same random weights and image everywhere: the TorchSharp DETR,
/// the same weights exported by <see cref="DetrOnnxExporter"/> in ONNX Runtime, and Debian's PyTorch running the
/// re-typed reference (bench/baseline/forward.py, which draws the weights and the image). Also checks that the three
/// give the same logits.
/// </summary>
static class ForwardBenchmark
{
    public static int Run(ComparisonSettings settings)
    {
        MachineReport.Print();
        torch.set_num_threads(settings.Threads);
        foreach (var (name, config, height, width) in settings.Cases(["r50"], _ => (800, 1066)))
        {
            Console.WriteLine($"\nforward: {name}, batch 1, {height}×{width}, eval, no_grad, {settings.Threads} threads");
            var bench = new BaselineCase($"forward-{name}-{height}x{width}", settings.Seed, settings.Threads);
            using var python = PythonBaseline.Start("forward.py", bench.Arguments(
                "--config", ReferenceConfigs.ToReferenceJson(config), "--height", height, "--width", width));

            using var scope = NewDisposeScope();
            using var forward = new ForwardCase(bench, new DetrModel(config), settings.Threads);

            var variants = new[]
            {
                TimedVariant.InProcess("TorchSharp", "DetrModel.forward (libtorch)", () => forward.Forward().Logits.Dispose()),
                TimedVariant.InProcess("ORT (ours)", "DetrOnnxExporter's graph in ONNX Runtime, ORT_ENABLE_ALL", () => forward.Ort.Run().Dispose()),
                TimedVariant.InPython("PyTorch", "Debian's torch 1.13, the re-typed reference DETR", python),
            };
            var seconds = InterleavedTimer.Measure(variants, settings.WarmupRounds, settings.Rounds ?? 5, settings.Calls ?? 1);
            ComparisonTable.Print(variants, seconds, baseline: 2);

            var reference = bench.Check()["logits"];
            var ours = forward.Forward().Logits;
            var fromOrt = forward.Ort.Run();
            Console.WriteLine();
            Console.WriteLine($"logits agreement (max |a − b|; largest |logit| {reference.abs().max().item<float>():G4}):");
            Console.WriteLine($"  TorchSharp vs PyTorch  {Agreement.MaxDifference(ours, reference):G3}");
            Console.WriteLine($"  ORT (ours) vs PyTorch  {Agreement.MaxDifference(fromOrt, reference):G3}");
            Console.WriteLine($"  ORT (ours) vs TorchSharp {Agreement.MaxDifference(fromOrt, ours):G3}");
        }
        return 0;
    }
}

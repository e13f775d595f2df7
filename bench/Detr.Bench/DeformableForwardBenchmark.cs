using Detr.Training.Export;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using Detr.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// Deformable DETR's eval-mode forward of one image under no_grad, the same random weights and image everywhere: the
/// TorchSharp model, its export by <see cref="DetrOnnxExporter"/> in ONNX Runtime, and Debian's PyTorch running the
/// reference's own code on its pure-PyTorch sampling path (bench/baseline/deformable_forward.py, which draws the
/// weights and the image). Also checks that the three give the same logits and boxes, and reports peak memory.
/// </summary>
static class DeformableForwardBenchmark
{
    public static int Run(ComparisonSettings settings)
    {
        string reference = settings.RequireDeformableReference();
        MachineReport.Print();
        torch.set_num_threads(settings.Threads);
        foreach (var (name, config, height, width) in settings.Cases(["r50"], DeformableReferenceConfigs.Named, _ => (800, 1066)))
        {
            Console.WriteLine($"\ndeformable-forward: {name} ({config.Summary}), batch 1, {height}×{width}, eval, no_grad, {settings.Threads} threads");
            var bench = new BaselineCase($"deformable-forward-{name}-{height}x{width}", settings.Seed, settings.Threads);
            using var python = PythonBaseline.Start("deformable_forward.py", bench.Arguments(
                "--config", DeformableReferenceConfigs.ToReferenceJson(config), "--height", height, "--width", width, "--reference", reference));

            using var scope = NewDisposeScope();
            using var forward = new ForwardCase(bench, new DeformableDetrModel(config), settings.Threads);

            var variants = new[]
            {
                TimedVariant.InProcess("TorchSharp", "DeformableDetrModel.forward (libtorch, grid_sample sampling)", () => forward.Forward().Logits.Dispose()),
                TimedVariant.InProcess("ORT (ours)", "DetrOnnxExporter's graph (GridSample, opset 17) in ONNX Runtime, ORT_ENABLE_ALL", () => forward.Ort.Run().Dispose()),
                TimedVariant.InPython("PyTorch", "Debian's torch 1.13, the reference's DeformableDETR, ms_deform_attn_core_pytorch", python),
            };
            MemoryTable.Print(variants);
            var seconds = InterleavedTimer.Measure(variants, settings.WarmupRounds, settings.Rounds ?? 5, settings.Calls ?? 1);
            ComparisonTable.Print(variants, seconds, baseline: 2);

            var check = bench.Check();
            var (logits, boxes) = forward.Forward();
            var fromOrt = forward.Ort.Run();
            Console.WriteLine();
            Console.WriteLine($"agreement (max |a − b|; largest |logit| {check["logits"].abs().max().item<float>():G4}):");
            Console.WriteLine($"  logits TorchSharp vs PyTorch   {Agreement.MaxDifference(logits, check["logits"]):G3}");
            Console.WriteLine($"  boxes  TorchSharp vs PyTorch   {Agreement.MaxDifference(boxes, check["boxes"]):G3}");
            Console.WriteLine($"  logits ORT (ours) vs PyTorch   {Agreement.MaxDifference(fromOrt, check["logits"]):G3}");
            Console.WriteLine($"  logits ORT (ours) vs TorchSharp {Agreement.MaxDifference(fromOrt, logits):G3}");
        }
        return 0;
    }
}

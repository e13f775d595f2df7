using Detr.Training.Export;
using Detr.Training.Modeling;
using Detr.Training.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// Scoring speed of two ONNX files of the same architecture and weights in ONNX Runtime with identical settings: the one
/// <see cref="DetrOnnxExporter"/> writes, and the one PyTorch's own torch.onnx.export writes from the re-typed reference
/// (bench/baseline/export_onnx.py; opset 17, dynamic axes). The target: ours within 10% of PyTorch's exporter.
/// </summary>
static class ExportSpeedBenchmark
{
    const double Target = 1.10;

    public static int Run(ComparisonSettings settings)
    {
        MachineReport.Print();
        foreach (var (name, config, height, width) in settings.Cases(["r50"], _ => (800, 1066)))
        {
            Console.WriteLine($"\nexport-speed: {name}, batch 1, {height}×{width}, ONNX Runtime, ORT_ENABLE_ALL, {settings.Threads} intra-op threads");
            var bench = new BaselineCase($"export-speed-{name}", settings.Seed, settings.Threads);
            string theirs = bench.File("torch_onnx_export.onnx"), ours = bench.File("detr_onnx_exporter.onnx");
            PythonBaseline.Run("export_onnx.py", bench.Arguments(
                "--config", ReferenceConfigs.ToReferenceJson(config), "--height", height, "--width", width, "--onnx", theirs));

            using var scope = NewDisposeScope();
            var model = new DetrModel(config);
            DetrWeights.LoadInto(model, bench.Weights);
            model.eval();
            DetrOnnxExporter.Export(model, ours);
            var images = bench.Inputs()["images"];
            var padding = zeros(1, height, width, ScalarType.Bool);
            using var ourSession = new OrtDetrSession(ours, settings.Threads, images, padding);
            using var theirSession = new OrtDetrSession(theirs, settings.Threads, images, padding);
            Console.WriteLine($"files: ours {new FileInfo(ours).Length / 1e6:F1} MB, torch.onnx.export {new FileInfo(theirs).Length / 1e6:F1} MB");
            Tensor ourLogits = ourSession.Run(), theirLogits = theirSession.Run(), torchSharpLogits;
            using (no_grad())
                torchSharpLogits = model.forward(images, padding).Logits;
            Console.WriteLine($"logits agreement (max |a − b|; largest |logit| {torchSharpLogits.abs().max().item<float>():G4}): " +
                $"ours vs torch.onnx.export {Agreement.MaxDifference(ourLogits, theirLogits):G3}, " +
                $"ours vs TorchSharp {Agreement.MaxDifference(ourLogits, torchSharpLogits):G3}, " +
                $"torch.onnx.export vs TorchSharp {Agreement.MaxDifference(theirLogits, torchSharpLogits):G3}");

            var variants = new[]
            {
                TimedVariant.InProcess("DetrOnnxExporter", ours, () => ourSession.Run().Dispose()),
                TimedVariant.InProcess("torch.onnx.export", theirs, () => theirSession.Run().Dispose()),
            };
            var seconds = InterleavedTimer.Measure(variants, settings.WarmupRounds, settings.Rounds ?? 5, settings.Calls ?? 1);
            double ratio = ComparisonTable.Print(variants, seconds, baseline: 1)[0];
            Console.WriteLine($"target: ours within 10% of torch.onnx.export's time (paired ratio ≤ {Target:F2}): {(ratio <= Target ? "met" : "NOT met")}");
            if (settings.ProfileRuns > 0)
                OrtOperatorProfile.Compare("DetrOnnxExporter", ours, "torch.onnx.export", theirs, settings.Threads, images, padding, settings.ProfileRuns);
        }
        return 0;
    }
}

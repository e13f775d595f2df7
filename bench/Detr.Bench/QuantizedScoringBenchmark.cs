using System.Globalization;
using Detr.MLNet;
using Detr.MLNet.Data.Synthetic;
using Detr.MLNet.Evaluation;
using Detr.MLNet.Scoring;
using Detr.Training.Export;
using Detr.Training.Export.Quantization;
using Detr.Training.Modeling;
using Detr.Training.Modeling.Deformable;
using Detr.Training.Trainers;
using Detr.Training.Weights;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// INT8 (and its float32 twin) from the same weights, exported by <see cref="DetrOnnxExporter"/>: speed of each in
/// ONNX Runtime, interleaved in one run on the same threads, at 800×1066 (DETR-R50, random weights) and at the demo's
/// 128×128 (its small Deformable DETR, random weights); and, given a trained checkpoint and a held-out COCO set,
/// AP and AP50 of both through <c>ApplyDetr</c>. Targets: INT8 at least 2× the float32 throughput; AP and AP50 within
/// 1.0 point.
/// </summary>
static class QuantizedScoringBenchmark
{
    const double SpeedTarget = 2.0, AccuracyTarget = 0.01;

    public static int Run(QuantizedScoringSettings settings)
    {
        MachineReport.Print();
        string folder = Path.Combine(RepositoryPaths.Root, "bench", "artifacts", "quantized-scoring");
        Directory.CreateDirectory(folder);
        foreach (string name in settings.Cases)
            Speed(settings, name, folder);
        if (settings.Checkpoint is not null)
            Accuracy(settings);
        return 0;
    }

    static void Speed(QuantizedScoringSettings settings, string name, string folder)
    {
        var (height, width) = name switch
        {
            "r50" => settings.Timing.Size ?? (800, 1066),
            "demo" => (128, 128),
            _ => throw new ArgumentException($"Unknown case '{name}'; use r50 or demo."),
        };
        Console.WriteLine($"\nquantized-scoring: {name}, batch 1, {height}×{width}, ONNX Runtime, ORT_ENABLE_ALL, {settings.Timing.Threads} intra-op threads");
        // Calibration images drawn at 4:3, resized by the scorer to the model's short side as scoring would.
        var drawn = SyntheticShapesDataset.Write(Path.Combine(folder, $"calibration-{name}"), new SyntheticShapesOptions
        {
            ImageCount = settings.CalibrationImages + 1, ValidationFraction = 1.0 / (settings.CalibrationImages + 1),
            Width = width, Height = height, Seed = 15,
        });
        var calibration = CalibrationImageSet.FromFolder(Path.Combine(drawn.Folder, "images"), settings.CalibrationImages);

        using var scope = NewDisposeScope();
        manual_seed(0);
        DetectionTransformer model = name == "r50" ? new DetrModel(new DetrConfig()) : new DeformableDetrModel(DetrRecipes.SmallDeformableModel with { NumClasses = 3 });
        model.eval();
        var export = new DetrOnnxExportOptions { ShortestEdge = Math.Min(height, width), LongestEdge = Math.Max(height, width) };
        var files = new List<(string Name, string Description, string Path)>();
        string fp32 = Path.Combine(folder, $"{name}-fp32.onnx");
        DetrOnnxExporter.Export(model, fp32, export);
        files.Add(("fp32", "float32 export", fp32));
        foreach (var (activations, parts) in Int8Variants(settings))
        {
            string label = Label(settings, activations, parts);
            string path = Path.Combine(folder, $"{name}-{label}.onnx");
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            DetrOnnxExporter.Export(model, path, export with
            {
                Precision = DetrOnnxPrecision.Int8,
                Quantization = new DetrQuantizationOptions
                {
                    CalibrationImages = calibration, Method = settings.Method, Percentile = settings.Percentile, Activations = activations,
                    Parts = parts, IntraOpThreads = settings.Timing.Threads,
                },
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"exported {label}: {parts}, {settings.Method}, {calibration.Count} calibration images, {System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s"));
            files.Add((label, $"INT8 QDQ, {activations} activations, {parts}", path));
        }

        var pixels = new float[3 * height * width];
        var random = new Random(1);
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (float)(random.NextDouble() * 4 - 2);
        var mask = Enumerable.Repeat(1L, height * width).ToArray();
        var sessions = files.Select(f => new RawOnnxRun(f.Path, settings.Timing.Threads, pixels, mask, height, width)).ToList();
        try
        {
            foreach (var (file, session) in files.Zip(sessions).Skip(1))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{file.Name}: {new FileInfo(file.Path).Length / 1e6:F1} MB (fp32 {new FileInfo(fp32).Length / 1e6:F1} MB); " +
                    $"logits max |int8 − fp32| {session.MaxLogitDifference(sessions[0]):G3} (largest |logit| {sessions[0].LargestLogit():G3})"));
            var variants = files.Zip(sessions).Select(p => TimedVariant.InProcess(p.First.Name, p.First.Description, p.Second.Run)).ToList();
            var seconds = InterleavedTimer.Measure(variants, settings.Timing.WarmupRounds, settings.Timing.Rounds ?? 5, settings.Timing.Calls ?? 1);
            var paired = ComparisonTable.Print(variants, seconds, baseline: 0);
            for (int v = 1; v < variants.Count; v++)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"throughput {variants[v].Name} / fp32 ({name}, {height}×{width}): {1 / paired[v]:F2}× paired — target ≥ {SpeedTarget:F1}×: {(1 / paired[v] >= SpeedTarget ? "met" : "NOT met")}"));
        }
        finally
        {
            foreach (var session in sessions)
                session.Dispose();
        }
        if (settings.Timing.ProfileRuns > 0)
            foreach (var file in files.Skip(1))
                OrtOperatorProfile.Compare("fp32", fp32, file.Name, file.Path, settings.Timing.Threads, tensor(pixels).reshape(1, 3, height, width),
                    zeros(1, height, width, ScalarType.Bool), settings.Timing.ProfileRuns);
    }

    static IEnumerable<(DetrQuantizedActivations, DetrModelParts)> Int8Variants(QuantizedScoringSettings settings)
    {
        foreach (var activations in settings.Activations)
            yield return (activations, settings.Parts[0]);
        foreach (var parts in settings.Parts.Skip(1))
            yield return (settings.Activations[0], parts);
    }

    // int8-u8s8, or int8-u8s8-backbone+inputprojection+encoder when several part sets are compared.
    static string Label(QuantizedScoringSettings settings, DetrQuantizedActivations activations, DetrModelParts parts) =>
        $"int8-{(activations == DetrQuantizedActivations.UInt8 ? "u8s8" : "s8s8")}" + (settings.Parts.Length > 1 ? "-" + PartsLabel(parts) : "");

    static string PartsLabel(DetrModelParts parts) => string.Join("+", Enum.GetValues<DetrModelParts>()
        .Where(p => p is not (DetrModelParts.None or DetrModelParts.All) && parts.HasFlag(p)).Select(p => p.ToString().ToLowerInvariant()));

    static void Accuracy(QuantizedScoringSettings settings)
    {
        string data = settings.Data ?? throw new ArgumentException("--checkpoint needs --data (the held-out COCO file).");
        string calibrationSource = settings.Calibration ?? throw new ArgumentException("--checkpoint needs --calibration (images apart from the held-out set).");
        var calibration = CalibrationImageSet.Resolve(calibrationSource, settings.CalibrationFolder, settings.CalibrationImages);
        Console.WriteLine($"\nquantized-scoring accuracy: {settings.Checkpoint} on {data}, calibrated on {calibration.Count} images of {calibrationSource}");
        var (model, labels, _) = DetrWeights.Open(settings.Checkpoint!);
        using (model)
        {
            var ml = new MLContext(seed: 0);
            var heldOut = ml.Data.LoadFromCocoJson(data, settings.Images ?? Path.GetDirectoryName(Path.GetFullPath(data))!);
            var images = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath").Fit(heldOut).Transform(heldOut);
            var export = new DetrOnnxExportOptions { LabelNames = labels, ShortestEdge = settings.ShortestEdge, LongestEdge = settings.LongestEdge };
            var rows = new List<(string Name, CocoMetrics Metrics)>();
            void Evaluate(string name, DetrOnnxExportOptions options)
            {
                byte[] onnx = DetrOnnxExporter.ToBytes(model, options);
                var scorer = ml.Transforms.ApplyDetr(new DetrScoringOptions
                {
                    ModelBytes = onnx, ScoreThreshold = 0, MaxDetections = 100, IntraOpThreads = settings.Timing.Threads,
                    ShortestEdge = options.ShortestEdge, LongestEdge = options.LongestEdge,
                }).Fit(images);
                using (scorer)
                    rows.Add((name, ml.Detection().Evaluate(scorer.Transform(images))));
            }
            Evaluate("fp32", export);
            foreach (var (activations, parts) in Int8Variants(settings))
                Evaluate(Label(settings, activations, parts), export with
                {
                    Precision = DetrOnnxPrecision.Int8,
                    Quantization = new DetrQuantizationOptions
                    {
                        CalibrationImages = calibration, Method = settings.Method, Percentile = settings.Percentile, Activations = activations,
                        Parts = parts, IntraOpThreads = settings.Timing.Threads,
                    },
                });
            Console.WriteLine("\n| model | AP | AP50 | ΔAP (points) | ΔAP50 (points) |\n|---|---:|---:|---:|---:|");
            foreach (var (name, metrics) in rows)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {metrics.AP:F4} | {metrics.AP50:F4} | {(metrics.AP - rows[0].Metrics.AP) * 100:+0.00;-0.00} | {(metrics.AP50 - rows[0].Metrics.AP50) * 100:+0.00;-0.00} |"));
            foreach (var (name, metrics) in rows.Skip(1))
            {
                bool met = Math.Abs(metrics.AP - rows[0].Metrics.AP) <= AccuracyTarget && Math.Abs(metrics.AP50 - rows[0].Metrics.AP50) <= AccuracyTarget;
                Console.WriteLine($"{name}: AP and AP50 drop ≤ 1.0 point: {(met ? "met" : "NOT met")}");
            }
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using Detr.MLNet.Imaging;
using Detr.MLNet.Postprocessing;
using Detr.MLNet.Preprocessing;
using Detr.MLNet.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace Detr.Bench;

sealed class ScoringBenchmarkSettings
{
    public string ModelPath { get; set; } = RepositoryPaths.DefaultModel;
    public int? Images { get; set; }
    public int Iterations { get; set; } = 3;
    public int Threads { get; set; } = 2;
    public string[]? Only { get; set; }

    /// <summary>Cpu: the CPU variants (raw, raw-b2, ours-b1, ours-b2, stock). Cuda or TensorRt: raw loop vs ApplyDetr on that device per batch size.</summary>
    public DetrExecutionDevice Device { get; set; } = DetrExecutionDevice.Cpu;

    /// <summary>Batch sizes of the device variants.</summary>
    public int[] Batches { get; set; } = [1, 4, 8];

    /// <summary>A float16 export of the model (float32 inputs and outputs) to time beside it on the device; null: none.</summary>
    public string? Fp16ModelPath { get; set; }

    public int GpuDeviceId { get; set; }

    /// <summary>Images per iteration: given, else 8 on the CPU and the least common multiple of the batch sizes (at least 16) on a device.</summary>
    public int ImagesPerIteration => Images ?? (Device == DetrExecutionDevice.Cpu ? 8 : Math.Max(16, Batches.Aggregate(1, Lcm)));

    static int Lcm(int a, int b) => a / Gcd(a, b) * b;

    static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}

/// <summary>
/// Images per second of a DETR-R50-sized model at 800×1066, in one process: the raw ONNX Runtime loop (the ceiling),
/// Detr.MLNet's ApplyDetr pipeline (batch 1 and 2), and ML.NET's stock image + ONNX pipeline. Every variant gets the
/// same intra-op thread count and graph optimisation level. Iterations are interleaved across variants (in rotating
/// order), so drift on a shared machine hits all of them alike; the median iteration is reported, and ratios are also
/// taken pairwise within iterations. Run with the test fixture tests/fixtures/scoring/detr_tiny_hf.onnx as --model to
/// see the pipelines' own overhead magnified (the model then costs tens of milliseconds instead of seconds).
/// </summary>
sealed class ScoringBenchmark(ScoringBenchmarkSettings settings)
{
    const GraphOptimizationLevel Optimization = GraphOptimizationLevel.ORT_ENABLE_ALL;
    const int ResizedHeight = 800;
    const int ResizedWidth = 1066;

    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public int Run()
    {
        MachineReport.Print();
        BenchFixtures.EnsureModel(settings.ModelPath);
        Console.WriteLine($"Model: {settings.ModelPath} ({new FileInfo(settings.ModelPath).Length / 1e6:F0} MB)");
        if (settings.Fp16ModelPath is string fp16)
            Console.WriteLine($"Float16 model: {fp16} ({new FileInfo(fp16).Length / 1e6:F0} MB)");
        if (settings.Device != DetrExecutionDevice.Cpu)
        {
            string[] providers = OrtEnv.Instance().GetAvailableProviders();
            Console.WriteLine($"Device: {settings.Device} (GPU {settings.GpuDeviceId}), batch sizes {string.Join(", ", settings.Batches)}; providers: {string.Join(", ", providers)}");
            if (!providers.Contains("CUDAExecutionProvider"))
            {
                Console.Error.WriteLine("This Detr.Bench carries ONNX Runtime's CPU build: build it with -p:DetrGpu=true (bench/gpu/run.sh does) to time a GPU.");
                return 2;
            }
        }

        var folder = Directory.CreateTempSubdirectory("detr-bench-");
        try
        {
            var distinct = BenchFixtures.DrawImages(folder.FullName);
            var paths = Enumerable.Range(0, settings.ImagesPerIteration).Select(i => distinct[i % distinct.Length]).ToArray();
            Console.WriteLine($"Images: {distinct.Length} drawn PNGs of {BenchFixtures.ImageWidth}×{BenchFixtures.ImageHeight} " +
                $"(resized to {ResizedWidth}×{ResizedHeight}) in {folder.FullName}; {paths.Length} per iteration, " +
                $"{settings.Iterations} timed iterations, {settings.Threads} intra-op threads, {Optimization}");
            Console.WriteLine();

            List<IScoringVariant> variants;
            try
            {
                variants = CreateVariants(distinct[0]);
            }
            catch (Exception e) when (e is OnnxRuntimeException or InvalidOperationException && settings.Device != DetrExecutionDevice.Cpu)
            {
                Console.Error.WriteLine($"{settings.Device} cannot start here: {e.Message.Split('\n')[0]}");
                Console.Error.WriteLine("ONNX Runtime GPU 1.32 needs a visible GPU and driver, CUDA 13 and cuDNN 9 on the library path (TensorRT 10 too for tensorrt).");
                return 2;
            }
            try
            {
                var seconds = Measure(variants, paths, distinct);
                Console.WriteLine($"  load average after the timed runs: {MachineReport.LoadAverage()}");
                PrintResults(variants, seconds, paths.Length);
            }
            finally
            {
                foreach (var variant in variants)
                    variant.Dispose();
            }
            if (settings.Device == DetrExecutionDevice.Cpu)
            {
                Console.WriteLine();
                PrintStageCosts(distinct[0]);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
        return 0;
    }

    bool Wanted(string name) => settings.Only is null || settings.Only.Contains(name, StringComparer.OrdinalIgnoreCase);

    List<IScoringVariant> CreateVariants(string samplePath)
    {
        var factories = settings.Device == DetrExecutionDevice.Cpu ? CpuFactories(samplePath) : DeviceFactories(samplePath);
        var variants = new List<IScoringVariant>();
        foreach (var (name, create) in factories.Where(f => Wanted(f.Name)))
        {
            var watch = Stopwatch.StartNew();
            variants.Add(create());
            Console.WriteLine($"  {name,-8} ready in {watch.Elapsed.TotalSeconds:F1} s: {variants[^1].Description}");
        }
        if (variants.Count == 0)
            throw new ArgumentException($"--only selected nothing; choose from {string.Join(", ", factories.Select(f => f.Name))}.");
        return variants;
    }

    /// <summary>Per model (float32, and float16 if given) and batch size: the raw loop on the device and ApplyDetr on it.</summary>
    (string Name, Func<IScoringVariant> Create)[] DeviceFactories(string samplePath)
    {
        string device = settings.Device.ToString().ToLowerInvariant();
        var models = new List<(string Label, string Path)> { (device, settings.ModelPath) };
        if (settings.Fp16ModelPath is string fp16)
            models.Add(($"{device}-fp16", fp16));
        return
        [
            .. from model in models
               from batch in settings.Batches
               from variant in new (string Name, Func<IScoringVariant> Create)[]
               {
                   ($"raw-{model.Label}-b{batch}", () => new RawOrtCudaLoopVariant(model.Path, model.Label, batch, settings.Threads, Optimization,
                       settings.Device, settings.GpuDeviceId, samplePath, ResizedHeight, ResizedWidth)),
                   ($"ours-{model.Label}-b{batch}", () => new DetrPipelineVariant(model.Path, batch, settings.Threads, Optimization, samplePath,
                       settings.Device, model.Label, settings.GpuDeviceId)),
               }
               select variant,
        ];
    }

    (string Name, Func<IScoringVariant> Create)[] CpuFactories(string samplePath) =>
        new (string Name, Func<IScoringVariant> Create)[]
        {
            ("raw", () => new RawOrtLoopVariant(settings.ModelPath, 1, settings.Threads, Optimization, samplePath, ResizedHeight, ResizedWidth)),
            ("raw-b2", () => new RawOrtLoopVariant(settings.ModelPath, 2, settings.Threads, Optimization, samplePath, ResizedHeight, ResizedWidth)),
            ("ours-b1", () => new DetrPipelineVariant(settings.ModelPath, 1, settings.Threads, Optimization, samplePath)),
            ("ours-b2", () => new DetrPipelineVariant(settings.ModelPath, 2, settings.Threads, Optimization, samplePath)),
            ("stock", () => new StockMlNetVariant(settings.ModelPath, settings.Threads, samplePath, BenchFixtures.ImageWidth, BenchFixtures.ImageHeight)),
        };

    List<double>[] Measure(List<IScoringVariant> variants, string[] paths, string[] distinct)
    {
        // Warm-up: two images each (one full batch for BatchSize 2) settle ONNX Runtime's allocations and the JIT. On a
        // device a whole iteration, so every batch shape has been seen (cuDNN's algorithm search, TensorRT's engines).
        var warmup = settings.Device == DetrExecutionDevice.Cpu ? distinct[..2] : paths;
        foreach (var variant in variants)
        {
            var watch = Stopwatch.StartNew();
            variant.Score(warmup);
            Console.WriteLine($"  warm-up {variant.Name,-8} {watch.Elapsed.TotalSeconds / warmup.Length:F3} s/image");
        }
        var seconds = variants.Select(_ => new List<double>()).ToArray();
        for (int iteration = 1; iteration <= settings.Iterations; iteration++)
        {
            // The starting variant rotates, so none always runs right after the same neighbour.
            foreach (int v in Enumerable.Range(0, variants.Count).Select(i => (i + iteration - 1) % variants.Count))
            {
                // Each variant's garbage is collected before its own timed region, not during the next one's.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var watch = Stopwatch.StartNew();
                long kept = variants[v].Score(paths);
                seconds[v].Add(watch.Elapsed.TotalSeconds);
                Console.WriteLine(string.Create(Invariant,
                    $"  iteration {iteration}/{settings.Iterations} {variants[v].Name,-8} {paths.Length / seconds[v][^1],7:F3} images/s{(kept >= 0 ? $" ({kept} detections)" : "")}"));
            }
        }
        return seconds;
    }

    static void PrintResults(List<IScoringVariant> variants, List<double>[] seconds, int images)
    {
        var rates = seconds.Select(s => s.Select(t => images / t).ToArray()).ToArray();
        var medians = rates.Select(Statistics.Median).ToArray();
        Console.WriteLine();
        Console.WriteLine("| variant  | images/s (median) | ms/image | best images/s | min..max images/s |");
        Console.WriteLine("|----------|------------------:|---------:|--------------:|------------------:|");
        for (int v = 0; v < variants.Count; v++)
            Console.WriteLine(string.Create(Invariant,
                $"| {variants[v].Name,-8} | {medians[v],17:F3} | {1000 / medians[v],8:F0} | {rates[v].Max(),13:F3} | {rates[v].Min(),8:F3}..{rates[v].Max(),-8:F3} |"));

        // On a shared machine whole iterations speed up and slow down together, so besides the ratio of the medians the
        // ratio is also taken within each iteration (variants ran back to back) and its median reported: "paired".
        if (variants.Count < 2)
            return;
        Console.WriteLine();
        Console.WriteLine("| ratio                           | of medians | paired (median of per-iteration ratios) | target |");
        Console.WriteLine("|---------------------------------|-----------:|----------------------------------------:|--------|");
        int Find(string name) => variants.FindIndex(v => v.Name == name);
        void Ratio(int a, int b, string target, Func<double, bool>? met)
        {
            if (a < 0 || b < 0)
                return;
            double ofMedians = medians[a] / medians[b];
            double paired = Statistics.Median(rates[a].Zip(rates[b], (x, y) => x / y).ToArray());
            string verdict = met is null ? "" : met(paired) ? $"{target}: met" : $"{target}: NOT met";
            Console.WriteLine(string.Create(Invariant,
                $"| {variants[a].Name + " / " + variants[b].Name,-31} | {ofMedians,10:F3} | {paired,39:F3} | {verdict} |"));
        }
        // On a device: ApplyDetr against the raw loop of the same model and batch size.
        foreach (var ours in variants.Where(v => v.Name.StartsWith("ours-", StringComparison.Ordinal) && v.Name.Count(c => c == '-') >= 2))
            Ratio(variants.IndexOf(ours), Find("raw-" + ours.Name["ours-".Length..]), "≥ 0.9", r => r >= 0.9);
        foreach (string ours in new[] { "ours-b1", "ours-b2" })
        {
            Ratio(Find(ours), Find("raw"), "≥ 0.95", r => r >= 0.95);
            if (ours != "ours-b1")
                Ratio(Find(ours), Find("raw-" + ours["ours-".Length..]), "", null); // ApplyDetr's overhead at equal batch size
            Ratio(Find(ours), Find("stock"), "> 1", r => r > 1);
        }
        Ratio(Find("stock"), Find("raw"), "", null);
    }

    /// <summary>Only the per-stage costs (no model needed): <c>Detr.Bench stages</c>.</summary>
    public static int RunStages()
    {
        MachineReport.Print();
        var folder = Directory.CreateTempSubdirectory("detr-bench-");
        try
        {
            PrintStageCosts(BenchFixtures.DrawImages(folder.FullName)[0]);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
        return 0;
    }

    /// <summary>Per-image costs of the work ApplyDetr does around the ONNX Runtime run, one stage at a time.</summary>
    static void PrintStageCosts(string imagePath)
    {
        const int repeats = 15;
        Console.WriteLine($"Per-image cost of ApplyDetr's own stages (median of {repeats}, single thread, one 640×480 PNG → 1066×800):");
        var normalization = ImageNetNormalization.ImageNet;
        using var decoded = MLImage.CreateFromFile(imagePath);
        var rgb = RgbImage.FromMLImage(decoded);
        var resized = new byte[ResizedHeight * ResizedWidth * 3];
        var planar = new float[3 * ResizedHeight * ResizedWidth];
        var mask = new long[ResizedHeight * ResizedWidth];
        var random = new Random(0);
        var logits = Enumerable.Range(0, 100 * 92).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
        var boxes = Enumerable.Range(0, 100 * 4).Select(_ => (float)random.NextDouble()).ToArray();

        var stages = new (string Name, Action Work)[]
        {
            ("PNG decode (MLImage.CreateFromFile, LoadImages' work)", () => MLImage.CreateFromFile(imagePath).Dispose()),
            ("RGBA → RGB copy (RgbImage.FromMLImage)", () => RgbImage.FromMLImage(decoded)),
            ("PillowBilinearResize.Resize 640×480 → 1066×800", () =>
                PillowBilinearResize.Resize(rgb.Pixels, rgb.Width, rgb.Height, resized, ResizedWidth, ResizedHeight)),
            ("ImageNetNormalization.WritePlanar (→ 3×800×1066 floats)", () =>
                normalization.WritePlanar(resized, ResizedWidth, ResizedHeight, planar, ResizedHeight, ResizedWidth)),
            ("clear pixel buffer + fill int64 mask", () => { Array.Clear(planar); Array.Fill(mask, 1L); }),
            ("DetrPostprocessor.Decode (100 queries × 92)", () =>
                DetrPostprocessor.Decode(logits, boxes, 100, 92, 640, 480, 0.5f, null)),
        };
        double total = 0;
        foreach (var (name, work) in stages)
        {
            work();
            var times = new double[repeats];
            for (int i = 0; i < repeats; i++)
            {
                var watch = Stopwatch.StartNew();
                work();
                times[i] = watch.Elapsed.TotalMilliseconds;
            }
            double median = Statistics.Median(times);
            total += median;
            Console.WriteLine(string.Create(Invariant, $"  {name,-58} {median,8:F2} ms"));
        }
        Console.WriteLine(string.Create(Invariant, $"  {"total outside ONNX Runtime",-58} {total,8:F2} ms"));
    }
}

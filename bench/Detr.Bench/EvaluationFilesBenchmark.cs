using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Detr.MLNet.Evaluation;

namespace Detr.Bench;

/// <summary>Options of <c>evaluation --gt F --dt F</c>.</summary>
sealed class EvaluationFilesSettings
{
    public required string GroundTruth { get; init; }
    public required string Results { get; init; }
    public int Rounds { get; set; } = 5;
    public string? Pycocotools { get; set; }
    public string? Detr { get; set; }
}

/// <summary>
/// <c>detr evaluate --gt --dt</c>'s work in-process, by phase: reading the ground truth, reading the results, the
/// evaluation on lists in memory, and the two together (<see cref="CocoEvaluator.EvaluateFiles"/>); medians over
/// rounds after one warm-up. With --detr, the whole command (process start included) is timed too, interleaved with
/// the in-process rounds. With --pycocotools, pycocotools (bench/baseline/coco_eval.py) evaluates the same files once:
/// its stats and the SHA-256 of its arrays are compared bit for bit, and its phases give the ratios.
/// </summary>
static class EvaluationFilesBenchmark
{
    public static int Run(EvaluationFilesSettings settings)
    {
        Console.WriteLine($"COCO evaluation of files: {settings.GroundTruth} ({new FileInfo(settings.GroundTruth).Length / 1e6:0.0} MB), " +
            $"{settings.Results} ({new FileInfo(settings.Results).Length / 1e6:0.0} MB); {Environment.ProcessorCount} cores, load {MachineReport.LoadAverage()}");
        var phases = new Dictionary<string, List<double>>
        {
            ["read ground truth"] = [],
            ["read results"] = [],
            ["evaluate (in memory)"] = [],
            ["EvaluateFiles (read + evaluate)"] = [],
        };
        if (settings.Detr is not null)
            phases["detr evaluate (process)"] = [];

        CocoMetrics? metrics = null;
        for (int round = 0; round <= settings.Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            CocoGroundTruthFile groundTruth = CocoJsonFiles.ReadGroundTruth(settings.GroundTruth);
            double readGroundTruth = clock.Elapsed.TotalSeconds;
            clock.Restart();
            IReadOnlyList<CocoDetection> results = CocoJsonFiles.ReadResults(settings.Results);
            double readResults = clock.Elapsed.TotalSeconds;
            clock.Restart();
            metrics = new CocoEvaluator().Evaluate(groundTruth.Boxes, results, groundTruth.ImageIds, groundTruth.CategoryIds);
            double evaluate = clock.Elapsed.TotalSeconds;
            groundTruth = null!;
            results = null!;
            clock.Restart();
            CocoMetrics fromFiles = new CocoEvaluator().EvaluateFiles(settings.GroundTruth, settings.Results);
            double evaluateFiles = clock.Elapsed.TotalSeconds;
            if (!fromFiles.Stats.SequenceEqual(metrics.Stats))
                throw new InvalidOperationException("EvaluateFiles and Evaluate disagree.");
            double process = settings.Detr is null ? 0 : TimeProcess(settings);
            if (round == 0)
                continue; // warm-up
            phases["read ground truth"].Add(readGroundTruth);
            phases["read results"].Add(readResults);
            phases["evaluate (in memory)"].Add(evaluate);
            phases["EvaluateFiles (read + evaluate)"].Add(evaluateFiles);
            if (settings.Detr is not null)
                phases["detr evaluate (process)"].Add(process);
            string processText = settings.Detr is null ? "" : string.Create(CultureInfo.InvariantCulture, $", detr evaluate {process:0.000} s");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  round {round}: read gt {readGroundTruth:0.000} s, read results {readResults:0.000} s, evaluate {evaluate:0.000} s, EvaluateFiles {evaluateFiles:0.000} s{processText}"));
        }

        var digests = Digests(metrics!);
        Console.WriteLine($"  AP {metrics!.AP:0.000000}, AP50 {metrics.AP50:0.000000}; precision {digests["precision"][..16]}…, recall {digests["recall"][..16]}…, scores {digests["scores"][..16]}…");
        Console.WriteLine($"  load average after: {MachineReport.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| phase | median s | best s |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (name, seconds) in phases)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Statistics.Median(seconds):0.000} | {seconds.Min():0.000} |"));

        if (settings.Pycocotools is not null)
            return ComparePycocotools(settings, metrics, digests, phases);
        return 0;
    }

    static double TimeProcess(EvaluationFilesSettings settings)
    {
        var start = new ProcessStartInfo(settings.Detr!) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in new[] { "evaluate", "--gt", settings.GroundTruth, "--dt", settings.Results, "--json" })
            start.ArgumentList.Add(argument);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        double seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{settings.Detr} exited with {process.ExitCode}.");
        return seconds;
    }

    static Dictionary<string, string> Digests(CocoMetrics metrics) => new()
    {
        ["precision"] = Digest(metrics.Precision),
        ["recall"] = Digest(metrics.Recall),
        ["scores"] = Digest(metrics.Scores),
    };

    static string Digest(CocoMetricArray array) => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(array.AsSpan())));

    static int ComparePycocotools(EvaluationFilesSettings settings, CocoMetrics metrics, Dictionary<string, string> digests, Dictionary<string, List<double>> phases)
    {
        Console.WriteLine();
        Console.WriteLine("pycocotools (bench/baseline/coco_eval.py, once):");
        var start = new ProcessStartInfo(PythonBaseline.Interpreter) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in new[] { Path.Combine(RepositoryPaths.Root, "bench", "baseline", "coco_eval.py"), "--cocoapi", settings.Pycocotools!,
            "--gt", settings.GroundTruth, "--dt", settings.Results, "--hash", "--json" })
            start.ArgumentList.Add(argument);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        double wall = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"coco_eval.py exited with {process.ExitCode}.");
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var seconds = root.GetProperty("seconds");
        foreach (var phase in seconds.EnumerateObject())
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {phase.Name,-22} {phase.Value.GetDouble(),8:0.000} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  whole process (wall)   {wall,8:0.000} s"));

        var stats = root.GetProperty("stats").EnumerateArray().Select(s => s.GetDouble()).ToArray();
        bool same = stats.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(metrics.Stats.Select(BitConverter.DoubleToInt64Bits))
            && digests.All(d => root.GetProperty(d.Key + "_sha256").GetString() == d.Value);
        Console.WriteLine($"  stats and arrays bit for bit the same as ours: {(same ? "yes" : "NO")}");

        double evaluation = seconds.GetProperty("evaluation_in_process").GetDouble();
        double ours = Statistics.Median(phases["evaluate (in memory)"]);
        double oursFiles = Statistics.Median(phases["EvaluateFiles (read + evaluate)"]);
        double readAndEvaluate = evaluation + seconds.GetProperty("load_gt").GetDouble() + seconds.GetProperty("load_results").GetDouble();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  evaluation (evaluate+accumulate+summarize) pycocotools / ours in memory: {evaluation / ours:0.0}x"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  read + evaluate, pycocotools / ours EvaluateFiles: {readAndEvaluate / oursFiles:0.0}x"));
        if (phases.TryGetValue("detr evaluate (process)", out var process_))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  whole process, pycocotools / detr evaluate: {wall / Statistics.Median(process_):0.0}x"));
        return same ? 0 : 2;
    }
}

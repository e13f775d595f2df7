using System.Globalization;

namespace Detr.Bench;

/// <summary>A small hand-rolled command line: one subcommand and a few <c>--name value</c> options.</summary>
static class BenchCommandLine
{
    const string Usage = """
        Usage: Detr.Bench scoring [options]     images/s of raw ONNX Runtime vs ApplyDetr vs ML.NET's stock pipeline
               Detr.Bench stages               per-image cost of ApplyDetr's pre/post-processing stages only
               Detr.Bench evaluation           COCO evaluation time for 5,000 images x 100 detections
        Options of scoring:
          --model PATH       DETR ONNX model (transformers layout); created with bench/make_detr_r50_onnx.py when missing
                             (default: bench/artifacts/detr_r50.onnx in the repository)
          --images N         images scored per timed iteration (default 8; the 8 drawn PNGs are reused in turn)
          --iterations K     timed iterations per variant (default 3); the median is reported
          --threads T        ONNX Runtime intra-op threads for every variant (default 2)
          --only LIST        comma-separated subset of: raw, raw-b2, ours-b1, ours-b2, stock (default: all)
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }
        if (args[0] == "stages")
            return ScoringBenchmark.RunStages();
        if (args[0] == "evaluation")
            return EvaluationBenchmark.Run(images: 5000, detectionsPerImage: 100, repeats: 3);
        if (args[0] != "scoring")
        {
            Console.Error.WriteLine($"Unknown benchmark '{args[0]}'.");
            Console.Error.WriteLine(Usage);
            return 1;
        }
        var settings = new ScoringBenchmarkSettings();
        for (int i = 1; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Positive() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0
                ? v : throw new ArgumentException($"{name} needs a positive integer.");
            switch (name)
            {
                case "--model": settings.ModelPath = Path.GetFullPath(Value()); break;
                case "--images": settings.Images = Positive(); break;
                case "--iterations": settings.Iterations = Positive(); break;
                case "--threads": settings.Threads = Positive(); break;
                case "--only": settings.Only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                default:
                    Console.Error.WriteLine($"Unknown option '{name}'.");
                    Console.Error.WriteLine(Usage);
                    return 1;
            }
        }
        return new ScoringBenchmark(settings).Run();
    }
}

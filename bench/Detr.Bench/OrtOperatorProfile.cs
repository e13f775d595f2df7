using System.Globalization;
using System.Text.Json;
using static TorchSharp.torch;

namespace Detr.Bench;

/// <summary>
/// Where ONNX Runtime spends a run of each of two models of the same network: its per-node profile of a few runs
/// (interleaved between the two, after one uncounted run each, which includes first-run allocations), summed by
/// operator type as milliseconds per run. The JSON traces stay beside the models for a closer look.
/// </summary>
static class OrtOperatorProfile
{
    public static void Compare(string nameA, string modelA, string nameB, string modelB, int threads, Tensor images, Tensor padding, int runs)
    {
        string traceA, traceB;
        using (var a = new OrtDetrSession(modelA, threads, images, padding, Path.ChangeExtension(modelA, ".profile")))
        using (var b = new OrtDetrSession(modelB, threads, images, padding, Path.ChangeExtension(modelB, ".profile")))
        {
            for (int i = 0; i <= runs; i++)
            {
                a.Run().Dispose();
                b.Run().Dispose();
            }
            (traceA, traceB) = (a.EndProfiling(), b.EndProfiling());
        }
        var timesA = ByOperator(traceA, runs);
        var timesB = ByOperator(traceB, runs);
        Console.WriteLine($"\nONNX Runtime per-operator time (ms per run; {runs} profiled runs each, interleaved; traces {traceA}, {traceB}):");
        Console.WriteLine($"| operator | {nameA} | {nameB} | difference |");
        Console.WriteLine("|----------|------:|------:|------:|");
        foreach (string op in timesA.Keys.Union(timesB.Keys).OrderByDescending(op => Math.Abs(timesA.GetValueOrDefault(op) - timesB.GetValueOrDefault(op))))
        {
            double x = timesA.GetValueOrDefault(op), y = timesB.GetValueOrDefault(op);
            if (Math.Max(x, y) >= 0.05)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {op} | {x:F1} | {y:F1} | {x - y:+0.0;-0.0;0.0} |"));
        }
        double totalA = timesA.Values.Sum(), totalB = timesB.Values.Sum();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| all nodes | {totalA:F1} | {totalB:F1} | {totalA - totalB:+0.0;-0.0;0.0} |"));
    }

    static Dictionary<string, double> ByOperator(string trace, int runs)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(trace));
        var events = document.RootElement.EnumerateArray().ToList();
        // Node events of the uncounted first run come before the second "model_run" starts.
        long counted = events.Where(e => e.GetProperty("name").GetString() == "model_run").Select(e => e.GetProperty("ts").GetInt64()).Order().ElementAt(1);
        var byOperator = new Dictionary<string, double>();
        foreach (var e in events)
        {
            if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)
                || e.GetProperty("ts").GetInt64() < counted)
                continue;
            string op = e.GetProperty("args").GetProperty("op_name").GetString()!;
            byOperator[op] = byOperator.GetValueOrDefault(op) + e.GetProperty("dur").GetInt64() / 1000.0 / runs;
        }
        return byOperator;
    }
}
